import { createHash, createHmac } from 'crypto';
import { HoverEmulator } from '../hover-emulator';
import { DEFAULT_EMULATOR_CLIENT } from '../hover-emulator.constants';
import { apiGet, BodyEncoding, exchangeCode, obtainCode, obtainTokens, postToken, REDIRECT_URI, request } from '../testing/emulator-spec.helpers';

const INVALID_GRANT =
  'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';
const { clientId, clientSecret } = DEFAULT_EMULATOR_CLIENT;

describe('POST /oauth/token (authorization_code) and /oauth/revoke', () => {
  const emulator = new HoverEmulator();
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await emulator.start();
  });
  afterEach(() => {
    emulator.reset();
    jest.restoreAllMocks();
  });
  afterAll(() => emulator.stop());

  it.each<BodyEncoding>(['json', 'form', 'multipart'])('exchanges a code sent as %s for Hover-shaped tokens', async (encoding) => {
    const before = Math.floor(Date.now() / 1000);
    const res = await exchangeCode(baseUrl, await obtainCode(baseUrl), {}, encoding);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(Object.keys(res.json)).toEqual(['access_token', 'token_type', 'expires_in', 'refresh_token', 'scope', 'created_at', 'owner_id', 'owner_type']);
    expect(res.json.token_type).toBe('Bearer');
    expect(res.json.expires_in).toBe(7200);
    expect(res.json.scope).toBe('all');
    expect(res.json.owner_id).toBe(1);
    expect(res.json.owner_type).toBe('orgs');
    expect(res.json.created_at).toBeGreaterThanOrEqual(before);
    expect(res.json.created_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(res.json.refresh_token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(res.json.access_token).not.toBe(res.json.refresh_token);
  });

  it('issues an HS256 JWT whose claims name the user, org and lifetime', async () => {
    const { access_token } = await obtainTokens(baseUrl);
    const [header, payload, signature] = access_token.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    expect(claims.sub).toBe('1');
    expect(claims.org_id).toBe(1);
    expect(claims.exp - claims.iat).toBe(7200);
    expect(typeof claims.jti).toBe('string');
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Signed with the emulator's own random key, not a guessable one.
    expect(signature).not.toBe(createHmac('sha256', '').update(`${header}.${payload}`).digest('base64url'));
  });

  it('honours accessTokenTtlSeconds in expires_in', async () => {
    const short = new HoverEmulator({ accessTokenTtlSeconds: 60 });
    const url = await short.start();
    try {
      const res = await exchangeCode(url, await obtainCode(url));
      expect(res.json.expires_in).toBe(60);
    } finally {
      await short.stop();
    }
  });

  it('accepts client credentials by HTTP Basic', async () => {
    const code = await obtainCode(baseUrl);
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    const res = await postToken(baseUrl, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }, 'form', {
      authorization: `Basic ${basic}`,
    });
    expect(res.status).toBe(200);
    expect(res.json.owner_id).toBe(1);
  });

  it('a code works once: reuse → 400 invalid_grant with Doorkeeper description', async () => {
    const code = await obtainCode(baseUrl);
    expect((await exchangeCode(baseUrl, code)).status).toBe(200);
    const reuse = await exchangeCode(baseUrl, code);
    expect(reuse.status).toBe(400);
    expect(reuse.json).toEqual({ error: 'invalid_grant', error_description: INVALID_GRANT });
  });

  it('wrong redirect_uri → invalid_grant, and the code is not burnt by the failed attempt', async () => {
    const code = await obtainCode(baseUrl);
    const wrong = await exchangeCode(baseUrl, code, { redirect_uri: DEFAULT_EMULATOR_CLIENT.redirectUris[1] });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toBe('invalid_grant');
    expect((await exchangeCode(baseUrl, code)).status).toBe(200);
  });

  it('unknown code → invalid_grant', async () => {
    const res = await exchangeCode(baseUrl, 'not-a-code');
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_grant');
  });

  it('a code older than 10 minutes → invalid_grant', async () => {
    const code = await obtainCode(baseUrl);
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 600_000 + 1);
    const res = await exchangeCode(baseUrl, code);
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_grant');
  });

  it('a code issued to another client → invalid_grant', async () => {
    emulator.registerClient({ clientId: 'other', clientSecret: 'other-secret', redirectUris: [REDIRECT_URI] });
    const code = await obtainCode(baseUrl);
    const res = await exchangeCode(baseUrl, code, { client_id: 'other', client_secret: 'other-secret' });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_grant');
  });

  it('bad secret → 401 invalid_client with WWW-Authenticate', async () => {
    const res = await exchangeCode(baseUrl, await obtainCode(baseUrl), { client_secret: 'wrong' });
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="Doorkeeper", error="invalid_client"/);
  });

  it('no client credentials at all → 401 invalid_client', async () => {
    const res = await postToken(baseUrl, { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI });
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('invalid_client');
  });

  it.each([
    [{ grant_type: 'authorization_code', redirect_uri: REDIRECT_URI }, 'invalid_request', 'Missing required parameter: code.'],
    [{ grant_type: 'authorization_code', code: 'abc' }, 'invalid_request', 'Missing required parameter: redirect_uri.'],
    [{}, 'invalid_request', 'Missing required parameter: grant_type.'],
    [{ grant_type: 'password' }, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.'],
  ])('%j → 400 %s', async (params, error, description) => {
    const res = await postToken(baseUrl, { client_id: clientId, client_secret: clientSecret, ...params });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error, error_description: description });
  });

  it('malformed JSON → 400 invalid_request (not an HTML error)', async () => {
    const res = await request(`${baseUrl}/oauth/token`, { method: 'POST', body: '{"grant_type":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_request');
  });

  it("'always-401' answers every token error with 401", async () => {
    emulator.setFaults({ tokenErrorStatus: 'always-401' });
    const code = await obtainCode(baseUrl);
    expect((await exchangeCode(baseUrl, code)).status).toBe(200);
    const reuse = await exchangeCode(baseUrl, code);
    expect(reuse.status).toBe(401);
    expect(reuse.json.error).toBe('invalid_grant');
    const missing = await postToken(baseUrl, { client_id: clientId, client_secret: clientSecret });
    expect(missing.status).toBe(401);
    expect(missing.json.error).toBe('invalid_request');
    const unsupported = await postToken(baseUrl, { grant_type: 'password', client_id: clientId, client_secret: clientSecret });
    expect(unsupported.status).toBe(401);
    expect(unsupported.json.error).toBe('unsupported_grant_type');
  });

  describe('PKCE', () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    const challenge = createHash('sha256').update(verifier).digest('base64url');

    it('S256: the matching verifier is required', async () => {
      const code = await obtainCode(baseUrl, { code_challenge: challenge, code_challenge_method: 'S256' });
      const missing = await exchangeCode(baseUrl, code);
      expect(missing.status).toBe(400);
      expect(missing.json).toEqual({ error: 'invalid_request', error_description: 'Missing required parameter: code_verifier.' });
      const wrong = await exchangeCode(baseUrl, code, { code_verifier: 'x'.repeat(43) });
      expect(wrong.status).toBe(400);
      expect(wrong.json.error).toBe('invalid_grant');
      const ok = await exchangeCode(baseUrl, code, { code_verifier: verifier });
      expect(ok.status).toBe(200);
    });

    it('plain: the verifier equals the challenge', async () => {
      const code = await obtainCode(baseUrl, { code_challenge: verifier, code_challenge_method: 'plain' });
      expect((await exchangeCode(baseUrl, code, { code_verifier: verifier })).status).toBe(200);
    });

    it('a verifier for a code without challenge → invalid_grant (Doorkeeper)', async () => {
      const res = await exchangeCode(baseUrl, await obtainCode(baseUrl), { code_verifier: verifier });
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('invalid_grant');
    });

    it("pkce 'ignore': challenge and verifier are not checked", async () => {
      emulator.setFaults({ pkce: 'ignore' });
      const code = await obtainCode(baseUrl, { code_challenge: challenge, code_challenge_method: 'S256' });
      expect((await exchangeCode(baseUrl, code, { code_verifier: 'anything' })).status).toBe(200);
    });
  });

  describe('POST /oauth/revoke', () => {
    const revoke = (token: string, secret = clientSecret) =>
      request(`${baseUrl}/oauth/revoke`, { method: 'POST', body: new URLSearchParams({ token, client_id: clientId, client_secret: secret }) });

    it('revokes the access token (and its refresh token) and answers 200 {}', async () => {
      const tokens = await obtainTokens(baseUrl);
      const res = await revoke(tokens.access_token);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({});
      const api = await apiGet(baseUrl, '/api/v2/users/profile', tokens.access_token);
      expect(api.status).toBe(401);
      expect(api.headers.get('www-authenticate')).toContain('error_description="The access token was revoked"');
      const refreshed = await postToken(baseUrl, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId, client_secret: clientSecret });
      expect(refreshed.json.error).toBe('invalid_grant');
    });

    it('answers 200 for an unknown token', async () => {
      const res = await revoke('unknown');
      expect(res.status).toBe(200);
    });

    it('needs client authentication', async () => {
      const res = await revoke('unknown', 'wrong');
      expect(res.status).toBe(401);
      expect(res.json.error).toBe('invalid_client');
    });
  });
});
