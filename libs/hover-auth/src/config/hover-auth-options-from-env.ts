import type { HoverAuthModuleOptions } from '../hover-auth-options.interface';
import { HoverAuthConfigurationError } from '../exceptions/hover-auth-configuration.error';
import { checkHoverAuthOptionFields } from './resolve-hover-auth-options';

/** How one environment variable's text becomes an option value. */
type VariableKind = 'text' | 'secret' | 'integer' | 'boolean' | 'encryptionKeys' | 'switch';

/** One environment variable read by {@link hoverAuthOptionsFromEnv}. */
export interface HoverAuthEnvironmentVariable {
  /** Name without the prefix, e.g. `REFRESH_MARGIN_SECONDS` (read as `HOVER_REFRESH_MARGIN_SECONDS`). */
  readonly name: string;
  /** The option it sets, e.g. `refreshMarginSeconds`, or `retry.maxAttempts` for a nested one. */
  readonly option: string;
  /** How the text is read: see {@link hoverAuthOptionsFromEnv}. */
  readonly kind: VariableKind;
}

/** `refreshMarginSeconds` → `REFRESH_MARGIN_SECONDS`. */
function upperSnake(option: string): string {
  return option.replace(/\./g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

const variable = (option: string, kind: VariableKind): HoverAuthEnvironmentVariable => ({ name: upperSnake(option), option, kind });

/**
 * Every module option that can come from the environment, with its variable name (`HOVER_` + the option
 * name in upper snake case). `resolveConnectionId` is code, so it has none. The README's "Options" table
 * lists the same names (a test keeps them in step).
 */
export const HOVER_AUTH_ENVIRONMENT_VARIABLES: readonly HoverAuthEnvironmentVariable[] = [
  variable('clientId', 'text'),
  variable('clientSecret', 'secret'),
  variable('redirectUri', 'text'),
  variable('baseUrl', 'text'),
  variable('successRedirect', 'text'),
  variable('failureRedirect', 'text'),
  variable('refreshMarginSeconds', 'integer'),
  variable('httpTimeoutMs', 'integer'),
  variable('refreshLeaseMs', 'integer'),
  variable('refreshDeadlineMs', 'integer'),
  variable('authorizePath', 'text'),
  variable('tokenRequestEncoding', 'text'),
  variable('pkce', 'boolean'),
  variable('issuer', 'text'),
  variable('encryptionKeys', 'encryptionKeys'),
  variable('retry', 'switch'),
  variable('retry.maxAttempts', 'integer'),
  variable('retry.initialDelayMs', 'integer'),
  variable('retry.maxDelayMs', 'integer'),
  variable('retry.maxRetryAfterSeconds', 'integer'),
  variable('rateLimit', 'switch'),
  variable('rateLimit.requestsPerMinute', 'integer'),
  variable('rateLimit.requestsPerHour', 'integer'),
  variable('rateLimit.maxQueue', 'integer'),
  variable('rateLimit.maxWaitMs', 'integer'),
  variable('cacheMaxConnections', 'integer'),
  variable('integrationsRecheckSeconds', 'integer'),
  variable('reconnectToDifferentOrg', 'text'),
  variable('webhook.url', 'text'),
  variable('webhook.path', 'text'),
  variable('webhook.registerOnConnect', 'boolean'),
  variable('webhook.toleranceSeconds', 'integer'),
  variable('webhook.allowLegacySha1', 'boolean'),
  variable('webhook.maxBodyBytes', 'integer'),
];

/** Options of {@link hoverAuthOptionsFromEnv}. */
export interface HoverAuthEnvOptions {
  /** Prefix of every variable. Default `'HOVER_'`. */
  prefix?: string;
  /**
   * Variables starting with the prefix that are not in {@link HOVER_AUTH_ENVIRONMENT_VARIABLES}:
   * `'error'` (default) refuses them, since a misspelt name would otherwise be silently ignored;
   * `'ignore'` when your app keeps other `HOVER_…` variables of its own.
   */
  unknown?: 'error' | 'ignore';
  /**
   * `false` (default): the required options (`HOVER_CLIENT_ID`, `HOVER_CLIENT_SECRET`,
   * `HOVER_REDIRECT_URI`, `HOVER_ENCRYPTION_KEYS`) must be set, and the result is complete
   * {@link HoverAuthModuleOptions}. `true`: any may be missing (you fill them from elsewhere), and the
   * result is `Partial<HoverAuthModuleOptions>`.
   */
  partial?: boolean;
}

/** Options whose variables must be set unless `partial: true`. */
const REQUIRED_OPTIONS = ['clientId', 'clientSecret', 'redirectUri', 'encryptionKeys'] as const;

/**
 * Reads {@link HoverAuthModuleOptions} from environment variables: `HOVER_` + the option name in upper
 * snake case (`HOVER_REFRESH_MARGIN_SECONDS` → `refreshMarginSeconds`; nested ones as
 * `HOVER_RETRY_MAX_ATTEMPTS`). Unset or empty variables are left out, so the module's defaults (or
 * values you spread after it) apply. Text formats:
 * - whole numbers for the `…Seconds`, `…Ms` and count options (units as the option says);
 * - `true` / `false` for `HOVER_PKCE`; `false` for `HOVER_RETRY` / `HOVER_RATE_LIMIT` turns the feature off;
 * - `HOVER_ENCRYPTION_KEYS`: `id:base64key[,id:base64key…]`, newest first.
 *
 * Each value is checked like the option itself (ranges, URL rules, and the rules between options such
 * as `refreshLeaseMs` > `httpTimeoutMs`), and an error names the variable.
 *
 * @example
 * HoverAuthModule.forRootAsync({ useFactory: () => ({ ...hoverAuthOptionsFromEnv(process.env), resolveConnectionId }) })
 * @returns the options found: complete options (the required variables must be set), or with
 *   `partial: true` only what is set
 * @throws {HoverAuthConfigurationError} listing every unreadable or invalid variable; the values of
 *   `HOVER_CLIENT_SECRET` and `HOVER_ENCRYPTION_KEYS` are never echoed
 */
export function hoverAuthOptionsFromEnv(env: Record<string, string | undefined>, options?: HoverAuthEnvOptions & { partial?: false }): HoverAuthModuleOptions;
export function hoverAuthOptionsFromEnv(env: Record<string, string | undefined>, options: HoverAuthEnvOptions & { partial: true }): Partial<HoverAuthModuleOptions>;
export function hoverAuthOptionsFromEnv(env: Record<string, string | undefined>, options: HoverAuthEnvOptions = {}): Partial<HoverAuthModuleOptions> {
  const prefix = options.prefix ?? 'HOVER_';
  const problems: string[] = [];
  const result: Record<string, unknown> = {};
  const known = new Set(HOVER_AUTH_ENVIRONMENT_VARIABLES.map((entry) => prefix + entry.name));
  if ((options.unknown ?? 'error') === 'error') {
    for (const name of Object.keys(env)) {
      if (name.startsWith(prefix) && !known.has(name) && env[name] !== undefined) {
        problems.push(`Unknown variable ${safeName(name)}: check its spelling (known: see HOVER_AUTH_ENVIRONMENT_VARIABLES, or the README's Options table).`);
      }
    }
  }
  for (const entry of HOVER_AUTH_ENVIRONMENT_VARIABLES) {
    const name = prefix + entry.name;
    const text = env[name]?.trim();
    if (!text) continue;
    const value = readValue(name, entry.kind, text, problems);
    if (value === undefined) continue;
    const [top, nested] = entry.option.split('.');
    if (nested === undefined) {
      if (entry.kind === 'switch' && value === true) continue; // `HOVER_RETRY=true`: the defaults
      result[top] = value;
    } else if (result[top] === false) {
      problems.push(`${name} is set but ${prefix}${upperSnake(top)}=false turns \`${top}\` off: unset one of them.`);
    } else {
      result[top] = { ...(result[top] as object | undefined), [nested]: value };
    }
  }
  if (!options.partial) {
    for (const option of REQUIRED_OPTIONS) {
      const name = `${prefix}${upperSnake(option)}`;
      if (result[option] === undefined && !problems.some((problem) => problem.startsWith(name))) {
        problems.push(`${name} is not set (\`${option}\` is required); pass { partial: true } if you supply it in code.`);
      }
    }
  }
  // The module's own checks of the values that could be read, worded with variable names.
  for (const message of checkHoverAuthOptionFields(result)) problems.push(renameOptions(message, prefix));
  if (problems.length > 0) throw new HoverAuthConfigurationError(problems);
  return result as Partial<HoverAuthModuleOptions>;
}

function readValue(name: string, kind: VariableKind, text: string, problems: string[]): unknown {
  switch (kind) {
    case 'text':
    case 'secret':
      return text;
    case 'integer':
      if (/^-?\d{1,15}$/.test(text)) return Number(text);
      problems.push(`${name} must be a whole number (got "${text.slice(0, 40)}").`);
      return undefined;
    case 'boolean':
    case 'switch':
      if (text === 'true' || text === 'false') return text === 'true';
      problems.push(`${name} must be true or false (got "${text.slice(0, 40)}").`);
      return undefined;
    case 'encryptionKeys': {
      const entries = text.split(',').map((entry) => entry.indexOf(':'));
      if (entries.some((separator) => separator <= 0)) {
        problems.push(`${name} must be a comma-separated list of id:base64key, newest first (e.g. 2026-01:<32 random bytes in base64>); the value is not shown.`);
        return undefined;
      }
      return text.split(',').map((entry, index) => ({ id: entry.slice(0, entries[index]).trim(), key: entry.slice(entries[index] + 1).trim() }));
    }
  }
}

/** `` `retry.maxAttempts` `` → `` HOVER_RETRY_MAX_ATTEMPTS (`retry.maxAttempts`) ``, for every option named. */
function renameOptions(message: string, prefix: string): string {
  return message.replace(/`([A-Za-z0-9.]+)`/g, (whole, option: string) =>
    HOVER_AUTH_ENVIRONMENT_VARIABLES.some((entry) => entry.option === option) ? `${prefix}${upperSnake(option)} (\`${option}\`)` : whole,
  );
}

function safeName(name: string): string {
  return /^[A-Za-z0-9_]{1,80}$/.test(name) ? name : '(a name with unusual characters)';
}
