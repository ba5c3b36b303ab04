/**
 * The walking skeleton, end to end over real HTTP: the sample app (real bootstrap, real database file
 * or server, migrations at start) against the Hover emulator, as the signed-in sample user (connection
 * SAMPLE_CONNECTION_ID). Runs once per database of HOVER_E2E_DATABASES (default: SQLite file and
 * PostgreSQL on 127.0.0.1:5432).
 */
import type { HoverConnection } from '../libs/hover-auth/src/testing/internals';
import { HoverConnectionRepository } from '../libs/hover-auth/src/testing/internals';
import { CapturingLogger } from './support/capturing-logger';
import { E2E_ENCRYPTION_KEYS } from './support/test-keys';
import {
  cookiesOf,
  E2E_CLIENT,
  get as rawGet,
  runConsent as rawRunConsent,
  SAMPLE_CONNECTION_ID,
  startSampleUnderTest,
  type SampleUnderTest,
} from './support/sample-harness';
import { createTestDatabase, e2eDatabaseKinds, type TestDatabase } from './support/test-databases';

describe.each(e2eDatabaseKinds(['sqlite', 'postgres'] as const))('connect Hover and call the API (%s)', (kind) => {
  let database: TestDatabase;
  let target: SampleUnderTest;
  /** The Cookie header of the sample user's session (signed in once for the suite). */
  let session: string;
  // Every secret the flow handles and every answer the app gave, for the leak scan at the end.
  const logger = new CapturingLogger();
  const secrets = new Set<string>([E2E_CLIENT.clientSecret, ...E2E_ENCRYPTION_KEYS.map((entry) => entry.key)]);
  const answers: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    target = await startSampleUnderTest(database, {}, logger);
    // Capture at every level, debug and verbose included (startSampleApp's default is log/warn/error).
    target.sample.app.useLogger(logger);
    session = await target.signIn();
  });

  const get: typeof rawGet = async (url, init) => {
    const response = await rawGet(url, init);
    answers.push(response.text, response.location ?? '');
    return response;
  };

  const runConsent: typeof rawRunConsent = async (sampleUnderTest, decision) => {
    const run = await rawRunConsent(sampleUnderTest, decision, { cookie: session });
    const code = run.callbackUrl?.searchParams.get('code');
    if (code) secrets.add(code);
    if (run.callback) answers.push(run.callback.text, run.callback.location ?? '');
    await remember();
    return run;
  };

  async function remember(): Promise<void> {
    const connection = await target.sample.app.get(HoverConnectionRepository).findById(SAMPLE_CONNECTION_ID);
    if (connection) {
      secrets.add(connection.accessToken);
      if (connection.refreshToken) secrets.add(connection.refreshToken);
    }
  }

  afterAll(async () => {
    await target?.close();
    await database?.drop();
  });

  const stored = (): Promise<HoverConnection | null> =>
    target.sample.app.get(HoverConnectionRepository).findById(SAMPLE_CONNECTION_ID);

  const jobs = async () => {
    const response = await get(`${target.url}/jobs`, { headers: { accept: 'application/json', cookie: session } });
    await remember();
    return { status: response.status, body: JSON.parse(response.text) };
  };

  it('answers 401 HOVER_NOT_CONNECTED with the authorize URL before any connection', async () => {
    expect(await jobs()).toEqual({
      status: 401,
      body: expect.objectContaining({ code: 'HOVER_NOT_CONNECTED', connectionId: SAMPLE_CONNECTION_ID, authorizeUrl: '/hover/authorize' }),
    });
    const home = await get(target.url, { headers: { cookie: session } });
    expect(home.text).toContain('Hover is <strong>not connected</strong>');
  });

  it('an anonymous /hover/authorize is refused before a flow starts: 401 SIGN_IN_REQUIRED for API clients, 303 to the sign-in page for browsers', async () => {
    const api = await get(`${target.url}/hover/authorize`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(401);
    expect(JSON.parse(api.text)).toMatchObject({ statusCode: 401, code: 'SIGN_IN_REQUIRED' });
    expect(cookiesOf(api)).toBe('');
    const browser = await get(`${target.url}/hover/authorize`, { headers: { accept: 'text/html' } });
    expect([browser.status, browser.location]).toEqual([303, '/sign-in?returnTo=%2Fhover%2Fauthorize']);
    expect(cookiesOf(browser)).toBe('');
  });

  it('authorize → Allow → callback stores the connection and redirects to the success URL', async () => {
    const authorize = await get(`${target.url}/hover/authorize`, { headers: { cookie: session } });
    expect(authorize.status).toBe(302);
    const authorizeUrl = new URL(authorize.location as string);
    expect(authorizeUrl.origin).toBe(target.emulator.baseUrl);
    expect(authorizeUrl.pathname).toBe('/oauth/authorize');
    expect(authorizeUrl.searchParams.get('response_type')).toBe('code');
    expect(authorizeUrl.searchParams.get('client_id')).toBe(E2E_CLIENT.clientId);

    const run = await runConsent(target, 'allow');
    expect(run.consentPage.status).toBe(200);
    expect(run.consentPage.text).toContain('Allow');
    expect(run.callbackUrl?.searchParams.get('code')).toMatch(/.{20,}/);
    expect(run.callback?.status).toBe(302);
    expect(run.callback?.location).toBe('/?connected=1');
    expect(run.callback?.headers.get('cache-control')).toBe('no-store');
    expect(target.emulator.tokenRequestCount('authorization_code')).toBe(1);

    const connection = await stored();
    expect(connection).toMatchObject({ status: 'active', hoverOrgId: '1', hoverOrgName: 'Acme Roofing', hoverUserId: '1', ownerId: '1', ownerType: 'orgs', integrationsEnabled: true, scope: 'all' });
    const lifetime = (connection as HoverConnection).accessTokenExpiresAt - Date.now();
    expect(lifetime).toBeGreaterThan(7190 * 1000);
    expect(lifetime).toBeLessThanOrEqual(7200 * 1000);

    const home = await get(`${target.url}/?connected=1`, { headers: { cookie: session } });
    expect(home.text).toContain('id="hover-connected"');
    expect(home.text).toContain('Hover is <strong>connected</strong> (org Acme Roofing)');
  });

  it('GET /jobs lists the org\'s jobs through HoverHttpService', async () => {
    const { status, body } = await jobs();
    expect(status).toBe(200);
    expect(body.pagination).toEqual({ current_page: 1, next_page: 2, total: 30 });
    expect(body.results).toHaveLength(25);
    expect(body.results[0].id).toBe(10001);
    expect(target.emulator.tokenRequestCount('refresh_token')).toBe(0);
  });

  it('after a forced expiry, /jobs refreshes exactly once and the old refresh token is dead', async () => {
    const before = (await stored()) as HoverConnection;
    expect(target.emulator.expireAccessTokens()).toBe(1);

    const { status, body } = await jobs();
    expect(status).toBe(200);
    expect(body.results).toHaveLength(25);
    expect(target.emulator.tokenRequestCount('refresh_token')).toBe(1);

    const after = (await stored()) as HoverConnection;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.version).toBe(before.version + 1);

    const reuse = await fetch(`${target.emulator.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: before.refreshToken, ...{ client_id: E2E_CLIENT.clientId, client_secret: E2E_CLIENT.clientSecret } }),
    });
    expect(reuse.status).toBe(400);
    expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant');

    // Steady state again: more calls, no more refreshes.
    expect((await jobs()).status).toBe(200);
    expect(target.emulator.tokenRequestCount('refresh_token')).toBe(2); // the reuse probe above + our one refresh
  });

  it('50 concurrent calls after an expiry share one refresh, and all succeed', async () => {
    const refreshes = target.emulator.tokenRequestCount('refresh_token');
    target.emulator.expireAccessTokens();
    const results = await Promise.all(Array.from({ length: 50 }, () => jobs()));
    expect(results.map((result) => result.status)).toEqual(Array(50).fill(200));
    expect(target.emulator.tokenRequestCount('refresh_token')).toBe(refreshes + 1);
  });

  it('Deny redirects to the failure URL with access_denied and requests no token', async () => {
    const codeGrants = target.emulator.tokenRequestCount('authorization_code');
    const run = await runConsent(target, 'deny');
    expect(run.callbackUrl?.searchParams.get('error')).toBe('access_denied');
    expect(run.callback?.status).toBe(302);
    expect(run.callback?.location).toBe('/?hover_error=access_denied');
    expect(target.emulator.tokenRequestCount('authorization_code')).toBe(codeGrants);
    const home = await get(`${target.url}/?hover_error=access_denied`, { headers: { cookie: session } });
    expect(home.text).toContain('You cancelled the connection on Hover.');
    expect((await stored())?.status).toBe('active');
  });

  it('a forged state is a 400 with no token request and nothing stored', async () => {
    const before = await stored();
    const tokenRequests = target.emulator.tokenRequestCount();
    // Sent by the signed-in user's browser: a session is no substitute for the flow's own cookie.
    const forged = await get(`${target.url}/hover/callback?code=stolen-code&state=forged-state-value`, { headers: { cookie: session } });
    expect(forged.status).toBe(400);
    expect(JSON.parse(forged.text)).toMatchObject({ statusCode: 400, code: 'HOVER_STATE_BROWSER_MISMATCH' });
    expect(forged.text).not.toContain('stolen-code');
    const missing = await get(`${target.url}/hover/callback?code=stolen-code`, { headers: { cookie: session } });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text).code).toBe('HOVER_INVALID_STATE');
    const repeated = await get(`${target.url}/hover/callback?code=x&state=a&state=b`, { headers: { cookie: session } });
    expect(repeated.status).toBe(400);
    expect(target.emulator.tokenRequestCount()).toBe(tokenRequests);
    expect(await stored()).toEqual(before);
  });

  it('an unrecognized error from the query is not reflected: authorization_failed', async () => {
    const authorize = await get(`${target.url}/hover/authorize`, { headers: { cookie: session } });
    const state = new URL(authorize.location as string).searchParams.get('state');
    const answer = await get(`${target.url}/hover/callback?error=your_account_is_suspended&state=${state}`, {
      headers: { cookie: `${session}; ${cookiesOf(authorize)}` },
    });
    expect(answer.status).toBe(302);
    expect(answer.location).toBe('/?hover_error=authorization_failed');
  });

  it('a failing token endpoint sends the browser to the failure URL and keeps the stored grant', async () => {
    const before = await stored();
    target.emulator.setFaults({ tokenEndpointStatus: 503 });
    try {
      expect((await runConsent(target, 'allow')).callback?.location).toBe('/?hover_error=hover_unavailable');
    } finally {
      target.emulator.setFaults({ tokenEndpointStatus: null });
    }
    target.emulator.registerClient({ clientId: E2E_CLIENT.clientId, clientSecret: 'rotated-at-hover', redirectUris: [target.sample.config.hover.redirectUri as string] });
    try {
      expect((await runConsent(target, 'allow')).callback?.location).toBe('/?hover_error=configuration_error');
      expect(logger.lines.some((line) => line.startsWith('error') && line.includes('invalid_client'))).toBe(true);
    } finally {
      target.emulator.registerClient({ ...E2E_CLIENT, redirectUris: [target.sample.config.hover.redirectUri as string] });
    }
    expect(await stored()).toEqual(before);
  });

  it('a state is single use: replaying a real callback is refused', async () => {
    const run = await runConsent(target, 'allow');
    expect(run.callback?.status).toBe(302);
    const tokenRequests = target.emulator.tokenRequestCount();
    const replay = await get((run.callbackUrl as URL).toString(), { headers: { cookie: run.cookie } });
    expect(replay.status).toBe(400);
    expect(JSON.parse(replay.text).code).toBe('HOVER_INVALID_STATE');
    expect(target.emulator.tokenRequestCount()).toBe(tokenRequests);
  });

  it('an org whose plan lacks integrations: consent page blocks it; if Hover lets it through, the guard answers 403', async () => {
    target.emulator.seedOrg({ id: 77, name: 'Gutters Without Integrations', integrations: false });
    target.emulator.seedUser({ id: 770, email: 'nell@gutters.example', firstName: 'Nell', lastName: 'Gutter', orgId: 77 });
    target.emulator.setSignedInUser(770);

    const blocked = await runConsent(target, 'allow');
    expect(blocked.consentPage.text).toContain('Third-party integrations are not available on your plan');
    expect(blocked.callbackUrl).toBeNull();

    target.emulator.setFaults({ consentWithoutIntegrations: 'allow' });
    const allowed = await runConsent(target, 'allow');
    // The stored connection was on Acme Roofing (org 1): the module's default reconnectToDifferentOrg 'accept' says so.
    expect(allowed.callback?.location).toBe('/?connected=1&hover_notice=reconnected_to_different_org');
    expect(await stored()).toMatchObject({ hoverOrgId: '77', integrationsEnabled: false, status: 'active' });

    const apiCalls = target.emulator.apiRequestCount('/api/v3/jobs');
    const { status, body } = await jobs();
    expect(status).toBe(403);
    expect(body.code).toBe('HOVER_INTEGRATIONS_UNAVAILABLE');
    expect(body.message).toMatch(/plan does not include third-party integrations.*upgrade.*Hover support/i);
    expect(target.emulator.apiRequestCount('/api/v3/jobs')).toBe(apiCalls);
  });

  it('a refused refresh token marks the connection reauthorization_required (one refresh, no loop)', async () => {
    target.emulator.setSignedInUser(1);
    target.emulator.setFaults({ consentWithoutIntegrations: 'block' });
    // Back from org 77 to Acme Roofing: a different org again, so the success redirect carries the notice.
    expect((await runConsent(target, 'allow')).callback?.location).toBe('/?connected=1&hover_notice=reconnected_to_different_org');
    expect((await jobs()).status).toBe(200);

    target.emulator.revokeAllTokens();
    const refreshes = target.emulator.tokenRequestCount('refresh_token');
    const { status, body } = await jobs();
    expect(status).toBe(401);
    expect(body).toMatchObject({ code: 'HOVER_REAUTHORIZATION_REQUIRED', authorizeUrl: '/hover/authorize' });
    expect(target.emulator.tokenRequestCount('refresh_token')).toBe(refreshes + 1);
    expect((await stored())?.status).toBe('reauthorization_required');

    // The guard now stops requests before any Hover call.
    const again = await jobs();
    expect(again.body.code).toBe('HOVER_REAUTHORIZATION_REQUIRED');
    expect(target.emulator.tokenRequestCount('refresh_token')).toBe(refreshes + 1);
  });

  it('never writes a token, authorization code or client secret to a log line or an HTTP answer', () => {
    // Non-vacuous: the flow above handled at least two codes, several token pairs, and logged lines.
    expect(secrets.size).toBeGreaterThanOrEqual(8);
    expect(logger.lines.some((line) => line.includes(`Connected "${SAMPLE_CONNECTION_ID}" to Hover org`))).toBe(true);
    expect(logger.lines.some((line) => line.includes('reauthorization_required'))).toBe(true);
    const leaked = [...secrets].filter((secret) => logger.text.includes(secret) || answers.some((answer) => answer.includes(secret)));
    expect(leaked).toEqual([]);
  });
});
