import { DEFAULT_SQLITE_FILE, readSampleConfig } from './sample-config';

describe('readSampleConfig', () => {
  it('defaults to port 3000, the SQLite file and the in-process emulator', () => {
    expect(readSampleConfig({})).toEqual({
      port: 3000,
      database: { type: 'better-sqlite3', database: DEFAULT_SQLITE_FILE },
      hover: { clientId: undefined, clientSecret: undefined, redirectUri: undefined, baseUrl: undefined, tokenRequestEncoding: undefined, issuer: undefined, encryptionKeys: undefined },
    });
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

  it('reads HOVER_TOKEN_ENCRYPTION_KEYS newest first and HOVER_TOKEN_REQUEST_ENCODING', () => {
    const config = readSampleConfig({ HOVER_TOKEN_ENCRYPTION_KEYS: 'new:AAAA, old:BBBB', HOVER_TOKEN_REQUEST_ENCODING: 'multipart' });
    expect(config.hover.encryptionKeys).toEqual([{ id: 'new', key: 'AAAA' }, { id: 'old', key: 'BBBB' }]);
    expect(config.hover.tokenRequestEncoding).toBe('multipart');
  });

  it('refuses a malformed key list or encoding without echoing the value', () => {
    expect(() => readSampleConfig({ HOVER_TOKEN_ENCRYPTION_KEYS: 'justakeyvalue' })).toThrow(/comma-separated list of id:base64key/);
    expect(() => readSampleConfig({ HOVER_TOKEN_ENCRYPTION_KEYS: 'justakeyvalue' })).not.toThrow(/justakeyvalue/);
    expect(() => readSampleConfig({ HOVER_TOKEN_REQUEST_ENCODING: 'xml' })).toThrow('HOVER_TOKEN_REQUEST_ENCODING must be json, form or multipart (got "xml").');
  });
});
