import { HoverEmulator } from '../hover-emulator';
import { apiGet, authorizeUrl, obtainTokens, refresh, request } from '../testing/emulator-spec.helpers';

const DEFAULT_FAULTS = {
  rotation: 'revoke-on-refresh',
  tokenErrorStatus: 'doorkeeper',
  consentWithoutIntegrations: 'block',
  omitRefreshTokenOnRefresh: false,
  tokenEndpointDelayMs: 0,
  tokenAnswerDelayMs: 0,
  tokenEndpointHang: false,
  tokenEndpointStatus: null,
  tokenEndpointResponse: null,
  pkce: 'honour',
  reportedExpiresIn: 'actual',
  apiRejectAllTokens: false,
  apiDelayMs: 0,
  apiRateLimit: null,
  apiStatus: null,
  webhookSignature: 'valid',
  webhookDeliveryDelayMs: 0,
  webhookDuplicateDeliveries: false,
};

describe('/__emulator control surface over HTTP', () => {
  const emulator = new HoverEmulator();
  let baseUrl: string;
  const post = (path: string, body?: unknown) =>
    request(`${baseUrl}/__emulator${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const get = (path: string) => request(`${baseUrl}/__emulator${path}`);

  beforeAll(async () => {
    baseUrl = await emulator.start();
  });
  afterEach(() => emulator.reset());
  afterAll(() => emulator.stop());

  it('GET /faults → defaults; POST /faults merges and returns the result', async () => {
    expect((await get('/faults')).json).toEqual(DEFAULT_FAULTS);
    const res = await post('/faults', { rotation: 'revoke-on-first-use', tokenEndpointStatus: 503 });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ...DEFAULT_FAULTS, rotation: 'revoke-on-first-use', tokenEndpointStatus: 503 });
    expect(emulator.faults.rotation).toBe('revoke-on-first-use');
    const second = await post('/faults', { tokenEndpointStatus: null });
    expect(second.json).toEqual({ ...DEFAULT_FAULTS, rotation: 'revoke-on-first-use' });
  });

  it('POST /faults sets the API faults; GET /faults shows apiStatus.times counting down', async () => {
    const res = await post('/faults', { apiStatus: { status: 503, retryAfter: '2', times: 2 }, apiDelayMs: 5, apiRateLimit: { perMinute: 120, perHour: 7200 } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      ...DEFAULT_FAULTS,
      apiStatus: { status: 503, retryAfter: '2', times: 2 },
      apiDelayMs: 5,
      apiRateLimit: { perMinute: 120, perHour: 7200 },
    });
    expect((await apiGet(baseUrl, '/api/v3/jobs')).status).toBe(503);
    expect((await get('/faults')).json.apiStatus).toEqual({ status: 503, retryAfter: '2', times: 1 });
    expect((await apiGet(baseUrl, '/api/v3/jobs')).status).toBe(503);
    expect((await get('/faults')).json.apiStatus).toBeNull();
  });

  it.each([
    { rotation: 'sometimes' },
    { nope: true },
    { tokenEndpointDelayMs: -1 },
    { tokenEndpointStatus: 42 },
    [1],
    { apiDelayMs: -5 },
    { apiDelayMs: '10' },
    { apiRateLimit: { perMinute: 0 } },
    { apiRateLimit: { perMinute: 1.5 } },
    { apiRateLimit: { perHour: 10 } },
    { apiRateLimit: { perMinute: 5, perHour: -1 } },
    { apiRateLimit: { perMinute: 5, perDay: 100 } },
    { apiRateLimit: 120 },
    { apiStatus: 503 },
    { apiStatus: { status: 200 } },
    { apiStatus: { status: 600 } },
    { apiStatus: { status: 503, times: 0 } },
    { apiStatus: { status: 503, retryAfter: 2 } },
    { apiStatus: { status: 503, retryAfter: '2\r\nSet-Cookie: x=1' } },
    { apiStatus: { status: 503, body: { error: 'x' } } },
    { apiStatus: { status: 503, contentType: '' } },
    { apiStatus: { status: 503, headers: {} } },
  ])(
    'POST /faults %j → 400 and nothing changes',
    async (body) => {
      const res = await post('/faults', body);
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('invalid_faults');
      expect(emulator.faults).toEqual(DEFAULT_FAULTS);
    },
  );

  it('malformed JSON → 400, not 500', async () => {
    const res = await request(`${baseUrl}/__emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_request');
  });

  it('POST /expire-tokens → {expired: n} and those tokens get 401', async () => {
    const a = await obtainTokens(baseUrl);
    await obtainTokens(baseUrl);
    const res = await post('/expire-tokens');
    expect(res.json).toEqual({ expired: 2 });
    expect((await apiGet(baseUrl, '/api/v2/users/profile', a.access_token)).status).toBe(401);
    expect((await post('/expire-tokens')).json).toEqual({ expired: 0 });
  });

  it('POST /revoke-tokens revokes refresh tokens too', async () => {
    const a = await obtainTokens(baseUrl);
    expect((await post('/revoke-tokens')).json).toEqual({ ok: true });
    expect((await refresh(baseUrl, a.refresh_token)).json.error).toBe('invalid_grant');
  });

  it('GET /stats counts token requests by grant type (failed ones too) and API requests', async () => {
    const a = await obtainTokens(baseUrl);
    await refresh(baseUrl, a.refresh_token);
    await refresh(baseUrl, 'bogus');
    await request(`${baseUrl}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password' }) });
    await apiGet(baseUrl, '/api/v3/jobs', a.access_token);
    const stats = (await get('/stats')).json;
    expect(stats).toEqual({
      tokenRequests: { authorization_code: 1, refresh_token: 2, total: 4 },
      apiRequests: 1,
      apiRequestsByPath: { '/api/v3/jobs': 1 },
    });
    expect(emulator.tokenRequestCount()).toBe(4);
    expect(emulator.tokenRequestCount('refresh_token')).toBe(2);

    expect((await post('/reset-counters')).json).toEqual({ ok: true });
    expect((await get('/stats')).json).toEqual({ tokenRequests: { authorization_code: 0, refresh_token: 0, total: 0 }, apiRequests: 0, apiRequestsByPath: {} });
  });

  it('GET /api-requests → the API request log; reset-counters empties it', async () => {
    const a = await obtainTokens(baseUrl);
    await apiGet(baseUrl, '/api/v3/jobs?page=2', a.access_token);
    await apiGet(baseUrl, '/api/v2/users/profile');
    const { requests } = (await get('/api-requests')).json;
    expect(requests).toEqual([
      { at: expect.any(Number), method: 'GET', path: '/api/v3/jobs', status: 200, clientId: 'hover-emulator-client' },
      { at: expect.any(Number), method: 'GET', path: '/api/v2/users/profile', status: 401, clientId: null },
    ]);
    expect(requests[0].at).toBeLessThanOrEqual(requests[1].at);
    await post('/reset-counters');
    expect((await get('/api-requests')).json).toEqual({ requests: [] });
  });

  it('POST /orgs/:id/integrations {enabled:false} after connect: jobs 403, profile 200 without integrations; true restores', async () => {
    const a = await obtainTokens(baseUrl);
    expect((await post('/orgs/1/integrations', { enabled: false })).json).toEqual({ id: 1, integrations: false });
    const jobs = await apiGet(baseUrl, '/api/v3/jobs', a.access_token);
    expect(jobs.status).toBe(403);
    expect(jobs.json).toEqual({
      error: 'forbidden',
      message: 'Third-party integrations are not available on your plan. Upgrade or contact us to enable integrations.',
    });
    const profile = await apiGet(baseUrl, '/api/v2/users/profile', a.access_token);
    expect(profile.status).toBe(200);
    expect(profile.json.orgs[0].feature_access).toEqual({ measurements: true, design_tools: true, photos: true });
    expect((await post('/orgs/1/integrations', { enabled: true })).json).toEqual({ id: 1, integrations: true });
    expect((await apiGet(baseUrl, '/api/v3/jobs', a.access_token)).status).toBe(200);
  });

  it('POST /orgs/:id/integrations toggles the consent gate', async () => {
    emulator.setSignedInUser(2);
    expect((await request(authorizeUrl(baseUrl))).status).toBe(403);
    const res = await post('/orgs/2/integrations', { enabled: true });
    expect(res.json).toEqual({ id: 2, integrations: true });
    expect((await request(authorizeUrl(baseUrl))).status).toBe(200);
    expect((await post('/orgs/99/integrations', { enabled: true })).status).toBe(404);
    expect((await post('/orgs/2/integrations', { enabled: 'yes' })).status).toBe(400);
  });

  it('POST /signed-in-user switches the consent page user', async () => {
    expect((await post('/signed-in-user', { userId: 2 })).json).toEqual({ userId: 2 });
    const page = await request(authorizeUrl(baseUrl));
    expect(page.text).toContain('Bob Baker');
    expect((await post('/signed-in-user', { userId: 42 })).status).toBe(404);
    expect((await post('/signed-in-user', {})).status).toBe(400);
  });

  it('GET /users lists who can sign in, with org and current integrations', async () => {
    emulator.setOrgIntegrations(3, false);
    const res = await get('/users');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      users: [
        { id: 1, email: 'alice@acme-roofing.example', name: 'Alice Anders', orgId: 1, orgName: 'Acme Roofing', integrations: true },
        { id: 2, email: 'bob@budget-gutters.example', name: 'Bob Baker', orgId: 2, orgName: 'Budget Gutters', integrations: false },
        { id: 3, email: 'carol@coastal-claims.example', name: 'Carol Chen', orgId: 3, orgName: 'Coastal Claims', integrations: false },
      ],
    });
    expect(res.json.users).toEqual(emulator.users());
  });

  it('GET /orgs lists the orgs with plan and current integrations', async () => {
    await post('/orgs/2/integrations', { enabled: true });
    const res = await get('/orgs');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      orgs: [
        { id: 1, name: 'Acme Roofing', planName: 'Pro', integrations: true },
        { id: 2, name: 'Budget Gutters', planName: 'Basic', integrations: true },
        { id: 3, name: 'Coastal Claims', planName: 'Pro', integrations: true },
      ],
    });
    expect(res.json.orgs).toEqual(emulator.orgs());
    expect((await post('/users')).status).toBe(404); // GET only
  });

  it('POST /clients registers a client usable at /oauth/authorize', async () => {
    const res = await post('/clients', { clientId: 'sample', clientSecret: 's3cret', redirectUris: ['http://localhost:4000/cb'], name: 'Sample App' });
    expect(res.status).toBe(201);
    const page = await request(authorizeUrl(baseUrl, { client_id: 'sample', redirect_uri: 'http://localhost:4000/cb' }));
    expect(page.status).toBe(200);
    expect(page.text).toContain('Authorize Sample App to use your Hover account?');
    expect((await post('/clients', { clientId: 'x' })).status).toBe(400);
  });

  it('POST /reset restores seeds, faults and counters and drops tokens', async () => {
    const a = await obtainTokens(baseUrl);
    await post('/faults', { tokenErrorStatus: 'always-401' });
    await post('/orgs/1/integrations', { enabled: false });
    expect((await post('/reset')).json).toEqual({ ok: true });
    expect(emulator.faults).toEqual(DEFAULT_FAULTS);
    expect(emulator.tokenRequestCount()).toBe(0);
    expect((await apiGet(baseUrl, '/api/v2/users/profile', a.access_token)).status).toBe(401);
    expect((await request(authorizeUrl(baseUrl))).status).toBe(200);
  });

  it('unknown control routes → 404 JSON', async () => {
    const res = await get('/nothing');
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: 'not_found' });
    expect((await get('/reset')).status).toBe(404); // wrong method
  });
});
