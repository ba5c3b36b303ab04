import { z } from 'zod';
import {
  DEFAULT_CONNECTION_ID,
  DEFAULT_HOVER_BASE_URL,
} from '../hover-auth.constants';
import type { HoverAuthModuleOptions, ResolvedHoverAuthOptions } from '../hover-auth-options.interface';
import { HoverAuthConfigurationError } from '../exceptions/hover-auth-configuration.error';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

const requiredString = (option: string, fix: string) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined || issue.input === null
          ? `\`${option}\` is missing. ${fix}`
          : `\`${option}\` must be a string, not ${Array.isArray(issue.input) ? 'an array' : typeof issue.input}. ${fix}`,
    })
    .trim()
    // abort: an empty value gets one message, not also the format checks that follow.
    .min(1, { error: `\`${option}\` is empty. ${fix}`, abort: true });

const CREDENTIALS_FIX = "Copy it from Hover's Settings → Developer → integration page.";

const KEY_FIX =
  'Generate a key with `node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64\'))"` and pass encryptionKeys: [{ id: \'2026-01\', key: \'<that value>\' }], kept in your secret store.';

/** 32 bytes from base64 or base64url text, or null. */
function decodeKey(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(text)) return null;
  const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === 32 ? key : null;
}

const encryptionKeySchema = z.object(
  {
    id: z.string({ error: 'each `encryptionKeys` entry needs an `id` string.' }).regex(/^[A-Za-z0-9_-]{1,32}$/, {
      error: 'each `encryptionKeys` id must be 1-32 characters of A-Z a-z 0-9 _ - (it is stored with every encrypted value).',
    }),
    key: z
      .string({ error: `each \`encryptionKeys\` entry needs a \`key\` string. ${KEY_FIX}` })
      .refine((text) => decodeKey(text) !== null, { error: `a key of \`encryptionKeys\` is not 32 bytes of base64. ${KEY_FIX}` }),
  },
  { error: `each \`encryptionKeys\` entry must be an object { id, key }. ${KEY_FIX}` },
);

/** A whole number option with its unit, bounds and a message naming it. */
const wholeNumber = (option: string, unit: string, min: number, max: number) =>
  z
    .number({ error: `\`${option}\` must be a number of ${unit}.` })
    .int({ error: `\`${option}\` must be a whole number of ${unit}.` })
    .min(min, { error: `\`${option}\` must be at least ${min} ${unit}.` })
    .max(max, { error: `\`${option}\` must be at most ${max} ${unit}.` });

const retrySchema = z.union(
  [
    z.literal(false),
    z.strictObject({
      maxAttempts: wholeNumber('retry.maxAttempts', 'attempts', 1, 10).default(3),
      initialDelayMs: wholeNumber('retry.initialDelayMs', 'milliseconds', 1, 60_000).default(500),
      maxDelayMs: wholeNumber('retry.maxDelayMs', 'milliseconds', 1, 300_000).default(10_000),
      maxRetryAfterSeconds: wholeNumber('retry.maxRetryAfterSeconds', 'seconds', 0, 3600).default(60),
    }),
  ],
  { error: '`retry` must be false or an object { maxAttempts?, initialDelayMs?, maxDelayMs?, maxRetryAfterSeconds? }.' },
);

const rateLimitSchema = z.union(
  [
    z.literal(false),
    z.strictObject({
      requestsPerMinute: wholeNumber('rateLimit.requestsPerMinute', 'requests', 1, 100_000).default(120),
      requestsPerHour: wholeNumber('rateLimit.requestsPerHour', 'requests', 1, 10_000_000).default(7200),
      maxQueue: wholeNumber('rateLimit.maxQueue', 'requests', 1, 1_000_000).default(1000),
      maxWaitMs: wholeNumber('rateLimit.maxWaitMs', 'milliseconds', 1, 3_600_000).optional(),
    }),
  ],
  { error: '`rateLimit` must be false or an object { requestsPerMinute?, requestsPerHour?, maxQueue?, maxWaitMs? }.' },
);

/** An absolute path without query or fragment, e.g. `/hover/webhooks`. */
const ROUTE_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;

const webhookSchema = z.strictObject(
  {
    url: requiredString('webhook.url', 'Set it to the public https:// URL Hover must POST webhooks to, e.g. https://app.example.com/hover/webhooks.').refine(
      (value) => {
        const url = parseUrl(value);
        return !!url && !value.includes('#') && url.username === '' && url.password === '' && (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)));
      },
      { error: '`webhook.url` must be an absolute https:// URL without fragment or credentials (http:// only for localhost, 127.0.0.1 and [::1]), e.g. https://app.example.com/hover/webhooks.' },
    ),
    path: z
      .string({ error: '`webhook.path` must be a path string such as /hover/webhooks.' })
      .regex(ROUTE_PATH, { error: '`webhook.path` must be a path starting with / and without query or fragment, e.g. /hover/webhooks.' })
      .optional(),
    registerOnConnect: z.boolean({ error: '`webhook.registerOnConnect` must be true or false.' }).default(true),
    toleranceSeconds: wholeNumber('webhook.toleranceSeconds', 'seconds', 1, 3600).default(300),
    allowLegacySha1: z.boolean({ error: '`webhook.allowLegacySha1` must be true or false.' }).default(false),
    maxBodyBytes: wholeNumber('webhook.maxBodyBytes', 'bytes', 1024, 10_485_760).default(65_536),
  },
  { error: '`webhook` must be an object { url, path?, registerOnConnect?, toleranceSeconds?, allowLegacySha1?, maxBodyBytes? }.' },
);

const schema = z.strictObject({
  clientId: requiredString('clientId', CREDENTIALS_FIX),
  clientSecret: requiredString('clientSecret', CREDENTIALS_FIX),
  redirectUri: requiredString(
    'redirectUri',
    'Set it to the redirect URI registered with Hover, e.g. https://app.example.com/hover/callback.',
  ).refine(
    (value) => {
      const url = parseUrl(value);
      // `new URL('…/cb#').hash` is '' although the URI has a fragment, so look at the raw text too.
      if (!url || value.includes('#')) return false;
      return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
    },
    {
      error:
        '`redirectUri` must be an absolute https:// URL without a fragment (http:// is allowed only for localhost, 127.0.0.1 and [::1]), exactly as registered with Hover (RFC 6749 §3.1.2, RFC 9700 §2.6).',
    },
  ),
  baseUrl: z
    .string({ error: '`baseUrl` must be a string such as https://hover.to.' })
    .default(DEFAULT_HOVER_BASE_URL)
    .refine(
      (value) => {
        const url = parseUrl(value);
        // Endpoints are built by appending paths, so anything after the origin would corrupt them.
        // The client secret and tokens travel to it: https only, except a local emulator.
        return (
          !!url &&
          (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) &&
          url.pathname.replace(/\/+$/, '') === '' &&
          !/[?#@]/.test(value)
        );
      },
      {
        error:
          '`baseUrl` must be an https:// origin such as https://hover.to, with no path, query, fragment or credentials (http:// only for localhost, 127.0.0.1 and [::1], e.g. the emulator).',
      },
    ),
  successRedirect: z.string({ error: '`successRedirect` must be a path or URL string.' }).min(1).default('/'),
  failureRedirect: z.string({ error: '`failureRedirect` must be a path or URL string.' }).min(1).default('/'),
  refreshMarginSeconds: z
    .number({ error: '`refreshMarginSeconds` must be a number of seconds, e.g. 300.' })
    .int({ error: '`refreshMarginSeconds` must be a whole number of seconds.' })
    .min(0, { error: '`refreshMarginSeconds` must be 0 or more seconds.' })
    .max(3600, { error: '`refreshMarginSeconds` must be at most 3600 seconds (Hover access tokens live 7200 s).' })
    .default(300),
  httpTimeoutMs: z
    .number({ error: '`httpTimeoutMs` must be a number of milliseconds, e.g. 30000.' })
    .int({ error: '`httpTimeoutMs` must be a whole number of milliseconds.' })
    .min(100, { error: '`httpTimeoutMs` must be at least 100 ms.' })
    .max(120_000, { error: '`httpTimeoutMs` must be at most 120000 ms (Hover times out requests after 60 s).' })
    .default(30_000),
  refreshLeaseMs: z
    .number({ error: '`refreshLeaseMs` must be a number of milliseconds, e.g. 35000.' })
    .int({ error: '`refreshLeaseMs` must be a whole number of milliseconds.' })
    .max(600_000, { error: '`refreshLeaseMs` must be at most 600000 ms (10 minutes).' })
    .optional(),
  refreshDeadlineMs: z
    .number({ error: '`refreshDeadlineMs` must be a number of milliseconds, e.g. 65000.' })
    .int({ error: '`refreshDeadlineMs` must be a whole number of milliseconds.' })
    .min(100, { error: '`refreshDeadlineMs` must be at least 100 ms.' })
    .max(1_200_000, { error: '`refreshDeadlineMs` must be at most 1200000 ms (20 minutes).' })
    .optional(),
  resolveConnectionId: z
    .custom<(request: unknown) => string | Promise<string>>((value) => typeof value === 'function', {
      error: '`resolveConnectionId` must be a function (request) => string | Promise<string>.',
    })
    .optional(),
  authorizePath: z.string({ error: '`authorizePath` must be a path string.' }).min(1).default('/hover/authorize'),
  tokenRequestEncoding: z
    .enum(['json', 'form', 'multipart'], {
      error: "`tokenRequestEncoding` must be 'json', 'form' or 'multipart'.",
    })
    .default('json'),
  pkce: z.boolean({ error: '`pkce` must be true or false.' }).default(true),
  issuer: z
    .string({ error: '`issuer` must be a string (the issuer identifier Hover sends as `iss`, RFC 9207).' })
    .min(1, { error: '`issuer` is empty; leave it unset to accept any `iss`.' })
    .max(512, { error: '`issuer` must be at most 512 characters.' })
    .optional(),
  encryptionKeys: z
    .array(encryptionKeySchema, { error: (issue) => (issue.input === undefined ? `\`encryptionKeys\` is missing: tokens are encrypted at rest. ${KEY_FIX}` : `\`encryptionKeys\` must be an array of { id, key }. ${KEY_FIX}`) })
    .min(1, { error: `\`encryptionKeys\` is empty. ${KEY_FIX}` })
    .refine((keys) => new Set(keys.map((entry) => entry.id)).size === keys.length, { error: '`encryptionKeys` ids must be unique.' }),
  retry: retrySchema.default({ maxAttempts: 3, initialDelayMs: 500, maxDelayMs: 10_000, maxRetryAfterSeconds: 60 }),
  rateLimit: rateLimitSchema.default({ requestsPerMinute: 120, requestsPerHour: 7200, maxQueue: 1000 }),
  cacheMaxConnections: wholeNumber('cacheMaxConnections', 'connections', 1, 10_000_000).default(10_000),
  integrationsRecheckSeconds: wholeNumber('integrationsRecheckSeconds', 'seconds', 1, 86_400).default(900),
  reconnectToDifferentOrg: z
    .enum(['accept', 'refuse'], { error: "`reconnectToDifferentOrg` must be 'accept' or 'refuse'." })
    .default('accept'),
  webhook: webhookSchema.optional(),
});

/**
 * Checks the options present in `options` one by one, as {@link resolveHoverAuthOptions} does, without
 * requiring the others (for options read from several sources, e.g. {@link hoverAuthOptionsFromEnv}).
 * @returns the messages of every invalid option (never echoing a value); empty when all pass
 */
export function checkHoverAuthOptionFields(options: Record<string, unknown>): string[] {
  const result = schema.partial().safeParse(options);
  if (!result.success) return result.error.issues.flatMap((issue) => describeIssue(issue, options));
  // Between options, with the schema's defaults for those not given.
  return crossOptionProblems({
    ...result.data,
    httpTimeoutMs: result.data.httpTimeoutMs ?? schema.shape.httpTimeoutMs.parse(undefined),
    retry: result.data.retry ?? schema.shape.retry.parse(undefined),
  });
}

/** Rules between options (each option is valid on its own). */
function crossOptionProblems(options: {
  httpTimeoutMs: number;
  refreshLeaseMs?: number;
  retry: false | { initialDelayMs: number; maxDelayMs: number };
}): string[] {
  const problems: string[] = [];
  const refreshLeaseMs = options.refreshLeaseMs ?? options.httpTimeoutMs + 5000;
  if (refreshLeaseMs <= options.httpTimeoutMs) {
    // A lease shorter than one token request could lapse while its holder still waits for Hover,
    // letting a second instance spend the same single-use refresh token.
    problems.push(`\`refreshLeaseMs\` (${refreshLeaseMs} ms) must be greater than \`httpTimeoutMs\` (${options.httpTimeoutMs} ms); leave it unset for httpTimeoutMs + 5000.`);
  }
  if (options.retry && options.retry.maxDelayMs < options.retry.initialDelayMs) {
    problems.push(`\`retry.maxDelayMs\` (${options.retry.maxDelayMs} ms) must be at least \`retry.initialDelayMs\` (${options.retry.initialDelayMs} ms).`);
  }
  return problems;
}

/**
 * Merges defaults into the options given to `forRoot()` / `forRootAsync()` and validates them.
 *
 * @param options raw options from the host app (may be `undefined` if a factory returned nothing)
 * @returns the resolved options, with the OAuth endpoints derived from `baseUrl`
 * @throws {HoverAuthConfigurationError} listing every invalid option and how to fix it
 */
export function resolveHoverAuthOptions(options: HoverAuthModuleOptions | undefined): ResolvedHoverAuthOptions {
  if (options === null || typeof options !== 'object') {
    throw new HoverAuthConfigurationError([
      'No options were given. Pass { clientId, clientSecret, redirectUri } to HoverAuthModule.forRoot(), or return them from the forRootAsync() factory.',
    ]);
  }
  const result = schema.safeParse(options);
  if (!result.success) {
    // Messages come from the schema above only; the received values (possibly secrets) are never echoed.
    throw new HoverAuthConfigurationError(result.error.issues.flatMap((issue) => describeIssue(issue, options)));
  }
  const parsed = result.data;
  const conflicts = crossOptionProblems(parsed);
  if (conflicts.length > 0) throw new HoverAuthConfigurationError(conflicts);
  const refreshLeaseMs = parsed.refreshLeaseMs ?? parsed.httpTimeoutMs + 5000;
  const refreshDeadlineMs = parsed.refreshDeadlineMs ?? refreshLeaseMs + parsed.httpTimeoutMs;
  const rateLimit = parsed.rateLimit && { ...parsed.rateLimit, maxWaitMs: parsed.rateLimit.maxWaitMs ?? parsed.httpTimeoutMs };
  const baseUrl = parsed.baseUrl.replace(/\/+$/, '');
  return {
    ...parsed,
    refreshLeaseMs,
    refreshDeadlineMs,
    rateLimit,
    baseUrl,
    authorizationEndpoint: `${baseUrl}/oauth/authorize`,
    tokenEndpoint: `${baseUrl}/oauth/token`,
    apiBaseUrl: `${baseUrl}/api`,
    resolveConnectionId: parsed.resolveConnectionId ?? (() => DEFAULT_CONNECTION_ID),
    encryptionKeys: parsed.encryptionKeys.map((entry) => ({ id: entry.id, key: decodeKey(entry.key) as Buffer })),
    webhook: parsed.webhook ? { ...parsed.webhook, path: parsed.webhook.path ?? (new URL(parsed.webhook.url).pathname || '/') } : false,
  };
}

const EXTRAS = new Set(['isGlobal', 'mountController', 'dataSource']);

/** Option names of the nested objects, for typos inside them. */
const NESTED_KEYS: Record<string, readonly string[]> = {
  retry: ['maxAttempts', 'initialDelayMs', 'maxDelayMs', 'maxRetryAfterSeconds'],
  rateLimit: ['requestsPerMinute', 'requestsPerHour', 'maxQueue', 'maxWaitMs'],
  webhook: ['url', 'path', 'registerOnConnect', 'toleranceSeconds', 'allowLegacySha1', 'maxBodyBytes'],
};

/**
 * The messages of one validation issue. `retry` and `rateLimit` are `false` or an object: when the
 * value is an object, the object's own issues are reported (they name the field, e.g.
 * `rateLimit.requestsPerMinute`), not the union's summary.
 */
function describeIssue(issue: z.core.$ZodIssue, options: object): string[] {
  const [top] = issue.path;
  if (issue.code === 'invalid_union' && typeof top === 'string' && top in NESTED_KEYS) {
    const value: unknown = (options as Record<string, unknown>)[top];
    // The object branch's issues sit on its fields; the `false` branch's single issue on the value itself.
    const objectBranch = issue.errors.find((branch) => branch.some((inner) => inner.path.length > 0));
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && objectBranch) {
      return objectBranch.flatMap((inner) => describeIssue({ ...inner, path: [top, ...inner.path] } as z.core.$ZodIssue, options));
    }
    return [issue.message];
  }
  if (issue.code === 'unrecognized_keys') {
    if (typeof top === 'string' && top in NESTED_KEYS) {
      return issue.keys.map((key) => `Unknown option \`${top}.${safeKey(String(key))}\`: check its spelling. Known: ${NESTED_KEYS[top].map((name) => `${top}.${name}`).join(', ')}.`);
    }
    return [unknownOptions(issue.keys)];
  }
  return [issue.message];
}

/** A typo is reported, not ignored (`clientSecrett` would otherwise leave the secret unset). Key names only. */
function unknownOptions(keys: readonly PropertyKey[]): string {
  return keys
    .map(String)
    .map((key) =>
      EXTRAS.has(key)
        ? `\`${safeKey(key)}\` is an extra, not an option: pass it to forRoot() itself or next to useFactory in forRootAsync(), never from the factory.`
        : `Unknown option \`${safeKey(key)}\`: check its spelling. Known options: ${Object.keys(schema.shape).join(', ')}.`,
    )
    .join(' ');
}

function safeKey(key: string): string {
  return /^[A-Za-z0-9_$-]{1,64}$/.test(key) ? key : '(a key with unusual characters)';
}
