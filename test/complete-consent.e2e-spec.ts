/**
 * The emulator package's test helpers used the way a user's test uses them: `startHoverEmulator`
 * with the app's client, the real app (the sample, through its own bootstrap) pointed at it, and
 * `completeConsent` doing the browser's part of the flow over real HTTP, for a browser signed in to the
 * sample (its session cookie passed in `headers`). SQLite only: the helpers do not touch the database.
 */
import { HoverConnectionsService } from '@hover-auth/nestjs';
import { completeConsent, ConsentFlowError, startHoverEmulator, type RunningHoverEmulator } from '@hover-auth/emulator';
import { startSampleApp, type RunningSample } from '../apps/sample/src/start-sample-app';
import { freePort } from './support/free-port';
import { E2E_CLIENT, SAMPLE_CONNECTION_ID, SAMPLE_USER, signInToSample } from './support/sample-harness';
import { createTestDatabase, e2eDatabaseKinds, type TestDatabase } from './support/test-databases';
import { E2E_ENCRYPTION_KEYS } from './support/test-keys';

describe.each(e2eDatabaseKinds(['sqlite'] as const))('completeConsent with startHoverEmulator and the sample app (%s)', (kind) => {
  let database: TestDatabase;
  let hover: RunningHoverEmulator;
  let sample: RunningSample;
  let redirectUri: string;
  let authorizeUrl: string;
  /** The sample's session cookie of SAMPLE_USER: the request headers the sample needs to start a flow. */
  let headers: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const port = await freePort();
    redirectUri = `http://localhost:${port}/hover/callback`;
    hover = await startHoverEmulator({ client: { ...E2E_CLIENT, redirectUris: [redirectUri], name: 'Sample under test' } });
    sample = await startSampleApp(
      {
        PORT: String(port),
        DATABASE_URL: database.url,
        HOVER_BASE_URL: hover.baseUrl,
        HOVER_CLIENT_ID: E2E_CLIENT.clientId,
        HOVER_CLIENT_SECRET: E2E_CLIENT.clientSecret,
        HOVER_REDIRECT_URI: redirectUri,
        HOVER_ENCRYPTION_KEYS: E2E_ENCRYPTION_KEYS.map((entry) => `${entry.id}:${entry.key}`).join(','),
      },
      false,
    );
    authorizeUrl = `${sample.url}/hover/authorize`;
    headers = { cookie: await signInToSample(sample.url, SAMPLE_USER) };
  });

  beforeEach(() => {
    hover.emulator.resetCounters();
    hover.emulator.setSignedInUser(1);
    hover.emulator.setFaults({ consentWithoutIntegrations: 'block' });
  });

  afterAll(async () => {
    await sample?.close();
    await hover?.stop();
    await database?.drop();
  });

  const stored = () => sample.app.get(HoverConnectionsService).get(SAMPLE_CONNECTION_ID);

  it('Allow: the callback redirects to the success path after exactly one code exchange, and the connection is stored', async () => {
    const result = await completeConsent({ emulator: hover.emulator, authorizeUrl, headers });
    expect(result.status).toBe(302);
    expect(result.location).toBe('/?connected=1');
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(hover.emulator.tokenRequestCount('authorization_code')).toBe(1);
    expect(hover.emulator.tokenRequestCount()).toBe(1);
    expect(result.consentUrl.origin).toBe(hover.baseUrl);
    expect(result.consentUrl.searchParams.get('client_id')).toBe(E2E_CLIENT.clientId);
    expect(result.consentUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(`${result.callbackUrl.origin}${result.callbackUrl.pathname}`).toBe(redirectUri);
    // The flow cookie was set by the authorize route and deleted by the callback, as in a browser.
    expect(Object.keys(result.cookies).filter((name) => name.startsWith('hover_oauth_'))).toEqual([]);
    expect(await stored()).toMatchObject({ status: 'active', tokensReadable: true, hoverOrgId: '1', hoverUserId: '1', hoverOrgName: 'Acme Roofing', integrationsEnabled: true });

    const home = await fetch(`${sample.url}/?connected=1`, { headers: { cookie: result.cookieHeader } });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Hover is <strong>connected</strong>');
  });

  it('a returnTo chosen at the authorize route is where the callback sends the browser', async () => {
    const result = await hover.completeConsent({ authorizeUrl: `${authorizeUrl}?returnTo=${encodeURIComponent('/jobs?page=2')}`, headers });
    expect(result.location).toBe('/jobs?page=2');
    expect(hover.emulator.tokenRequestCount('authorization_code')).toBe(1);
  });

  it('Deny lands on hover_error=access_denied without any token request', async () => {
    const result = await completeConsent({ emulator: hover.emulator, authorizeUrl, headers, decision: 'deny' });
    expect(result.status).toBe(302);
    expect(result.location).toBe('/?hover_error=access_denied');
    expect(result.callbackUrl.searchParams.get('error')).toBe('access_denied');
    expect(hover.emulator.tokenRequestCount()).toBe(0);
  });

  it('userId picks who clicks: the connection belongs to their org', async () => {
    hover.emulator.seedOrg({ id: 9, name: 'Nine Gables' });
    hover.emulator.seedUser({ id: 90, email: 'nina@nine-gables.example', firstName: 'Nina', lastName: 'Gable', orgId: 9 });
    const result = await completeConsent({ emulator: hover.baseUrl, authorizeUrl, headers, userId: 90 });
    // The sample user's connection was on Acme Roofing: reconnectToDifferentOrg 'accept' (the default) says so.
    expect(result.location).toBe('/?connected=1&hover_notice=reconnected_to_different_org');
    expect(await stored()).toMatchObject({ hoverOrgId: '9', hoverUserId: '90', hoverOrgName: 'Nine Gables' });
  });

  it("a browser cookie passed in headers is kept: the app reuses that browser's binding", async () => {
    const first = await completeConsent({ emulator: hover.emulator, authorizeUrl, headers });
    const second = await completeConsent({ emulator: hover.emulator, authorizeUrl, headers: { cookie: first.cookieHeader } });
    expect(second.location).toBe('/?connected=1');
    expect(second.cookies.hover_oauth_browser).toBe(first.cookies.hover_oauth_browser);
    // The session cookie came through the jar of the first flow and still signs the browser in.
    expect(first.cookies['sample.sid']).toBeDefined();
    expect(second.cookies['sample.sid']).toBe(first.cookies['sample.sid']);
  });

  describe('errors name the cause', () => {
    it('an authorize URL that does not redirect', async () => {
      const failure = completeConsent({ emulator: hover.emulator, authorizeUrl: `${sample.url}/hover/authorise` });
      await expect(failure).rejects.toBeInstanceOf(ConsentFlowError);
      await expect(failure).rejects.toMatchObject({ reason: 'authorize-not-redirected', status: 404 });
      await expect(failure).rejects.toThrow(`completeConsent: GET ${sample.url}/hover/authorise answered 404 instead of redirecting to the emulator`);
    });

    it('an app pointed at another Hover than this emulator', async () => {
      const other = await startHoverEmulator();
      try {
        const failure = completeConsent({ emulator: other.emulator, authorizeUrl, headers });
        await expect(failure).rejects.toMatchObject({ reason: 'redirected-elsewhere', status: 302 });
        await expect(failure).rejects.toThrow(
          `redirected to ${hover.baseUrl}/oauth/authorize, not to this emulator's ${other.baseUrl}/oauth/authorize. Point your app's Hover base URL`,
        );
      } finally {
        await other.stop();
      }
      expect(hover.emulator.tokenRequestCount()).toBe(0);
    });

    it("the org's plan has no integrations (no Allow form)", async () => {
      const failure = completeConsent({ emulator: hover.emulator, authorizeUrl, headers, userId: 2 });
      await expect(failure).rejects.toMatchObject({ reason: 'integrations-unavailable', status: 403 });
      await expect(failure).rejects.toThrow('the signed-in user\'s org "Budget Gutters" has no integrations on its plan ("Third-party integrations are not available on your plan.');
      hover.emulator.setFaults({ consentWithoutIntegrations: 'allow' });
      // Org 2 replaces the org of the previous cases: a different org, so the success redirect carries the notice.
      expect((await completeConsent({ emulator: hover.emulator, authorizeUrl, headers, userId: 2 })).location).toBe('/?connected=1&hover_notice=reconnected_to_different_org');
      expect(await stored()).toMatchObject({ hoverOrgId: '2', integrationsEnabled: false });
    });

    it('a client or redirect URI the emulator does not know', async () => {
      try {
        hover.emulator.registerClient({ ...E2E_CLIENT, redirectUris: ['http://localhost:1/hover/callback'] });
        await expect(completeConsent({ emulator: hover.emulator, authorizeUrl, headers })).rejects.toThrow(
          `completeConsent: redirect_uri "${redirectUri}" is not registered for client "${E2E_CLIENT.clientId}" (invalid_redirect_uri`,
        );
        hover.emulator.reset(); // drops every client but the default one
        await expect(completeConsent({ emulator: hover.emulator, authorizeUrl, headers })).rejects.toThrow(
          `completeConsent: client_id "${E2E_CLIENT.clientId}" is not registered at the emulator (invalid_client)`,
        );
      } finally {
        hover.emulator.registerClient({ ...E2E_CLIENT, redirectUris: [redirectUri], name: 'Sample under test' });
      }
      expect(hover.emulator.tokenRequestCount()).toBe(0);
    });
  });
});
