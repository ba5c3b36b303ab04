import { HoverEmulator } from '../hover-emulator';
import { apiGet, obtainTokens, refresh } from '../testing/emulator-spec.helpers';

const PROFILE = '/api/v2/users/profile';

describe('POST /oauth/token (refresh_token) rotation', () => {
  const emulator = new HoverEmulator();
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await emulator.start();
  });
  afterEach(() => emulator.reset());
  afterAll(() => emulator.stop());

  it('rotates both tokens and keeps the org', async () => {
    const first = await obtainTokens(baseUrl);
    const res = await refresh(baseUrl, first.refresh_token, 'multipart');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.json.access_token).not.toBe(first.access_token);
    expect(res.json.refresh_token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(res.json.refresh_token).not.toBe(first.refresh_token);
    expect(res.json.owner_id).toBe(1);
    expect(res.json.expires_in).toBe(7200);
    expect((await apiGet(baseUrl, PROFILE, res.json.access_token)).status).toBe(200);
  });

  it("mode (a) 'revoke-on-refresh' (default): old refresh and old access token die at once", async () => {
    const first = await obtainTokens(baseUrl);
    const second = await refresh(baseUrl, first.refresh_token);
    expect(second.status).toBe(200);

    const reuse = await refresh(baseUrl, first.refresh_token);
    expect(reuse.status).toBe(400);
    expect(reuse.json.error).toBe('invalid_grant');

    const oldAccess = await apiGet(baseUrl, PROFILE, first.access_token);
    expect(oldAccess.status).toBe(401);
    expect(oldAccess.headers.get('www-authenticate')).toContain('"The access token was revoked"');

    expect((await refresh(baseUrl, second.json.refresh_token)).status).toBe(200);
  });

  it('a refresh token is single-use: two refreshes with the same token, the second fails', async () => {
    const first = await obtainTokens(baseUrl);
    const results = await Promise.all([refresh(baseUrl, first.refresh_token), refresh(baseUrl, first.refresh_token)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
  });

  it("mode (b) 'revoke-on-first-use': old tokens live until the new access token is used", async () => {
    emulator.setFaults({ rotation: 'revoke-on-first-use' });
    const first = await obtainTokens(baseUrl);
    const second = await refresh(baseUrl, first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.json.refresh_token).not.toBe(first.refresh_token);

    // Before the new access token is used, the old access token and refresh token still work.
    expect((await apiGet(baseUrl, PROFILE, first.access_token)).status).toBe(200);
    const again = await refresh(baseUrl, first.refresh_token);
    expect(again.status).toBe(200);

    // First use of the newest access token revokes its predecessor row.
    expect((await apiGet(baseUrl, PROFILE, again.json.access_token)).status).toBe(200);
    const afterUse = await refresh(baseUrl, first.refresh_token);
    expect(afterUse.status).toBe(400);
    expect(afterUse.json.error).toBe('invalid_grant');
    expect((await apiGet(baseUrl, PROFILE, first.access_token)).status).toBe(401);

    // The newest refresh token is the one to keep.
    expect((await refresh(baseUrl, again.json.refresh_token)).status).toBe(200);
  });

  it('omitRefreshTokenOnRefresh: no refresh_token in the answer, the old one keeps working', async () => {
    emulator.setFaults({ omitRefreshTokenOnRefresh: true });
    const first = await obtainTokens(baseUrl);
    const second = await refresh(baseUrl, first.refresh_token);
    expect(second.status).toBe(200);
    expect(Object.keys(second.json)).toEqual(['access_token', 'token_type', 'expires_in', 'scope', 'created_at', 'owner_id', 'owner_type']);
    expect(second.json.access_token).not.toBe(first.access_token);
    expect((await apiGet(baseUrl, PROFILE, second.json.access_token)).status).toBe(200);

    const third = await refresh(baseUrl, first.refresh_token);
    expect(third.status).toBe(200);
    expect(third.json.access_token).not.toBe(second.json.access_token);
    // Each refresh retires the access token it replaces.
    expect((await apiGet(baseUrl, PROFILE, second.json.access_token)).status).toBe(401);
    expect((await apiGet(baseUrl, PROFILE, third.json.access_token)).status).toBe(200);
  });

  it('an expired access token does not stop its refresh token', async () => {
    const first = await obtainTokens(baseUrl);
    expect(emulator.expireAccessTokens()).toBe(1);
    expect((await refresh(baseUrl, first.refresh_token)).status).toBe(200);
  });

  it('unknown or revoked refresh token → invalid_grant; under always-401 → 401', async () => {
    expect((await refresh(baseUrl, 'nope')).json).toMatchObject({ error: 'invalid_grant' });
    const first = await obtainTokens(baseUrl);
    emulator.revokeAllTokens();
    const revoked = await refresh(baseUrl, first.refresh_token);
    expect(revoked.status).toBe(400);
    expect(revoked.json.error).toBe('invalid_grant');
    emulator.setFaults({ tokenErrorStatus: 'always-401' });
    expect((await refresh(baseUrl, first.refresh_token)).status).toBe(401);
  });
});
