import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { completeConsent, ConsentFlowError, HoverEmulator, startHoverEmulator, type RunningHoverEmulator } from '../index';

/**
 * A small app with its OWN routes (no hover-auth): `/connect` needs an `x-account-id` header, binds
 * the flow to the browser with a `flow` cookie and redirects to Hover; `/callback` checks the cookie,
 * exchanges the code and redirects to `/done`. Its settings can be changed between tests.
 */
function startClientApp(settings: { hoverBase: string; clientId: string; clientSecret: string; responseType: string; redirectUri?: string }) {
  const app = express();
  const pending = new Map<string, { account: string; flow: string }>();
  const seen: { callbackHeaders: Record<string, string | string[] | undefined>[]; ownerIds: number[] } = { callbackHeaders: [], ownerIds: [] };
  let redirectUri = '';
  app.get('/connect', (req, res) => {
    const account = req.get('x-account-id');
    if (!account) {
      res.status(401).json({ message: 'Unauthorized: no account' });
      return;
    }
    const flow = randomBytes(16).toString('hex');
    const state = randomBytes(16).toString('hex');
    pending.set(state, { account, flow });
    res.cookie('flow', flow, { httpOnly: true, path: '/', maxAge: 600_000 });
    const url = new URL('/oauth/authorize', settings.hoverBase);
    url.search = new URLSearchParams({ response_type: settings.responseType, client_id: settings.clientId, redirect_uri: settings.redirectUri ?? redirectUri, state }).toString();
    res.redirect(302, url.toString());
  });
  app.get('/guarded', (_req, res) => res.redirect(302, '/login?next=/guarded'));
  app.get('/broken', (_req, res) => res.status(500).type('html').send('<h1>oops</h1>'));
  app.get('/callback', async (req, res) => {
    seen.callbackHeaders.push(req.headers);
    const state = String(req.query.state);
    const flow = pending.get(state);
    pending.delete(state);
    if (!flow || !(req.get('cookie') ?? '').includes(`flow=${flow.flow}`)) {
      res.status(400).json({ error: 'state or browser mismatch' });
      return;
    }
    if (req.query.error) {
      res.redirect(302, `/?hover_error=${String(req.query.error)}`);
      return;
    }
    const token = await fetch(new URL('/oauth/token', settings.hoverBase), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'authorization_code', code: req.query.code, client_id: settings.clientId, client_secret: settings.clientSecret, redirect_uri: redirectUri }),
    });
    if (token.status !== 200) {
      res.status(502).json({ error: 'exchange failed' });
      return;
    }
    seen.ownerIds.push(((await token.json()) as { owner_id: number }).owner_id);
    res.cookie('session', `connected-${flow.account}`, { path: '/' });
    res.redirect(302, `/done?account=${flow.account}`);
  });
  const server = createServer(app);
  return new Promise<{ url: string; redirectUri: string; seen: typeof seen; close(): Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      redirectUri = `${url}/callback`;
      resolve({ url, redirectUri, seen, close: () => closeServer(server) });
    });
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function rejection(promise: Promise<unknown>): Promise<ConsentFlowError> {
  const error = await promise.then(
    () => null,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ConsentFlowError);
  return error as ConsentFlowError;
}

describe('completeConsent against an app with its own routes', () => {
  const settings = { hoverBase: '', clientId: 'own-routes-app', clientSecret: 'own-routes-secret', responseType: 'code', redirectUri: undefined as string | undefined };
  let hover: RunningHoverEmulator;
  let app: Awaited<ReturnType<typeof startClientApp>>;
  const headers = { 'x-account-id': 'acct-42' };

  beforeAll(async () => {
    hover = await startHoverEmulator();
    settings.hoverBase = hover.baseUrl;
    app = await startClientApp(settings);
  });
  beforeEach(() => {
    hover.emulator.reset();
    Object.assign(settings, { hoverBase: hover.baseUrl, clientId: 'own-routes-app', responseType: 'code', redirectUri: undefined });
    hover.emulator.registerClient({ clientId: settings.clientId, clientSecret: settings.clientSecret, redirectUris: [app.redirectUri] });
    app.seen.callbackHeaders.length = 0;
    app.seen.ownerIds.length = 0;
  });
  afterAll(async () => {
    await app?.close();
    await hover?.stop();
  });

  it('Allow: follows app → consent → callback with the binding cookie and headers, and returns the callback answer', async () => {
    const result = await completeConsent({ emulator: hover.emulator, authorizeUrl: `${app.url}/connect`, headers });
    expect(result.status).toBe(302);
    expect(result.location).toBe('/done?account=acct-42');
    expect(result.body).toBe('Found. Redirecting to /done?account=acct-42');
    expect(result.consentUrl.origin).toBe(hover.baseUrl);
    expect(result.consentUrl.searchParams.get('client_id')).toBe('own-routes-app');
    expect(`${result.callbackUrl.origin}${result.callbackUrl.pathname}`).toBe(app.redirectUri);
    expect(result.callbackUrl.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(Object.keys(result.cookies).sort()).toEqual(['flow', 'session']);
    expect(result.cookies.session).toBe('connected-acct-42');
    expect(result.cookieHeader).toMatch(/^flow=[0-9a-f]{32}; session=connected-acct-42$/);
    expect(app.seen.callbackHeaders).toHaveLength(1);
    expect(app.seen.callbackHeaders[0]['x-account-id']).toBe('acct-42');
    expect(app.seen.ownerIds).toEqual([1]);
    expect(hover.emulator.tokenRequestCount('authorization_code')).toBe(1);
  });

  it('Deny: the callback gets error=access_denied and its answer is returned', async () => {
    const result = await hover.completeConsent({ authorizeUrl: new URL('/connect', app.url), headers, decision: 'deny' });
    expect(result.callbackUrl.searchParams.get('error')).toBe('access_denied');
    expect(result.callbackUrl.searchParams.has('code')).toBe(false);
    expect(result.location).toBe('/?hover_error=access_denied');
    expect(hover.emulator.tokenRequestCount()).toBe(0);
  });

  it("a caller's cookie header joins the jar and is sent to the app; an app answer of 400 is returned, not thrown", async () => {
    // The app's callback needs its own flow cookie: a caller cookie with the same name overrides it
    // only until the app sets a fresh one, as in a browser.
    const result = await completeConsent({ emulator: hover.baseUrl, authorizeUrl: `${app.url}/connect`, headers: { ...headers, cookie: 'theme=dark; flow=stale' } });
    expect(result.status).toBe(302);
    expect(result.cookies.theme).toBe('dark');
    expect(result.cookies.flow).not.toBe('stale');
    expect(String(app.seen.callbackHeaders[0].cookie)).toContain('theme=dark');
  });

  it('userId chooses who clicks (their org grants access); through a base URL the control route is used', async () => {
    hover.emulator.seedOrg({ id: 5, name: 'Roofs United' });
    hover.emulator.seedUser({ id: 50, email: 'rhea@roofs.example', firstName: 'Rhea', lastName: 'Roof', orgId: 5 });
    const viaUrl = await completeConsent({ emulator: hover.baseUrl, authorizeUrl: `${app.url}/connect`, headers, userId: 50 });
    expect(viaUrl.location).toBe('/done?account=acct-42');
    const again = await hover.completeConsent({ authorizeUrl: `${app.url}/connect`, headers });
    expect(again.location).toBe('/done?account=acct-42');
    const viaInstance = await hover.completeConsent({ authorizeUrl: `${app.url}/connect`, headers, userId: 1 });
    expect(viaInstance.location).toBe('/done?account=acct-42');
    expect(app.seen.ownerIds).toEqual([5, 5, 1]); // the choice stays until changed
  });

  it('an unknown userId is refused before the flow starts', async () => {
    await expect(completeConsent({ emulator: hover.baseUrl, authorizeUrl: `${app.url}/connect`, headers, userId: 999 })).rejects.toThrow(
      'completeConsent: setSignedInUser: no user 999 is seeded.',
    );
    await expect(hover.completeConsent({ authorizeUrl: `${app.url}/connect`, headers, userId: 999 })).rejects.toThrow('setSignedInUser: no user 999 is seeded.');
    expect(app.seen.callbackHeaders).toHaveLength(0);
  });

  describe('errors say what to fix', () => {
    it('authorize route not redirecting (auth guard): status, body and a hint to pass headers', async () => {
      const error = await rejection(completeConsent({ emulator: hover.emulator, authorizeUrl: `${app.url}/connect?returnTo=/x` }));
      expect(error.reason).toBe('authorize-not-redirected');
      expect(error.status).toBe(401);
      expect(error.message).toBe(
        `completeConsent: GET ${app.url}/connect answered 401 instead of redirecting to the emulator: {"message":"Unauthorized: no account"}. ` +
          'Is the route behind your own authentication (pass the session cookie or header in `headers`), is the URL right, or did the app fail (see its log)?',
      );
    });

    it('an HTML error page is not quoted', async () => {
      const error = await rejection(completeConsent({ emulator: hover.emulator, authorizeUrl: `${app.url}/broken` }));
      expect(error.reason).toBe('authorize-not-redirected');
      expect(error.message).toContain('answered 500 instead of redirecting to the emulator. Is the route');
    });

    it('redirect to a login page on the app', async () => {
      const error = await rejection(completeConsent({ emulator: hover.emulator, authorizeUrl: `${app.url}/guarded` }));
      expect(error.reason).toBe('redirected-elsewhere');
      expect(error.message).toContain('redirected to /login on the app itself, not to the emulator. That looks like a login redirect');
    });

    it('redirect to another authorization server (base URL not pointed at the emulator), query not shown', async () => {
      settings.hoverBase = 'https://hover.to';
      const error = await rejection(completeConsent({ emulator: hover.emulator, authorizeUrl: `${app.url}/connect`, headers }));
      expect(error.reason).toBe('redirected-elsewhere');
      expect(error.message).toBe(
        `completeConsent: GET ${app.url}/connect redirected to https://hover.to/oauth/authorize, not to this emulator's ${hover.baseUrl}/oauth/authorize. ` +
          `Point your app's Hover base URL (e.g. the \`baseUrl\` option of @hover-auth/nestjs) at the emulator: ${hover.baseUrl}.`,
      );
      expect(error.message).not.toContain('state=');
    });

    it('localhost and 127.0.0.1 count as the same emulator', async () => {
      settings.hoverBase = hover.baseUrl.replace('127.0.0.1', 'localhost');
      const result = await completeConsent({ emulator: hover.emulator, authorizeUrl: `${app.url}/connect`, headers });
      expect(result.location).toBe('/done?account=acct-42');
    });

    it('unregistered client_id', async () => {
      settings.clientId = 'typo-client';
      const error = await rejection(completeConsent({ emulator: hover.emulator, authorizeUrl: `${app.url}/connect`, headers }));
      expect(error.reason).toBe('authorization-request-rejected');
      expect(error.status).toBe(401);
      expect(error.message).toContain('client_id "typo-client" is not registered at the emulator (invalid_client). Register your app\'s client: startHoverEmulator({ client })');
    });

    it('unregistered redirect_uri', async () => {
      settings.redirectUri = 'http://localhost:1/elsewhere';
      const error = await rejection(completeConsent({ emulator: hover.emulator, authorizeUrl: `${app.url}/connect`, headers }));
      expect(error.reason).toBe('authorization-request-rejected');
      expect(error.status).toBe(400);
      expect(error.message).toContain('redirect_uri "http://localhost:1/elsewhere" is not registered for client "own-routes-app" (invalid_redirect_uri');
    });

    it('the emulator redirects back with an error before consent (bad response_type)', async () => {
      settings.responseType = 'token';
      const error = await rejection(completeConsent({ emulator: hover.emulator, authorizeUrl: `${app.url}/connect`, headers }));
      expect(error.reason).toBe('authorization-request-rejected');
      expect(error.message).toContain('redirected back with error=unsupported_response_type ("The authorization server does not support this response type.")');
    });

    it("the org's plan has no integrations: no Allow form, and the message says so and how to change it", async () => {
      const error = await rejection(completeConsent({ emulator: hover.emulator, authorizeUrl: `${app.url}/connect`, headers, userId: 2 }));
      expect(error.reason).toBe('integrations-unavailable');
      expect(error.status).toBe(403);
      expect(error.message).toBe(
        'completeConsent: the consent page shows no Allow button: the signed-in user\'s org "Budget Gutters" has no integrations on its plan ' +
          '("Third-party integrations are not available on your plan. Upgrade or contact us to enable integrations."). ' +
          "Pass the `userId` of a user whose org has integrations, call emulator.setOrgIntegrations(orgId, true), or let consent through with emulator.setFaults({ consentWithoutIntegrations: 'allow' }).",
      );
      hover.emulator.setFaults({ consentWithoutIntegrations: 'allow' });
      expect((await completeConsent({ emulator: hover.emulator, authorizeUrl: `${app.url}/connect`, headers })).location).toBe('/done?account=acct-42');
    });

    it('the app is not listening', async () => {
      const closed = await startClientApp({ ...settings });
      await closed.close();
      const error = await rejection(completeConsent({ emulator: hover.emulator, authorizeUrl: `${closed.url}/connect` }));
      expect(error.reason).toBe('app-unreachable');
      expect(error.message).toBe(`completeConsent: could not reach your app at ${closed.url} (ECONNREFUSED). Is the app listening there?`);
    });

    it('invalid options are TypeErrors; a stopped emulator says so', async () => {
      await expect(completeConsent({ emulator: hover.emulator, authorizeUrl: '/connect' })).rejects.toThrow(TypeError);
      await expect(completeConsent({ emulator: hover.emulator, authorizeUrl: '/connect' })).rejects.toThrow('authorizeUrl must be an absolute URL');
      await expect(completeConsent({ emulator: hover.emulator, authorizeUrl: `${app.url}/connect`, decision: 'maybe' as 'allow' })).rejects.toThrow(
        "decision must be 'allow' or 'deny'",
      );
      await expect(completeConsent({ emulator: hover.emulator, authorizeUrl: `${app.url}/connect`, userId: 1.5 })).rejects.toThrow('userId must be an integer');
      await expect(completeConsent({ emulator: 'not a url', authorizeUrl: `${app.url}/connect` })).rejects.toThrow('emulator must be a HoverEmulator or an absolute base URL');
      await expect(completeConsent({ emulator: new HoverEmulator(), authorizeUrl: `${app.url}/connect` })).rejects.toThrow('HoverEmulator is not started');
    });
  });
});

describe('completeConsent against emulators that misbehave', () => {
  it('no signed-in user (seedDefaults: false)', async () => {
    const hover = await startHoverEmulator({ seedDefaults: false });
    const app = await startClientApp({ hoverBase: hover.baseUrl, clientId: 'c', clientSecret: 's', responseType: 'code' });
    try {
      hover.emulator.registerClient({ clientId: 'c', clientSecret: 's', redirectUris: [app.redirectUri] });
      const error = await rejection(completeConsent({ emulator: hover.emulator, authorizeUrl: `${app.url}/connect`, headers: { 'x-account-id': '1' } }));
      expect(error.reason).toBe('no-signed-in-user');
      expect(error.status).toBe(503);
      expect(error.message).toContain('the emulator has no signed-in user (seedDefaults: false?). Seed an org and a user');
    } finally {
      await app.close();
      await hover.stop();
    }
  });

  it('Allow answered with error=: thrown with the error code; the app headers never reach Hover', async () => {
    const hoverHeaders: Record<string, string | string[] | undefined>[] = [];
    const fake = express();
    fake.use((req, _res, next) => {
      hoverHeaders.push(req.headers);
      next();
    });
    fake.get('/oauth/authorize', (req, res) => {
      res.type('html').send(
        `<form method="post" action="/oauth/authorize" id="allow-form"><input type="hidden" name="redirect_uri" value="${String(req.query.redirect_uri)}">` +
          `<input type="hidden" name="state" value="${String(req.query.state)}"><button type="submit" name="decision" value="allow">Allow</button></form>`,
      );
    });
    fake.post('/oauth/authorize', express.urlencoded({ extended: false }), (req, res) => {
      const back = new URL(req.body.redirect_uri);
      back.search = new URLSearchParams({ error: 'server_error', error_description: 'Boom', state: req.body.state }).toString();
      res.redirect(302, back.toString());
    });
    const server = createServer(fake);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fakeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const app = await startClientApp({ hoverBase: fakeUrl, clientId: 'c', clientSecret: 's', responseType: 'code' });
    try {
      const error = await rejection(completeConsent({ emulator: fakeUrl, authorizeUrl: `${app.url}/connect`, headers: { 'x-account-id': '1', authorization: 'Bearer app-session' } }));
      expect(error.reason).toBe('emulator-redirected-with-error');
      expect(error.message).toBe(
        `completeConsent: after Allow the emulator redirected to ${app.redirectUri} with error=server_error ("Boom") instead of a code. ` +
          'Check the authorization request your app sends (response_type, PKCE parameters).',
      );
      expect(hoverHeaders).toHaveLength(2);
      for (const sent of hoverHeaders) {
        expect(sent['x-account-id']).toBeUndefined();
        expect(sent.authorization).toBeUndefined();
      }
      await closeServer(server);
      const unreachable = await rejection(completeConsent({ emulator: fakeUrl, authorizeUrl: `${app.url}/connect`, headers: { 'x-account-id': '1' } }));
      expect(unreachable.reason).toBe('emulator-unreachable');
      expect(unreachable.message).toBe(`completeConsent: could not reach the emulator at ${fakeUrl} (ECONNREFUSED). Is the emulator started (and not stopped yet)?`);
    } finally {
      await app.close();
      if (server.listening) await closeServer(server);
    }
  });
});
