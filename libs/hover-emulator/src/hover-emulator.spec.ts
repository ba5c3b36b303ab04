import { DEFAULT_EMULATOR_CLIENT, HoverEmulator } from './index';
import { exchangeCode, obtainCode, postToken, request } from './testing/emulator-spec.helpers';

describe('HoverEmulator lifecycle and programmatic control', () => {
  let emulator: HoverEmulator;

  afterEach(async () => {
    await emulator.stop();
  });

  it('start() binds 127.0.0.1 on a free port; stop() is idempotent; baseUrl throws when stopped', async () => {
    emulator = new HoverEmulator();
    expect(() => emulator.baseUrl).toThrow('not started');
    const url = await emulator.start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.baseUrl).toBe(url);
    await expect(emulator.start()).rejects.toThrow('already started');
    await emulator.stop();
    await emulator.stop();
    expect(() => emulator.baseUrl).toThrow('not started');
    await expect(fetch(`${url}/__emulator/faults`)).rejects.toThrow();
  });

  it('can be restarted after stop() and keeps its state', async () => {
    emulator = new HoverEmulator();
    await emulator.start();
    emulator.setFaults({ tokenErrorStatus: 'always-401' });
    await emulator.stop();
    const url = await emulator.start();
    expect((await request(`${url}/__emulator/faults`)).json.tokenErrorStatus).toBe('always-401');
  });

  it('DEFAULT_EMULATOR_CLIENT has the documented values', () => {
    emulator = new HoverEmulator();
    expect(DEFAULT_EMULATOR_CLIENT).toEqual({
      clientId: 'hover-emulator-client',
      clientSecret: 'hover-emulator-secret',
      redirectUris: ['http://localhost:3000/hover/callback', 'http://127.0.0.1:3000/hover/callback'],
    });
  });

  it('seedDefaults: false starts empty; seeding by hand makes the flow work', async () => {
    emulator = new HoverEmulator({ seedDefaults: false });
    const url = await emulator.start();
    const unknown = await request(`${url}/oauth/authorize?response_type=code&client_id=${DEFAULT_EMULATOR_CLIENT.clientId}`);
    expect(unknown.status).toBe(401);

    emulator.registerClient({ ...DEFAULT_EMULATOR_CLIENT });
    expect((await request(`${url}/oauth/authorize?response_type=code&client_id=${DEFAULT_EMULATOR_CLIENT.clientId}&redirect_uri=${encodeURIComponent(DEFAULT_EMULATOR_CLIENT.redirectUris[0])}`)).status).toBe(503);

    emulator.seedOrg({ id: 5, name: 'Five Roofs' });
    emulator.seedUser({ id: 50, email: 'e@five.example', firstName: 'Eve', lastName: 'Five', orgId: 5 });
    emulator.seedJobs(5, 4);
    const token = await exchangeCode(url, await obtainCode(url));
    expect(token.json.owner_id).toBe(5);
    const jobs = await request(`${url}/api/v3/jobs`, { headers: { authorization: `Bearer ${token.json.access_token}` } });
    expect(jobs.json.pagination).toEqual({ current_page: 1, next_page: null, total: 4 });
    expect(jobs.json.results[0].id).toBe(50001);

    emulator.reset();
    expect((await request(`${url}/oauth/authorize?client_id=${DEFAULT_EMULATOR_CLIENT.clientId}`)).status).toBe(401);
  });

  it('default world: orgs 1–3 and users 1–3, user 1 signed in; Carol connects org 3 with its 12 jobs', async () => {
    emulator = new HoverEmulator();
    const url = await emulator.start();
    expect(emulator.orgs()).toEqual([
      { id: 1, name: 'Acme Roofing', planName: 'Pro', integrations: true },
      { id: 2, name: 'Budget Gutters', planName: 'Basic', integrations: false },
      { id: 3, name: 'Coastal Claims', planName: 'Pro', integrations: true },
    ]);
    expect(emulator.users()).toEqual([
      { id: 1, email: 'alice@acme-roofing.example', name: 'Alice Anders', orgId: 1, orgName: 'Acme Roofing', integrations: true },
      { id: 2, email: 'bob@budget-gutters.example', name: 'Bob Baker', orgId: 2, orgName: 'Budget Gutters', integrations: false },
      { id: 3, email: 'carol@coastal-claims.example', name: 'Carol Chen', orgId: 3, orgName: 'Coastal Claims', integrations: true },
    ]);
    expect((await exchangeCode(url, await obtainCode(url))).json.owner_id).toBe(1);

    emulator.setSignedInUser(3);
    const token = await exchangeCode(url, await obtainCode(url));
    expect(token.json.owner_id).toBe(3);
    const profile = await request(`${url}/api/v2/users/profile`, { headers: { authorization: `Bearer ${token.json.access_token}` } });
    expect(profile.json).toMatchObject({ id: 3, email: 'carol@coastal-claims.example', first_name: 'Carol', last_name: 'Chen' });
    expect(profile.json.orgs).toMatchObject([{ id: 3, name: 'Coastal Claims', plan: { name: 'Pro' }, feature_access: { integrations: true } }]);
    const jobs = await request(`${url}/api/v3/jobs`, { headers: { authorization: `Bearer ${token.json.access_token}` } });
    expect(jobs.json.pagination).toEqual({ current_page: 1, next_page: null, total: 12 });
    expect(jobs.json.results[0].id).toBe(30001);
  });

  it('users() and orgs() return copies, follow seeding and reset()', () => {
    emulator = new HoverEmulator();
    emulator.users()[0].name = 'Mallory';
    emulator.orgs()[0].integrations = false;
    expect(emulator.users()[0].name).toBe('Alice Anders');
    expect(emulator.orgs()[0].integrations).toBe(true);

    emulator.seedOrg({ id: 4, name: 'Delta Decks', integrations: false });
    emulator.seedUser({ id: 4, email: 'dan@delta.example', firstName: 'Dan', lastName: 'Delta', orgId: 4 });
    expect(emulator.users().at(-1)).toEqual({ id: 4, email: 'dan@delta.example', name: 'Dan Delta', orgId: 4, orgName: 'Delta Decks', integrations: false });
    expect(emulator.orgs().at(-1)).toEqual({ id: 4, name: 'Delta Decks', planName: 'Basic', integrations: false });
    emulator.reset();
    expect(emulator.users().map((u) => u.id)).toEqual([1, 2, 3]);

    expect(new HoverEmulator({ seedDefaults: false }).users()).toEqual([]);
    expect(new HoverEmulator({ seedDefaults: false }).orgs()).toEqual([]);
  });

  it('rejects invalid options, seeds and faults with explanatory errors', () => {
    expect(() => new HoverEmulator({ accessTokenTtlSeconds: 0 })).toThrow(RangeError);
    emulator = new HoverEmulator();
    expect(() => emulator.seedUser({ id: 9, email: 'x', firstName: 'x', lastName: 'x', orgId: 99 })).toThrow('no org 99');
    expect(() => emulator.seedJobs(1, -1)).toThrow(RangeError);
    expect(() => emulator.setSignedInUser(99)).toThrow('no user 99');
    expect(() => emulator.setOrgIntegrations(99, true)).toThrow('no org 99');
    expect(() => emulator.registerClient({ clientId: 'a', clientSecret: 'b', redirectUris: ['not a url'] })).toThrow(TypeError);
    expect(() => emulator.setFaults({ rotation: 'x' as never })).toThrow("must be 'revoke-on-refresh' or 'revoke-on-first-use'");
    expect(emulator.faults.rotation).toBe('revoke-on-refresh');
  });

  it('faults getter returns a copy', () => {
    emulator = new HoverEmulator();
    const faults = emulator.faults;
    faults.tokenEndpointHang = true;
    expect(emulator.faults.tokenEndpointHang).toBe(false);
  });

  it('object faults are copied both ways: neither the object passed in nor a faults copy changes them', () => {
    emulator = new HoverEmulator();
    const apiStatus = { status: 503, times: 2 };
    emulator.setFaults({ apiStatus, apiRateLimit: { perMinute: 5 } });
    apiStatus.times = 99;
    emulator.faults.apiStatus!.status = 500;
    emulator.faults.apiRateLimit!.perMinute = 1;
    expect(emulator.faults.apiStatus).toEqual({ status: 503, times: 2 });
    expect(emulator.faults.apiRateLimit).toEqual({ perMinute: 5 });
  });

  it('refuses invalid API faults with a message that says what is expected', () => {
    emulator = new HoverEmulator();
    expect(() => emulator.setFaults({ apiStatus: { status: 200 } })).toThrow('Fault "apiStatus" must be null or { status: 400–599');
    expect(() => emulator.setFaults({ apiRateLimit: { perMinute: 0 } })).toThrow('Fault "apiRateLimit" must be null or { perMinute, perHour? } (integers ≥ 1)');
    expect(() => emulator.setFaults({ apiDelayMs: -1 })).toThrow('Fault "apiDelayMs" must be a number of milliseconds ≥ 0');
    expect(emulator.faults).toMatchObject({ apiStatus: null, apiRateLimit: null, apiDelayMs: 0 });
  });

  it('the logger never receives token, code or secret values', async () => {
    const lines: string[] = [];
    emulator = new HoverEmulator({ logger: (line) => lines.push(line) });
    const url = await emulator.start();
    const code = await obtainCode(url);
    const tokens = (await exchangeCode(url, code)).json;
    await postToken(url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: DEFAULT_EMULATOR_CLIENT.clientId, client_secret: DEFAULT_EMULATOR_CLIENT.clientSecret });
    const signIn = await request(`${url}/__emulator/sign-in`, { method: 'POST', body: new URLSearchParams({ user_id: '3', state: 'state-123' }) });
    expect(signIn.status).toBe(303);
    const log = lines.join('\n');
    expect(log).toContain('browser signed in as user 3');
    expect(log).toContain('POST /oauth/token grant_type=authorization_code -> 200');
    expect(log).toContain('POST /oauth/token grant_type=refresh_token -> 200');
    for (const secret of [code, tokens.access_token, tokens.refresh_token, DEFAULT_EMULATOR_CLIENT.clientSecret, 'state-123']) {
      expect(log).not.toContain(secret);
    }
  });
});
