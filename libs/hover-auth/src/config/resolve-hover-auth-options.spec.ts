import { HoverAuthConfigurationError } from '../exceptions/hover-auth-configuration.error';
import type { HoverAuthModuleOptions } from '../hover-auth-options.interface';
import { resolveHoverAuthOptions } from './resolve-hover-auth-options';

const SECRET = 'cs_live_5f2b9c0e-DO-NOT-LEAK';

const KEY = Buffer.alloc(32, 9).toString('base64');
const VALID: HoverAuthModuleOptions = {
  clientId: 'client-123',
  clientSecret: SECRET,
  redirectUri: 'https://app.example.com/hover/callback',
  encryptionKeys: [{ id: 'k1', key: KEY }],
};

/** Runs the resolver on options that must be refused and returns the configuration error. */
function configurationError(options: unknown): HoverAuthConfigurationError {
  try {
    resolveHoverAuthOptions(options as HoverAuthModuleOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(HoverAuthConfigurationError);
    return error as HoverAuthConfigurationError;
  }
  throw new Error('resolveHoverAuthOptions accepted options it should have refused');
}

describe('resolveHoverAuthOptions', () => {
  describe('defaults', () => {
    const resolved = resolveHoverAuthOptions(VALID);

    it('targets production Hover and derives the endpoints from baseUrl', () => {
      expect(resolved.baseUrl).toBe('https://hover.to');
      expect(resolved.authorizationEndpoint).toBe('https://hover.to/oauth/authorize');
      expect(resolved.tokenEndpoint).toBe('https://hover.to/oauth/token');
      expect(resolved.apiBaseUrl).toBe('https://hover.to/api');
    });

    it('uses a 300 s refresh margin, a 30000 ms HTTP timeout and JSON token requests', () => {
      expect(resolved.refreshMarginSeconds).toBe(300);
      expect(resolved.httpTimeoutMs).toBe(30_000);
      expect(resolved.tokenRequestEncoding).toBe('json');
    });

    it('redirects to / after success and failure and advertises /hover/authorize', () => {
      expect(resolved.successRedirect).toBe('/');
      expect(resolved.failureRedirect).toBe('/');
      expect(resolved.authorizePath).toBe('/hover/authorize');
    });

    it("resolves every request to the 'default' connection", async () => {
      expect(await resolved.resolveConnectionId({ headers: {} })).toBe('default');
    });

    it('keeps the credentials as given', () => {
      expect(resolved.clientId).toBe('client-123');
      expect(resolved.clientSecret).toBe(SECRET);
      expect(resolved.redirectUri).toBe('https://app.example.com/hover/callback');
    });
  });

  it('keeps explicit values and a custom resolveConnectionId', async () => {
    const resolved = resolveHoverAuthOptions({
      ...VALID,
      baseUrl: 'http://127.0.0.1:4010',
      refreshMarginSeconds: 0,
      httpTimeoutMs: 200,
      tokenRequestEncoding: 'multipart',
      resolveConnectionId: (request) => `tenant-${request.params.id}`,
    });
    expect(resolved.tokenEndpoint).toBe('http://127.0.0.1:4010/oauth/token');
    expect(resolved.refreshMarginSeconds).toBe(0);
    expect(resolved.httpTimeoutMs).toBe(200);
    expect(resolved.tokenRequestEncoding).toBe('multipart');
    expect(await resolved.resolveConnectionId({ params: { id: '7' } })).toBe('tenant-7');
  });

  it.each(['https://hover.example/', 'https://hover.example///'])('strips trailing slashes from baseUrl %s', (baseUrl) => {
    const resolved = resolveHoverAuthOptions({ ...VALID, baseUrl });
    expect(resolved.baseUrl).toBe('https://hover.example');
    expect(resolved.authorizationEndpoint).toBe('https://hover.example/oauth/authorize');
    expect(resolved.tokenEndpoint).toBe('https://hover.example/oauth/token');
    expect(resolved.apiBaseUrl).toBe('https://hover.example/api');
  });

  describe('required fields', () => {
    it('names every missing required option in its own problem', () => {
      const error = configurationError({});
      expect(error.problems).toHaveLength(4);
      expect(error.problems[0]).toMatch(/^`clientId` is missing\./);
      expect(error.problems[1]).toMatch(/^`clientSecret` is missing\./);
      expect(error.problems[2]).toMatch(/^`redirectUri` is missing\./);
      expect(error.problems[3]).toMatch(/^`encryptionKeys` is missing: tokens are encrypted at rest\./);
      expect(error.name).toBe('HoverAuthConfigurationError');
      expect(error.message).toContain('Invalid HoverAuthModule options:');
      for (const problem of error.problems) expect(error.message).toContain(problem);
    });

    it.each(['clientId', 'clientSecret', 'redirectUri'] as const)('refuses a missing %s alone, saying how to fix it', (field) => {
      const { [field]: _omitted, ...rest } = VALID;
      const error = configurationError(rest);
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(new RegExp(`^\`${field}\` is missing\\. \\S`));
    });

    it.each(['clientId', 'clientSecret'] as const)('refuses a blank %s', (field) => {
      const error = configurationError({ ...VALID, [field]: '   ' });
      expect(error.problems).toEqual([expect.stringMatching(new RegExp(`^\`${field}\` is empty\\. Copy it from Hover`))]);
    });

    it('refuses a blank redirectUri, saying first that it is empty', () => {
      const error = configurationError({ ...VALID, redirectUri: '   ' });
      expect(error.problems[0]).toMatch(/^`redirectUri` is empty\. Set it to the redirect URI registered with Hover/);
    });

    it('explains that no options were given when the factory returned undefined', () => {
      const error = configurationError(undefined);
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toContain('No options were given');
      expect(error.problems[0]).toContain('forRoot()');
      expect(error.message).toContain('clientId, clientSecret, redirectUri');
    });

    it('treats null like undefined', () => {
      expect(configurationError(null).problems[0]).toContain('No options were given');
    });
  });

  describe('redirectUri', () => {
    it.each([
      'http://localhost:3000/hover/callback',
      'http://127.0.0.1:3000/hover/callback',
      'https://app.example.com/hover/callback?tenant=1',
    ])('accepts %s', (redirectUri) => {
      expect(resolveHoverAuthOptions({ ...VALID, redirectUri }).redirectUri).toBe(redirectUri);
    });

    it.each([
      'http://app.example.com/hover/callback',
      'http://localhost.evil.example/hover/callback',
      'http://10.0.0.5/hover/callback',
      'ftp://app.example.com/hover/callback',
      '/hover/callback',
      'not a url',
    ])('refuses %s', (redirectUri) => {
      const error = configurationError({ ...VALID, redirectUri });
      expect(error.problems).toEqual([expect.stringContaining('`redirectUri` must be an absolute https:// URL')]);
    });

    it('refuses a redirect URI with a fragment (RFC 6749 §3.1.2)', () => {
      const error = configurationError({ ...VALID, redirectUri: 'https://app.example.com/hover/callback#done' });
      expect(error.problems).toEqual([expect.stringContaining('without a fragment')]);
    });

    it('refuses a redirect URI with an empty fragment (a bare trailing #)', () => {
      // `https://…/callback#?code=…` would put the code in the fragment, out of the server's reach.
      const error = configurationError({ ...VALID, redirectUri: 'https://app.example.com/hover/callback#' });
      expect(error.problems).toEqual([expect.stringContaining('without a fragment')]);
    });
  });

  describe('baseUrl', () => {
    it.each(['https://hover.to/api', 'https://hover.to/oauth/token', 'hover.to', 'ftp://hover.to', ''])(
      'refuses %j, which is not an origin',
      (baseUrl) => {
        const error = configurationError({ ...VALID, baseUrl });
        expect(error.problems).toEqual([expect.stringContaining('`baseUrl` must be an https:// origin such as https://hover.to')]);
      },
    );

    it.each(['http://hover.to', 'http://10.0.0.5:4010', 'http://hover.to.evil.example'])(
      'refuses plain http to %j: the client secret and tokens would travel unencrypted',
      (baseUrl) => {
        const error = configurationError({ ...VALID, baseUrl });
        expect(error.problems).toEqual([expect.stringContaining('http:// only for localhost, 127.0.0.1 and [::1]')]);
      },
    );

    it.each(['http://localhost:4010', 'http://127.0.0.1:54321'])('accepts the local emulator at %j', (baseUrl) => {
      expect(resolveHoverAuthOptions({ ...VALID, baseUrl }).tokenEndpoint).toBe(`${baseUrl}/oauth/token`);
    });

    it.each(['https://hover.to?region=eu', 'https://hover.to#eu'])(
      'refuses %j: a query or fragment would end up inside every derived endpoint',
      (baseUrl) => {
        const error = configurationError({ ...VALID, baseUrl });
        expect(error.problems).toEqual([expect.stringContaining('`baseUrl`')]);
      },
    );

    it('refuses a non-string baseUrl', () => {
      expect(configurationError({ ...VALID, baseUrl: 443 }).problems).toEqual([
        '`baseUrl` must be a string such as https://hover.to.',
      ]);
    });
  });

  describe('numeric options', () => {
    it.each([
      [-1, '`refreshMarginSeconds` must be 0 or more seconds.'],
      [1.5, '`refreshMarginSeconds` must be a whole number of seconds.'],
      [3601, '`refreshMarginSeconds` must be at most 3600 seconds (Hover access tokens live 7200 s).'],
      ['300', '`refreshMarginSeconds` must be a number of seconds, e.g. 300.'],
    ])('refuses refreshMarginSeconds %j', (refreshMarginSeconds, expected) => {
      expect(configurationError({ ...VALID, refreshMarginSeconds }).problems).toEqual([expected]);
    });

    it('accepts the bounds of refreshMarginSeconds', () => {
      expect(resolveHoverAuthOptions({ ...VALID, refreshMarginSeconds: 3600 }).refreshMarginSeconds).toBe(3600);
    });

    it.each([
      [99, '`httpTimeoutMs` must be at least 100 ms.'],
      [120_001, '`httpTimeoutMs` must be at most 120000 ms (Hover times out requests after 60 s).'],
      [Number.NaN, '`httpTimeoutMs` must be a number of milliseconds, e.g. 30000.'],
    ])('refuses httpTimeoutMs %p', (httpTimeoutMs, expected) => {
      expect(configurationError({ ...VALID, httpTimeoutMs }).problems).toEqual([expected]);
    });
  });

  it('refuses an unknown tokenRequestEncoding', () => {
    expect(configurationError({ ...VALID, tokenRequestEncoding: 'xml' }).problems).toEqual([
      "`tokenRequestEncoding` must be 'json', 'form' or 'multipart'.",
    ]);
  });

  it('refuses a resolveConnectionId that is not a function', () => {
    expect(configurationError({ ...VALID, resolveConnectionId: 'default' }).problems).toEqual([
      '`resolveConnectionId` must be a function (request) => string | Promise<string>.',
    ]);
  });

  it.each(['successRedirect', 'failureRedirect', 'authorizePath'])('names %s when it is empty', (field) => {
    expect(configurationError({ ...VALID, [field]: '' }).problems).toEqual([expect.stringContaining(`\`${field}\``)]);
  });

  it('lists every invalid option at once', () => {
    const error = configurationError({
      clientSecret: SECRET,
      redirectUri: 'http://app.example.com/cb',
      baseUrl: 'https://hover.to/api',
      refreshMarginSeconds: -5,
      encryptionKeys: VALID.encryptionKeys,
    });
    expect(error.problems).toHaveLength(4);
    expect(error.problems.map((problem) => problem.match(/^`(\w+)`/)?.[1])).toEqual([
      'clientId',
      'redirectUri',
      'baseUrl',
      'refreshMarginSeconds',
    ]);
  });

  describe('never echoes the client secret', () => {
    it('when other options are invalid', () => {
      const error = configurationError({
        clientSecret: SECRET,
        redirectUri: `http://app.example.com/cb?secret=${SECRET}`,
        baseUrl: `https://hover.to/${SECRET}`,
        refreshMarginSeconds: -1,
        httpTimeoutMs: SECRET,
        tokenRequestEncoding: SECRET,
      });
      expect(error.problems.length).toBeGreaterThanOrEqual(5);
      expect(error.message).not.toContain(SECRET);
      expect(error.problems.join('\n')).not.toContain(SECRET);
      expect(JSON.stringify(error)).not.toContain(SECRET);
      expect(String(error.stack)).not.toContain(SECRET);
    });

    it('when the secret itself is invalid (not a string)', () => {
      const secretNumber = 987654321987;
      const error = configurationError({ ...VALID, clientSecret: secretNumber });
      expect(error.problems).toEqual([expect.stringMatching(/^`clientSecret` must be a string, not number\./)]);
      expect(error.message).not.toContain(String(secretNumber));
      expect(JSON.stringify(error)).not.toContain(String(secretNumber));
    });
  });

  describe('encryptionKeys', () => {
    it('decodes base64 and base64url keys, newest first', () => {
      const older = Buffer.alloc(32, 250);
      const resolved = resolveHoverAuthOptions({ ...VALID, encryptionKeys: [{ id: 'new', key: KEY }, { id: 'old', key: older.toString('base64url') }] });
      expect(resolved.encryptionKeys.map((entry) => entry.id)).toEqual(['new', 'old']);
      expect(resolved.encryptionKeys[0].key.equals(Buffer.alloc(32, 9))).toBe(true);
      expect(resolved.encryptionKeys[1].key.equals(older)).toBe(true);
    });

    it('refuses startup without a key, saying how to make one', () => {
      const error = configurationError({ ...VALID, encryptionKeys: undefined });
      expect(error.problems).toEqual([expect.stringMatching(/^`encryptionKeys` is missing: tokens are encrypted at rest\. Generate a key with `node -e .*randomBytes\(32\)/)]);
      expect(configurationError({ ...VALID, encryptionKeys: [] }).problems).toEqual([expect.stringMatching(/^`encryptionKeys` is empty\./)]);
    });

    it.each([
      ['a 16-byte key', { id: 'k', key: Buffer.alloc(16, 1).toString('base64') }, /not 32 bytes of base64/],
      ['a hex key', { id: 'k', key: 'ab'.repeat(32) }, /not 32 bytes of base64/],
      ['an id with a dot', { id: 'k.1', key: KEY }, /id must be 1-32 characters/],
      ['no id', { key: KEY }, /needs an `id` string/],
    ])('refuses %s without echoing the key', (_name, entry, message) => {
      const error = configurationError({ ...VALID, encryptionKeys: [entry as never] });
      expect(error.problems).toEqual([expect.stringMatching(message)]);
      expect(error.message).not.toContain((entry as { key: string }).key);
    });

    it('refuses duplicate ids', () => {
      expect(configurationError({ ...VALID, encryptionKeys: [{ id: 'k', key: KEY }, { id: 'k', key: KEY }] }).problems).toEqual([
        '`encryptionKeys` ids must be unique.',
      ]);
    });
  });

  describe('unknown keys', () => {
    const problems = (options: unknown): readonly string[] => {
      try {
        resolveHoverAuthOptions(options as HoverAuthModuleOptions);
      } catch (error) {
        expect(error).toBeInstanceOf(HoverAuthConfigurationError);
        return (error as HoverAuthConfigurationError).problems;
      }
      throw new Error('expected a HoverAuthConfigurationError');
    };

    it('a misspelt option is reported (it would otherwise be silently ignored), without its value', () => {
      const found = problems({ ...VALID, clientSecrett: 'the-secret-value' });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^Unknown option `clientSecrett`: check its spelling\. Known options: clientId, clientSecret, redirectUri, /);
      expect(found.join('')).not.toContain('the-secret-value');
    });

    it('an extra returned from the factory is explained', () => {
      expect(problems({ ...VALID, isGlobal: true })).toEqual([
        '`isGlobal` is an extra, not an option: pass it to forRoot() itself or next to useFactory in forRootAsync(), never from the factory.',
      ]);
    });
  });

  describe('retry, rateLimit, cacheMaxConnections, integrationsRecheckSeconds', () => {
    const problems = (extra: object): readonly string[] => configurationError({ ...VALID, ...extra }).problems;

    it('defaults: 3 attempts from 500 ms to 10 s, Retry-After up to 60 s; Hover limits 120/min and 7200/h, queue 1000, wait httpTimeoutMs; 10000 cached; 900 s', () => {
      const resolved = resolveHoverAuthOptions({ ...VALID, httpTimeoutMs: 12_000 });
      expect(resolved.retry).toEqual({ maxAttempts: 3, initialDelayMs: 500, maxDelayMs: 10_000, maxRetryAfterSeconds: 60 });
      expect(resolved.rateLimit).toEqual({ requestsPerMinute: 120, requestsPerHour: 7200, maxQueue: 1000, maxWaitMs: 12_000 });
      expect([resolved.cacheMaxConnections, resolved.integrationsRecheckSeconds]).toEqual([10_000, 900]);
      expect(resolveHoverAuthOptions({ ...VALID, retry: false, rateLimit: false })).toMatchObject({ retry: false, rateLimit: false });
    });

    it.each<[object, string]>([
      [{ rateLimit: { requestsPerMinute: '60' } }, '`rateLimit.requestsPerMinute` must be a number of requests.'],
      [{ rateLimit: { requestsPerMinute: 1.5 } }, '`rateLimit.requestsPerMinute` must be a whole number of requests.'],
      [{ rateLimit: { requestsPerMinute: -1 } }, '`rateLimit.requestsPerMinute` must be at least 1 requests.'],
      [{ retry: { maxAttempts: '3' } }, '`retry.maxAttempts` must be a number of attempts.'],
      [{ retry: { maxAttempts: 0 } }, '`retry.maxAttempts` must be at least 1 attempts.'],
      [{ retry: { initialDelayMs: 5000, maxDelayMs: 100 } }, '`retry.maxDelayMs` (100 ms) must be at least `retry.initialDelayMs` (5000 ms).'],
      [{ retry: true }, '`retry` must be false or an object { maxAttempts?, initialDelayMs?, maxDelayMs?, maxRetryAfterSeconds? }.'],
      [{ rateLimit: 'off' }, '`rateLimit` must be false or an object { requestsPerMinute?, requestsPerHour?, maxQueue?, maxWaitMs? }.'],
      [
        { rateLimit: { requestsPerMinut: 60 } },
        'Unknown option `rateLimit.requestsPerMinut`: check its spelling. Known: rateLimit.requestsPerMinute, rateLimit.requestsPerHour, rateLimit.maxQueue, rateLimit.maxWaitMs.',
      ],
      [{ cacheMaxConnections: 0 }, '`cacheMaxConnections` must be at least 1 connections.'],
      [{ integrationsRecheckSeconds: 0.5 }, '`integrationsRecheckSeconds` must be a whole number of seconds.'],
    ])('%j is refused with a message naming the field', (extra, message) => {
      expect(problems(extra)).toEqual([message]);
    });
  });

  describe('webhook', () => {
    const problems = (webhook: unknown): readonly string[] => configurationError({ ...VALID, webhook }).problems;

    it('unset: off; set: the route is mounted at the path of url, with the defaults', () => {
      expect(resolveHoverAuthOptions(VALID).webhook).toBe(false);
      expect(resolveHoverAuthOptions({ ...VALID, webhook: { url: 'https://app.example.com/hooks/hover?src=hover' } }).webhook).toEqual({
        url: 'https://app.example.com/hooks/hover?src=hover',
        path: '/hooks/hover',
        registerOnConnect: true,
        toleranceSeconds: 300,
        allowLegacySha1: false,
        maxBodyBytes: 65_536,
      });
      expect(resolveHoverAuthOptions({ ...VALID, webhook: { url: 'http://localhost:3000/in', path: '/internal/hover' } }).webhook).toMatchObject({ path: '/internal/hover' });
    });

    it.each<[unknown, string]>([
      [{}, '`webhook.url` is missing. Set it to the public https:// URL Hover must POST webhooks to, e.g. https://app.example.com/hover/webhooks.'],
      [{ url: 'http://app.example.com/hooks' }, '`webhook.url` must be an absolute https:// URL without fragment or credentials (http:// only for localhost, 127.0.0.1 and [::1]), e.g. https://app.example.com/hover/webhooks.'],
      [{ url: 'https://user:pw@app.example.com/hooks' }, '`webhook.url` must be an absolute https:// URL without fragment or credentials (http:// only for localhost, 127.0.0.1 and [::1]), e.g. https://app.example.com/hover/webhooks.'],
      [{ url: '/hooks' }, '`webhook.url` must be an absolute https:// URL without fragment or credentials (http:// only for localhost, 127.0.0.1 and [::1]), e.g. https://app.example.com/hover/webhooks.'],
      [{ url: 'https://a.example/h', path: 'hooks' }, '`webhook.path` must be a path starting with / and without query or fragment, e.g. /hover/webhooks.'],
      [{ url: 'https://a.example/h', path: '/h?x=1' }, '`webhook.path` must be a path starting with / and without query or fragment, e.g. /hover/webhooks.'],
      [{ url: 'https://a.example/h', toleranceSeconds: 0 }, '`webhook.toleranceSeconds` must be at least 1 seconds.'],
      [{ url: 'https://a.example/h', maxBodyBytes: 10 }, '`webhook.maxBodyBytes` must be at least 1024 bytes.'],
      [{ url: 'https://a.example/h', allowLegacySha1: 'yes' }, '`webhook.allowLegacySha1` must be true or false.'],
      [{ url: 'https://a.example/h', tolerance: 60 }, 'Unknown option `webhook.tolerance`: check its spelling. Known: webhook.url, webhook.path, webhook.registerOnConnect, webhook.toleranceSeconds, webhook.allowLegacySha1, webhook.maxBodyBytes.'],
      ['https://a.example/h', '`webhook` must be an object { url, path?, registerOnConnect?, toleranceSeconds?, allowLegacySha1?, maxBodyBytes? }.'],
    ])('%j is refused with a message naming the field', (webhook, message) => {
      expect(problems(webhook)).toEqual([message]);
    });
  });
});
