import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HoverAuthConfigurationError } from '../exceptions/hover-auth-configuration.error';
import { HOVER_AUTH_ENVIRONMENT_VARIABLES, hoverAuthOptionsFromEnv } from './hover-auth-options-from-env';
import { resolveHoverAuthOptions } from './resolve-hover-auth-options';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('hoverAuthOptionsFromEnv', () => {
  it('reads each kind of variable and leaves unset or empty ones out', () => {
    expect(
      hoverAuthOptionsFromEnv({
        HOVER_CLIENT_ID: ' id ',
        HOVER_CLIENT_SECRET: 'secret',
        HOVER_REDIRECT_URI: 'https://app.example/hover/callback',
        HOVER_REFRESH_LEASE_MS: '40000',
        HOVER_PKCE: 'false',
        HOVER_RETRY_MAX_ATTEMPTS: '5',
        HOVER_RETRY_MAX_RETRY_AFTER_SECONDS: '0',
        HOVER_RATE_LIMIT_REQUESTS_PER_MINUTE: '40',
        HOVER_ENCRYPTION_KEYS: `new:${KEY},old:${KEY.replace(/=$/, '')}`,
        HOVER_RECONNECT_TO_DIFFERENT_ORG: 'refuse',
        HOVER_ISSUER: '',
        PATH: '/usr/bin',
      }),
    ).toEqual({
      clientId: 'id',
      clientSecret: 'secret',
      redirectUri: 'https://app.example/hover/callback',
      refreshLeaseMs: 40000,
      pkce: false,
      retry: { maxAttempts: 5, maxRetryAfterSeconds: 0 },
      rateLimit: { requestsPerMinute: 40 },
      encryptionKeys: [{ id: 'new', key: KEY }, { id: 'old', key: KEY.replace(/=$/, '') }],
      reconnectToDifferentOrg: 'refuse',
    });
  });

  it('what it reads is accepted by the module as is', () => {
    const options = hoverAuthOptionsFromEnv({
      HOVER_CLIENT_ID: 'id',
      HOVER_CLIENT_SECRET: 'secret',
      HOVER_REDIRECT_URI: 'http://localhost:3000/hover/callback',
      HOVER_ENCRYPTION_KEYS: `k1:${KEY}`,
      HOVER_RETRY: 'false',
      HOVER_RATE_LIMIT: 'true',
      HOVER_HTTP_TIMEOUT_MS: '5000',
    });
    const resolved = resolveHoverAuthOptions(options as never);
    expect(resolved.retry).toBe(false);
    expect(resolved.rateLimit).toEqual({ requestsPerMinute: 120, requestsPerHour: 7200, maxQueue: 1000, maxWaitMs: 5000 });
    expect(resolved.refreshLeaseMs).toBe(10000);
  });

  it('lists every problem at once, naming the variables, and never echoes a secret', () => {
    let error: unknown;
    try {
      hoverAuthOptionsFromEnv({
        HOVER_CLIENT_SECRET: ' ',
        HOVER_ENCRYPTION_KEYS: 'k1:NotAKeyButASecret',
        HOVER_HTTP_TIMEOUT_MS: '50',
        HOVER_BASE_URL: 'https://hover.to/api',
        HOVER_REFRESH_MARGIN_SECONDS: '5m',
      }, { partial: true });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(HoverAuthConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain('HOVER_REFRESH_MARGIN_SECONDS must be a whole number (got "5m").');
    expect(message).not.toContain('HOVER_CLIENT_SECRET'); // blank: left out, like unset
    expect(message).toContain('HOVER_HTTP_TIMEOUT_MS (`httpTimeoutMs`) must be at least 100 ms.');
    expect(message).toContain('HOVER_BASE_URL (`baseUrl`) must be an https:// origin');
    expect(message).toContain('a key of HOVER_ENCRYPTION_KEYS (`encryptionKeys`) is not 32 bytes of base64');
    expect(message).not.toContain('NotAKeyButASecret');
    expect(() => hoverAuthOptionsFromEnv({ HOVER_ENCRYPTION_KEYS: 'k1:Secret1,Secret2' }, { partial: true })).toThrow(/HOVER_ENCRYPTION_KEYS must be a comma-separated list of id:base64key/);
    expect(() => hoverAuthOptionsFromEnv({ HOVER_ENCRYPTION_KEYS: 'k1:Secret1,Secret2' }, { partial: true })).not.toThrow(/Secret/);
  });

  it('refuses unknown HOVER_ variables unless told to ignore them; a prefix moves them all', () => {
    expect(() => hoverAuthOptionsFromEnv({ HOVER_HTTP_TIMEOUT: '5000' }, { partial: true })).toThrow('Unknown variable HOVER_HTTP_TIMEOUT');
    expect(hoverAuthOptionsFromEnv({ HOVER_HTTP_TIMEOUT: '5000', HOVER_PKCE: 'true' }, { unknown: 'ignore', partial: true })).toEqual({ pkce: true });
    expect(hoverAuthOptionsFromEnv({ HOVER_PKCE: 'maybe', APP_HOVER_PKCE: 'false' }, { prefix: 'APP_HOVER_', partial: true })).toEqual({ pkce: false });
  });

  it('a feature turned off and one of its settings together is a conflict', () => {
    expect(() => hoverAuthOptionsFromEnv({ HOVER_RATE_LIMIT: 'false', HOVER_RATE_LIMIT_MAX_QUEUE: '10' }, { partial: true })).toThrow(
      'HOVER_RATE_LIMIT_MAX_QUEUE is set but HOVER_RATE_LIMIT=false turns `rateLimit` off: unset one of them.',
    );
  });

  it('without partial: true, names each required variable that is missing', () => {
    expect(() => hoverAuthOptionsFromEnv({ HOVER_CLIENT_ID: 'id' })).toThrow(
      /HOVER_CLIENT_SECRET is not set \(`clientSecret` is required\).*\n.*HOVER_REDIRECT_URI is not set.*\n.*HOVER_ENCRYPTION_KEYS is not set/,
    );
    expect(() => hoverAuthOptionsFromEnv({ HOVER_CLIENT_ID: 'id' })).not.toThrow(/HOVER_CLIENT_ID is not set/);
  });

  it('rules between options name both variables (defaults fill the other side)', () => {
    const lease = () => hoverAuthOptionsFromEnv({ HOVER_HTTP_TIMEOUT_MS: '60000', HOVER_REFRESH_LEASE_MS: '1000' }, { partial: true });
    expect(lease).toThrow('HOVER_REFRESH_LEASE_MS (`refreshLeaseMs`) (1000 ms) must be greater than HOVER_HTTP_TIMEOUT_MS (`httpTimeoutMs`) (60000 ms)');
    expect(() => hoverAuthOptionsFromEnv({ HOVER_REFRESH_LEASE_MS: '20000' }, { partial: true })).toThrow('(20000 ms) must be greater than HOVER_HTTP_TIMEOUT_MS (`httpTimeoutMs`) (30000 ms)');
    expect(() => hoverAuthOptionsFromEnv({ HOVER_RETRY_INITIAL_DELAY_MS: '5000', HOVER_RETRY_MAX_DELAY_MS: '1000' }, { partial: true })).toThrow(
      'HOVER_RETRY_MAX_DELAY_MS (`retry.maxDelayMs`) (1000 ms) must be at least HOVER_RETRY_INITIAL_DELAY_MS (`retry.initialDelayMs`) (5000 ms).',
    );
    expect(() => hoverAuthOptionsFromEnv({ HOVER_RETRY_INITIAL_DELAY_MS: '20000' }, { partial: true })).toThrow('must be at least HOVER_RETRY_INITIAL_DELAY_MS');
  });

  it('covers every option but resolveConnectionId (and the `webhook` object, set through its fields), and the README Options table names each variable in its row', () => {
    const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
    for (const entry of HOVER_AUTH_ENVIRONMENT_VARIABLES) {
      expect(readme).toContain(`| \`${entry.option}\` | \`HOVER_${entry.name}\` |`);
    }
    const documented = [...readme.matchAll(/^\| `([A-Za-z0-9.]+)` \| (`HOVER_[A-Z0-9_]+`|—) \|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual([...HOVER_AUTH_ENVIRONMENT_VARIABLES.map((entry) => entry.option), 'resolveConnectionId', 'webhook'].sort());
  });

  it('reads the webhook options from HOVER_WEBHOOK_*, and names the variable of a missing url', () => {
    expect(hoverAuthOptionsFromEnv({ HOVER_WEBHOOK_URL: 'https://app.example.com/hover/webhooks', HOVER_WEBHOOK_TOLERANCE_SECONDS: '60', HOVER_WEBHOOK_REGISTER_ON_CONNECT: 'false' }, { partial: true })).toEqual({
      webhook: { url: 'https://app.example.com/hover/webhooks', toleranceSeconds: 60, registerOnConnect: false },
    });
    expect(() => hoverAuthOptionsFromEnv({ HOVER_WEBHOOK_MAX_BODY_BYTES: '4096' }, { partial: true })).toThrow('HOVER_WEBHOOK_URL (`webhook.url`) is missing');
  });
});
