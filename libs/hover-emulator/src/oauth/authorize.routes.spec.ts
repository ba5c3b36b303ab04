import { HoverEmulator } from '../hover-emulator';
import { DEFAULT_EMULATOR_CLIENT } from '../hover-emulator.constants';
import { apiGet, authorizeUrl, exchangeCode, HttpResult, obtainCode, postDecision, REDIRECT_URI, request } from '../testing/emulator-spec.helpers';

const BANNER = 'Local Hover emulator — not hover.to. No real Hover account is used.';

describe('GET/POST /oauth/authorize', () => {
  const emulator = new HoverEmulator();
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await emulator.start();
  });
  afterEach(() => emulator.reset());
  afterAll(() => emulator.stop());

  describe('untrusted client or redirect URI: error page, never a redirect', () => {
    it('unknown client_id → 401 HTML page naming invalid_client', async () => {
      const res = await request(authorizeUrl(baseUrl, { client_id: 'nope' }));
      expect(res.status).toBe(401);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.text).toContain('data-error="invalid_client"');
    });

    it('missing client_id → 401 page', async () => {
      const res = await request(authorizeUrl(baseUrl, { client_id: undefined }));
      expect(res.status).toBe(401);
      expect(res.headers.get('location')).toBeNull();
    });

    it.each([
      ['unregistered host', 'https://evil.example/hover/callback'],
      ['prefix of a registered URI', 'http://localhost:3000/hover'],
      ['registered URI plus query', `${REDIRECT_URI}?x=1`],
      ['missing', undefined],
    ])('redirect_uri %s → 400 page, no redirect', async (_label, redirectUri) => {
      const res = await request(authorizeUrl(baseUrl, { redirect_uri: redirectUri }));
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(res.text).toContain('data-error="invalid_redirect_uri"');
    });

    it('POST with an unregistered redirect_uri is refused the same way', async () => {
      const res = await postDecision(baseUrl, 'allow', { redirect_uri: 'https://evil.example/cb' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    });
  });

  it('response_type other than code → redirect with unsupported_response_type and state', async () => {
    const res = await request(authorizeUrl(baseUrl, { response_type: 'token', state: 'xyz' }));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe('unsupported_response_type');
    expect(location.searchParams.get('state')).toBe('xyz');
  });

  it('shows the consent page with client, signed-in user, org and both buttons', async () => {
    const res = await request(authorizeUrl(baseUrl, { state: '<s"&>', code_challenge: 'abc', code_challenge_method: 'S256' }));
    expect(res.status).toBe(200);
    expect(res.text).toContain('Authorize Hover Emulator Demo App to use your Hover account?');
    expect(res.text).toContain('Alice Anders (alice@acme-roofing.example)');
    expect(res.text).toContain('<strong id="org-name">Acme Roofing</strong>');
    expect(res.text).toContain('<button type="submit" name="decision" value="allow">Allow</button>');
    expect(res.text).toContain('<button type="submit" name="decision" value="deny">Deny</button>');
    expect(res.text.match(/<form method="post" action="\/oauth\/authorize"/g)).toHaveLength(2);
    // Echoed values are escaped, and carried in all three forms (Allow, Deny, "Not you?").
    expect(res.text.split('<input type="hidden" name="state" value="&lt;s&quot;&amp;&gt;">')).toHaveLength(4);
    expect(res.text).not.toContain('<s"&>');
    expect(res.text.split('<input type="hidden" name="code_challenge" value="abc">')).toHaveLength(4);
  });

  it('the consent page acts as the user chosen with setSignedInUser', async () => {
    emulator.seedUser({ id: 7, email: 'carol@acme-roofing.example', firstName: 'Carol', lastName: 'Chen', orgId: 1 });
    emulator.setSignedInUser(7);
    const res = await request(authorizeUrl(baseUrl));
    expect(res.text).toContain('Carol Chen (carol@acme-roofing.example)');
  });

  it('Allow → 302 to redirect_uri with a fresh code and the state', async () => {
    const res = await postDecision(baseUrl, 'allow', { state: 'st@te 1' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe('st@te 1');
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('error')).toBeNull();

    const second = new URL((await postDecision(baseUrl, 'allow')).headers.get('location')!);
    expect(second.searchParams.get('code')).not.toBe(location.searchParams.get('code'));
  });

  it('Allow without state → no state parameter in the redirect', async () => {
    const res = await postDecision(baseUrl, 'allow', { state: undefined });
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.has('state')).toBe(false);
    expect(location.searchParams.has('code')).toBe(true);
  });

  it('Allow to the second registered redirect URI keeps that URI', async () => {
    const second = DEFAULT_EMULATOR_CLIENT.redirectUris[1];
    const res = await postDecision(baseUrl, 'allow', { redirect_uri: second });
    expect(res.headers.get('location')!.startsWith(`${second}?code=`)).toBe(true);
  });

  it('Deny → 302 with error=access_denied, a description and the state, no code', async () => {
    const res = await postDecision(baseUrl, 'deny', { state: 'abc' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('error_description')).toBe('The resource owner or authorization server denied the request.');
    expect(location.searchParams.get('state')).toBe('abc');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('POST without a valid decision → 400 page, no redirect', async () => {
    const res = await postDecision(baseUrl, 'maybe' as 'allow');
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  describe('org without integrations', () => {
    const message = 'Third-party integrations are not available on your plan. Upgrade or contact us to enable integrations.';

    beforeEach(() => emulator.setSignedInUser(2)); // Bob, org 2 "Budget Gutters"

    it("'block' (default): message, no Allow button, no redirect on GET or POST", async () => {
      const page = await request(authorizeUrl(baseUrl));
      expect(page.status).toBe(403);
      expect(page.headers.get('location')).toBeNull();
      expect(page.text).toContain(message);
      expect(page.text).toContain('Budget Gutters');
      expect(page.text).not.toContain('value="allow"');

      const post = await postDecision(baseUrl, 'allow');
      expect(post.status).toBe(403);
      expect(post.headers.get('location')).toBeNull();
      expect(post.text).toContain(message);
    });

    it('becomes allowed as soon as the org gets integrations', async () => {
      emulator.setOrgIntegrations(2, true);
      const page = await request(authorizeUrl(baseUrl));
      expect(page.status).toBe(200);
      expect(page.text).toContain('value="allow"');
    });

    it("'allow': consent proceeds and the token belongs to org 2", async () => {
      emulator.setFaults({ consentWithoutIntegrations: 'allow' });
      const page = await request(authorizeUrl(baseUrl));
      expect(page.status).toBe(200);
      expect(page.text).not.toContain(message);
      const token = await exchangeCode(baseUrl, await obtainCode(baseUrl));
      expect(token.status).toBe(200);
      expect(token.json.owner_id).toBe(2);
    });
  });

  it('the org is checked again when Allow is posted (integrations removed after the page was shown)', async () => {
    const page = await request(authorizeUrl(baseUrl));
    expect(page.status).toBe(200);
    emulator.setOrgIntegrations(1, false);
    const post = await postDecision(baseUrl, 'allow');
    expect(post.status).toBe(403);
    expect(post.headers.get('location')).toBeNull();
  });

  it('rejects an unknown code_challenge_method with a redirect carrying invalid_request', async () => {
    const res = await request(authorizeUrl(baseUrl, { code_challenge: 'abc', code_challenge_method: 'S512' }));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe('state-123');
  });

  describe('looks like a consent page and says it is the emulator', () => {
    /** The page loads nothing from elsewhere: no scripts, stylesheets, images or absolute URLs (but the echoed redirect_uri). */
    const expectSelfContained = (html: string) => {
      expect(html).toContain('<style>');
      expect(html.replace(/ value="[^"]*"/g, '')).not.toMatch(/<script|<link|<img|src=|url\(|https?:\/\//i);
    };

    it('consent page: banner, client name, user, org, plan, what access is granted, Allow then Deny', async () => {
      const res = await request(authorizeUrl(baseUrl));
      expect(res.text).toContain(`<div class="banner" id="emulator-banner" role="note">${BANNER}</div>`);
      expect(res.text).toContain('<title>Hover (emulator) · Authorize application</title>');
      expect(res.text).toContain('<p class="client-name" id="client-name">Hover Emulator Demo App</p>');
      expect(res.text).toContain("Plan Pro · integrations available · the emulator's default signed-in user");
      expect(res.text).toContain("This application will be able to access, for Acme Roofing:");
      expect(res.text).toContain("<li>your organization's jobs, 3D models and measurements</li>");
      expect(res.text.indexOf('id="allow-form"')).toBeLessThan(res.text.indexOf('id="deny-form"'));
      expectSelfContained(res.text);
    });

    it('the integrations-unavailable page has the banner and the same layout', async () => {
      emulator.setSignedInUser(2);
      const res = await request(authorizeUrl(baseUrl));
      expect(res.status).toBe(403);
      expect(res.text).toContain(`id="emulator-banner" role="note">${BANNER}</div>`);
      expect(res.text).toContain('<main class="card">');
      expect(res.text).toContain('Plan Basic · no integrations');
      expectSelfContained(res.text);
    });

    it('the error page has the banner and the same layout', async () => {
      const res = await request(authorizeUrl(baseUrl, { client_id: 'nope' }));
      expect(res.status).toBe(401);
      expect(res.text).toContain(`id="emulator-banner" role="note">${BANNER}</div>`);
      expect(res.text).toContain('<main class="card">');
      expect(res.text).toContain('<h1>An error has occurred</h1>');
      expectSelfContained(res.text);
    });

    it('never puts the client secret in a page', async () => {
      const pages = [await request(authorizeUrl(baseUrl)), await request(authorizeUrl(baseUrl, { client_id: 'nope' }))];
      for (const page of pages) expect(page.text).not.toContain(DEFAULT_EMULATOR_CLIENT.clientSecret);
    });
  });

  describe('per-browser sign-in ("Not you?" form, cookie hover_emulator_user)', () => {
    const cookieFor = (userId: string) => ({ cookie: `hover_emulator_user=${userId}` });
    /** Submits the "Not you?" form like a browser: user_id plus the carried request parameters. */
    const switchTo = (userId: string, extra: Record<string, string> = {}) =>
      request(`${baseUrl}/__emulator/sign-in`, {
        method: 'POST',
        body: new URLSearchParams({
          response_type: 'code',
          client_id: DEFAULT_EMULATOR_CLIENT.clientId,
          redirect_uri: REDIRECT_URI,
          state: 'state-123',
          user_id: userId,
          ...extra,
        }),
      });
    /** Allow as the browser holding `headers`, then the org id the code's token reads from the profile. */
    const orgOfAllow = async (headers: Record<string, string>): Promise<number> => {
      const allow = await postDecisionWith(headers);
      expect(allow.status).toBe(302);
      const code = new URL(allow.headers.get('location')!).searchParams.get('code')!;
      const token = await exchangeCode(baseUrl, code);
      expect(token.status).toBe(200);
      const profile = await apiGet(baseUrl, '/api/v2/users/profile', token.json.access_token);
      expect(profile.json.orgs).toHaveLength(1);
      expect(token.json.owner_id).toBe(profile.json.orgs[0].id);
      return profile.json.orgs[0].id;
    };
    const postDecisionWith = (headers: Record<string, string>): Promise<HttpResult> =>
      request(`${baseUrl}/oauth/authorize`, {
        method: 'POST',
        headers,
        body: new URLSearchParams({
          response_type: 'code',
          client_id: DEFAULT_EMULATOR_CLIENT.clientId,
          redirect_uri: REDIRECT_URI,
          state: 'state-123',
          decision: 'allow',
        }),
      });

    it('the consent page offers every seeded user with org and integrations, the current one selected', async () => {
      const page = await request(authorizeUrl(baseUrl));
      expect(page.text).toContain('<form method="post" action="/__emulator/sign-in" id="switch-user-form" class="switch">');
      expect(page.text).toContain('<label for="switch-user">Not you? Sign in to Hover as:</label>');
      const options = [...page.text.matchAll(/<option value="(\d+)"( selected)?>([^<]*)<\/option>/g)].map((m) => [m[1], Boolean(m[2]), m[3]]);
      expect(options).toEqual([
        ['1', true, 'Alice Anders — Acme Roofing (integrations)'],
        ['2', false, 'Bob Baker — Budget Gutters (no integrations)'],
        ['3', false, 'Carol Chen — Coastal Claims (integrations)'],
      ]);
      expect(page.text).toContain('<button type="submit" id="switch-user-button">Switch</button>');
    });

    it('Switch sets an HttpOnly, SameSite=Lax cookie and goes back to the same authorization request', async () => {
      const res = await switchTo('3', { code_challenge: 'abc', code_challenge_method: 'S256', decision: 'allow', extra: 'dropped' });
      expect(res.status).toBe(303);
      expect(res.headers.get('set-cookie')).toBe('hover_emulator_user=3; Path=/; HttpOnly; SameSite=Lax');
      const location = res.headers.get('location')!;
      expect(location.startsWith('/oauth/authorize?')).toBe(true);
      expect(Object.fromEntries(new URL(location, baseUrl).searchParams)).toEqual({
        response_type: 'code',
        client_id: DEFAULT_EMULATOR_CLIENT.clientId,
        redirect_uri: REDIRECT_URI,
        state: 'state-123',
        code_challenge: 'abc',
        code_challenge_method: 'S256',
      });

      const page = await request(new URL(location, baseUrl).toString(), { headers: cookieFor('3') });
      expect(page.status).toBe(200);
      expect(page.text).toContain('Signed in as Carol Chen (carol@coastal-claims.example)');
      expect(page.text).toContain('<strong id="org-name">Coastal Claims</strong>');
      expect(page.text).toContain('chosen in this browser');
      expect(page.text).toContain('<option value="3" selected>');
      expect(page.text.split('<input type="hidden" name="code_challenge" value="abc">')).toHaveLength(4);
    });

    it("two browsers side by side: each code belongs to its browser's user and org", async () => {
      const carol = await switchTo('3');
      const carolCookie = { cookie: carol.headers.get('set-cookie')!.split(';')[0] };
      expect(await orgOfAllow(carolCookie)).toBe(3);
      expect(await orgOfAllow({})).toBe(1); // the other browser still acts as the global user, Alice
      expect(await orgOfAllow(carolCookie)).toBe(3);
    });

    it('the cookie wins over setSignedInUser for its browser only', async () => {
      emulator.setSignedInUser(2);
      emulator.setFaults({ consentWithoutIntegrations: 'allow' });
      expect(await orgOfAllow(cookieFor('3'))).toBe(3);
      expect(await orgOfAllow({})).toBe(2);
    });

    it.each([['abc'], ['999'], ['1e3'], ['-3'], ['3.0'], [''], ['%E0%A4%A'], ['9'.repeat(400)]])(
      'a cookie naming no seeded user (%j) is ignored: page and code as the global user',
      async (value) => {
        const page = await request(authorizeUrl(baseUrl), { headers: cookieFor(value) });
        expect(page.status).toBe(200);
        expect(page.text).toContain('Signed in as Alice Anders');
        expect(page.text).toContain("the emulator's default signed-in user");
        expect(await orgOfAllow(cookieFor(value))).toBe(1);
      },
    );

    it('an unknown or missing user_id → 400 page with the banner, no cookie, no redirect', async () => {
      for (const userId of ['42', 'abc', '']) {
        const res = await switchTo(userId);
        expect(res.status).toBe(400);
        expect(res.headers.get('set-cookie')).toBeNull();
        expect(res.headers.get('location')).toBeNull();
        expect(res.text).toContain('data-error="invalid_request"');
        expect(res.text).toContain(BANNER);
      }
    });

    it("the integrations gate applies to the browser user's org, and that page offers the switch too", async () => {
      const blocked = await request(authorizeUrl(baseUrl), { headers: cookieFor('2') });
      expect(blocked.status).toBe(403);
      expect(blocked.text).toContain('<strong id="org-name">Budget Gutters</strong>');
      expect(blocked.text).toContain('id="integrations-unavailable"');
      expect(blocked.text).toContain('id="switch-user-form"');
      expect(blocked.text).not.toContain('value="allow"');
      const post = await postDecisionWith(cookieFor('2'));
      expect(post.status).toBe(403);
      expect(post.headers.get('location')).toBeNull();

      emulator.setFaults({ consentWithoutIntegrations: 'allow' });
      expect(await orgOfAllow(cookieFor('2'))).toBe(2);
    });
  });
});
