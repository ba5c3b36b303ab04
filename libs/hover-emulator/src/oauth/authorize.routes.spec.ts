import { HoverEmulator } from '../hover-emulator';
import { DEFAULT_EMULATOR_CLIENT } from '../hover-emulator.constants';
import { authorizeUrl, exchangeCode, obtainCode, postDecision, REDIRECT_URI, request } from '../testing/emulator-spec.helpers';

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
    // Echoed values are escaped, and carried in both forms.
    expect(res.text.split('<input type="hidden" name="state" value="&lt;s&quot;&amp;&gt;">')).toHaveLength(3);
    expect(res.text).not.toContain('<s"&>');
    expect(res.text.split('<input type="hidden" name="code_challenge" value="abc">')).toHaveLength(3);
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
});
