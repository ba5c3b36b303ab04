import { DEFAULT_SQLITE_FILE, readSampleConfig } from './sample-config';

describe('readSampleConfig', () => {
  it('defaults to port 3000, the SQLite file and the in-process emulator', () => {
    expect(readSampleConfig({})).toEqual({ port: 3000, database: { type: 'better-sqlite3', database: DEFAULT_SQLITE_FILE }, hover: {} });
  });

  it('selects PostgreSQL from a postgres:// DATABASE_URL and a SQLite path from sqlite:', () => {
    expect(readSampleConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/db' }).database).toEqual({ type: 'postgres', url: 'postgres://u@127.0.0.1/db' });
    expect(readSampleConfig({ DATABASE_URL: 'sqlite:/tmp/x.sqlite' }).database).toEqual({ type: 'better-sqlite3', database: '/tmp/x.sqlite' });
  });

  it.each(['abc', '0', '-1', '65536', '3.5'])('refuses PORT=%s, naming the range', (port) => {
    expect(() => readSampleConfig({ PORT: port })).toThrow(`PORT must be a TCP port number 1-65535 (got "${port}").`);
  });

  it('refuses an unsupported DATABASE_URL without echoing it (it may hold a password)', () => {
    const attempt = () => readSampleConfig({ DATABASE_URL: 'mongodb://admin:S3cret@x/db' });
    expect(attempt).toThrow(/DATABASE_URL must start with postgres:\/\/ .* or sqlite:/);
    expect(attempt).not.toThrow(/S3cret/);
  });

  it('with HOVER_BASE_URL set, names each missing Hover variable', () => {
    expect(() => readSampleConfig({ HOVER_BASE_URL: 'https://hover.to', HOVER_CLIENT_ID: 'id' })).toThrow(
      /needs HOVER_CLIENT_SECRET, HOVER_REDIRECT_URI too .*Unset HOVER_BASE_URL to use the built-in emulator/,
    );
  });

  it('reads every module option from HOVER_<OPTION> (HOVER_ENCRYPTION_KEYS newest first, numbers, nested options)', () => {
    const config = readSampleConfig({
      HOVER_ENCRYPTION_KEYS: `new:${'A'.repeat(43)}=, old:${'B'.repeat(43)}=`,
      HOVER_TOKEN_REQUEST_ENCODING: 'multipart',
      HOVER_REFRESH_MARGIN_SECONDS: '120',
      HOVER_HTTP_TIMEOUT_MS: '5000',
      HOVER_RETRY_MAX_ATTEMPTS: '2',
      HOVER_RATE_LIMIT: 'false',
    });
    expect(config.hover).toEqual({
      encryptionKeys: [{ id: 'new', key: `${'A'.repeat(43)}=` }, { id: 'old', key: `${'B'.repeat(43)}=` }],
      tokenRequestEncoding: 'multipart',
      refreshMarginSeconds: 120,
      httpTimeoutMs: 5000,
      retry: { maxAttempts: 2 },
      rateLimit: false,
    });
  });

  it('refuses a malformed key list, encoding, number or unknown HOVER_ variable, naming the variable', () => {
    expect(() => readSampleConfig({ HOVER_ENCRYPTION_KEYS: 'justakeyvalue' })).toThrow(/HOVER_ENCRYPTION_KEYS must be a comma-separated list of id:base64key/);
    expect(() => readSampleConfig({ HOVER_ENCRYPTION_KEYS: 'justakeyvalue' })).not.toThrow(/justakeyvalue/);
    expect(() => readSampleConfig({ HOVER_ENCRYPTION_KEYS: 'k1:tooShortSecret' })).toThrow('a key of HOVER_ENCRYPTION_KEYS (`encryptionKeys`) is not 32 bytes of base64');
    expect(() => readSampleConfig({ HOVER_ENCRYPTION_KEYS: 'k1:tooShortSecret' })).not.toThrow(/tooShortSecret/);
    expect(() => readSampleConfig({ HOVER_REFRESH_MARGIN_SECONDS: '7200' })).toThrow('HOVER_REFRESH_MARGIN_SECONDS (`refreshMarginSeconds`) must be at most 3600 seconds');
    expect(() => readSampleConfig({ HOVER_RETRY: 'false', HOVER_RETRY_MAX_ATTEMPTS: '2' })).toThrow('HOVER_RETRY_MAX_ATTEMPTS is set but HOVER_RETRY=false turns `retry` off');
    expect(() => readSampleConfig({ HOVER_PKCE: 'yes' })).toThrow('HOVER_PKCE must be true or false (got "yes").');
    expect(() => readSampleConfig({ HOVER_TOKEN_REQUEST_ENCODING: 'xml' })).toThrow("HOVER_TOKEN_REQUEST_ENCODING (`tokenRequestEncoding`) must be 'json', 'form' or 'multipart'.");
    expect(() => readSampleConfig({ HOVER_HTTP_TIMEOUT_MS: '30s' })).toThrow('HOVER_HTTP_TIMEOUT_MS must be a whole number (got "30s").');
    expect(() => readSampleConfig({ HOVER_REFRESH_MARGIN_SECOND: '60' })).toThrow('Unknown variable HOVER_REFRESH_MARGIN_SECOND');
  });

  it('names the renamed HOVER_TOKEN_ENCRYPTION_KEYS without echoing its value', () => {
    const attempt = () => readSampleConfig({ HOVER_TOKEN_ENCRYPTION_KEYS: 'k1:c2VjcmV0' });
    expect(attempt).toThrow(/renamed HOVER_ENCRYPTION_KEYS/);
    expect(attempt).not.toThrow(/c2VjcmV0/);
  });
});
