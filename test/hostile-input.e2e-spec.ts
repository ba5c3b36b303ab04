/**
 * Hostile input, one case per kind (RFC 9700's threats, oauth4webapi-style strictness), against the
 * sample app over real HTTP, the emulator and a real SQLite file. Flows are started by browsers signed
 * in to the sample as SAMPLE_USER (connection SAMPLE_CONNECTION_ID). Every case asserts the status, the
 * stable error code, how many requests reached Hover's token endpoint, and that the stored connection
 * is unchanged.
 */
import { AuthorizationStateStore } from '../libs/hover-auth/src/oauth/authorization-state.store';
import { HoverApiException, HoverHttpService } from '@hover-auth/nestjs';
import { HoverConnectionRepository, HoverTokenManager } from '../libs/hover-auth/src/testing/internals';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { DataSource } from 'typeorm';
import { CapturingLogger } from './support/capturing-logger';
import {
  cookiesOf,
  E2E_CLIENT,
  get,
  runConsent,
  SAMPLE_CONNECTION_ID,
  startSampleUnderTest,
  type RawResponse,
  type SampleUnderTest,
} from './support/sample-harness';
import { createSqliteDatabase, type TestDatabase } from './support/test-databases';
import { E2E_ENCRYPTION_KEYS } from './support/test-keys';

const ISSUER = 'https://hover.to';

describe('hostile input', () => {
  let database: TestDatabase;
  let target: SampleUnderTest;
  /** The Cookie header of a session signed in as the sample user, for the API calls and the home page. */
  let session: string;
  const logger = new CapturingLogger();
  const secrets = new Set<string>([E2E_CLIENT.clientSecret, ...E2E_ENCRYPTION_KEYS.map((entry) => entry.key)]);

  beforeAll(async () => {
    database = createSqliteDatabase();
    target = await startSampleUnderTest(database, { HOVER_ISSUER: ISSUER }, logger);
    target.sample.app.useLogger(logger);
    session = await target.signIn();
    const run = await runConsent(target, 'allow', { cookie: session });
    expect(run.callback?.location).toBe('/?connected=1');
    await rememberSecrets();
  });

  afterAll(async () => {
    await target?.close();
    await database?.drop();
  });

  const dataSource = () => target.sample.app.get(DataSource);
  /** The stored connection exactly as in the database (ciphertext included). */
  const rawConnection = async () => (await dataSource().query('SELECT * FROM hover_connections ORDER BY connection_id')) as Array<Record<string, unknown>>;
  /** The sample user's row of {@link rawConnection}. */
  const ownRow = async () => (await rawConnection()).find((row) => row.connection_id === SAMPLE_CONNECTION_ID) as Record<string, any>;

  async function rememberSecrets(): Promise<void> {
    const connection = await target.sample.app.get(HoverConnectionRepository).findById(SAMPLE_CONNECTION_ID);
    if (connection) {
      secrets.add(connection.accessToken);
      if (connection.refreshToken) secrets.add(connection.refreshToken);
    }
  }

  /**
   * Starts a flow in a fresh browser signed in to the sample: the state, the browser's Cookie header
   * (its session and the flow cookie), the session and the flow cookie alone.
   */
  async function startFlow(query = ''): Promise<{ state: string; cookie: string; session: string; flowCookie: string; authorize: RawResponse }> {
    const browserSession = await target.signIn();
    const authorize = await get(`${target.url}/hover/authorize${query}`, { headers: { cookie: browserSession } });
    expect(authorize.status).toBe(302);
    const flowCookie = cookiesOf(authorize);
    return {
      state: new URL(authorize.location as string).searchParams.get('state') as string,
      cookie: `${browserSession}; ${flowCookie}`,
      session: browserSession,
      flowCookie,
      authorize,
    };
  }

  const callback = (query: string, cookie?: string) => get(`${target.url}/hover/callback?${query}`, cookie ? { headers: { cookie } } : {});

  /** Runs `act`, then checks its refusal and that nothing reached Hover or the stored connection. */
  async function expectRefused(act: () => Promise<RawResponse>, status: number, code: string): Promise<RawResponse> {
    const before = await rawConnection();
    const tokenRequests = target.emulator.tokenRequestCount();
    const answer = await act();
    expect({ status: answer.status, code: JSON.parse(answer.text).code }).toEqual({ status, code });
    expect(target.emulator.tokenRequestCount()).toBe(tokenRequests);
    expect(await rawConnection()).toEqual(before);
    return answer;
  }

  describe('callback parameters', () => {
    it('state missing → 400 HOVER_INVALID_STATE', async () => {
      await expectRefused(() => callback('code=abc'), 400, 'HOVER_INVALID_STATE');
    });

    it('state unknown (this browser has no flow for it) → 400 HOVER_STATE_BROWSER_MISMATCH', async () => {
      const { cookie } = await startFlow();
      await expectRefused(() => callback(`code=abc&state=${randomBytes(32).toString('base64url')}`, cookie), 400, 'HOVER_STATE_BROWSER_MISMATCH');
    });

    it("a flow cookie altered, or another flow's cookie renamed to this state → 400 HOVER_INVALID_STATE", async () => {
      const mine = await startFlow();
      const other = await startFlow();
      const [name, value] = mine.flowCookie.split('=');
      const flipped = `${mine.session}; ${name}=${value.slice(0, -3)}${value.endsWith('AAA') ? 'BBB' : 'AAA'}`;
      await expectRefused(() => callback(`code=abc&state=${mine.state}`, flipped), 400, 'HOVER_INVALID_STATE');
      const transplanted = `${mine.session}; ${name}=${other.flowCookie.split('=')[1]}`;
      await expectRefused(() => callback(`code=abc&state=${mine.state}`, transplanted), 400, 'HOVER_INVALID_STATE');
      // The untouched flow still completes.
      expect((await callback(`error=access_denied&state=${mine.state}`, mine.cookie)).location).toBe('/?hover_error=access_denied');
    });

    it('state expired (older than 10 minutes, even with its cookie replayed) → 400 HOVER_INVALID_STATE', async () => {
      const { state, cookie } = await startFlow();
      // The sample runs in this process: the callback sees a clock 601 s later than the start.
      const realNow = Date.now.bind(Date);
      const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 601_000);
      try {
        await expectRefused(() => callback(`code=abc&state=${state}`, cookie), 400, 'HOVER_INVALID_STATE');
      } finally {
        clock.mockRestore();
      }
    });

    it('state already used → 400 HOVER_INVALID_STATE', async () => {
      const { state, cookie } = await startFlow();
      expect((await callback(`error=access_denied&state=${state}`, cookie)).location).toBe('/?hover_error=access_denied');
      await expectRefused(() => callback(`code=abc&state=${state}`, cookie), 400, 'HOVER_INVALID_STATE');
    });

    it('state from another browser (login CSRF) → 400 HOVER_STATE_BROWSER_MISMATCH', async () => {
      const attacker = await startFlow();
      const victim = await startFlow();
      await expectRefused(() => callback(`code=abc&state=${attacker.state}`, victim.cookie), 400, 'HOVER_STATE_BROWSER_MISMATCH');
      const noCookie = await startFlow();
      await expectRefused(() => callback(`code=abc&state=${noCookie.state}`), 400, 'HOVER_STATE_BROWSER_MISMATCH');
      // Signed in as the same sample user, but without the flow's cookie: the session does not stand in for it.
      await expectRefused(() => callback(`code=abc&state=${noCookie.state}`, noCookie.session), 400, 'HOVER_STATE_BROWSER_MISMATCH');
    });

    it("a callback replayed from another browser does not spend the real user's flow", async () => {
      const victim = await startFlow();
      const intruder = await startFlow();
      await expectRefused(() => callback(`error=access_denied&state=${victim.state}`, intruder.cookie), 400, 'HOVER_STATE_BROWSER_MISMATCH');
      await expectRefused(() => callback(`error=access_denied&state=${victim.state}`), 400, 'HOVER_STATE_BROWSER_MISMATCH');
      // The real browser can still finish its flow.
      expect((await callback(`error=access_denied&state=${victim.state}`, victim.cookie)).location).toBe('/?hover_error=access_denied');
    });

    it('state repeated → 400 HOVER_INVALID_STATE, and the pending request is not consumed', async () => {
      const { state, cookie } = await startFlow();
      await expectRefused(() => callback(`code=abc&state=${state}&state=${state}`, cookie), 400, 'HOVER_INVALID_STATE');
      expect((await callback(`error=access_denied&state=${state}`, cookie)).location).toBe('/?hover_error=access_denied');
    });

    it.each(['state[a]=b', 'state[]=x', 'state[0]=x&state[1]=y'])('state not a plain string (%s) → 400 HOVER_INVALID_STATE', async (query) => {
      await expectRefused(() => callback(`code=abc&${query}`), 400, 'HOVER_INVALID_STATE');
    });

    it('oversized parameters are refused before any database or network work', async () => {
      const { state, cookie } = await startFlow();
      const consume = jest.spyOn(target.sample.app.get(AuthorizationStateStore), 'markUsed');
      try {
        await expectRefused(() => callback(`code=abc&state=${'s'.repeat(10_000)}`, cookie), 400, 'HOVER_INVALID_STATE');
        await expectRefused(() => callback(`code=${'c'.repeat(5000)}&state=${state}`, cookie), 400, 'HOVER_INVALID_CALLBACK');
        await expectRefused(() => callback(`code=abc&iss=${'i'.repeat(1000)}&state=${state}`, cookie), 400, 'HOVER_INVALID_CALLBACK');
        expect(consume).not.toHaveBeenCalled();
      } finally {
        consume.mockRestore();
      }
    });

    it('code missing or with control characters → 400 HOVER_INVALID_CALLBACK', async () => {
      const { state, cookie } = await startFlow();
      await expectRefused(() => callback(`state=${state}`, cookie), 400, 'HOVER_INVALID_CALLBACK');
      await expectRefused(() => callback(`code=a%0d%0ab&state=${state}`, cookie), 400, 'HOVER_INVALID_CALLBACK');
    });

    it('iss of another authorization server (RFC 9207 mix-up) → 400 HOVER_ISSUER_MISMATCH', async () => {
      const { state, cookie } = await startFlow();
      await expectRefused(() => callback(`code=abc&iss=${encodeURIComponent('https://evil.example')}&state=${state}`, cookie), 400, 'HOVER_ISSUER_MISMATCH');
    });

    it('error=access_denied with a forged state is treated as forged → 400 HOVER_STATE_BROWSER_MISMATCH', async () => {
      await expectRefused(() => callback(`error=access_denied&state=${randomBytes(32).toString('base64url')}`), 400, 'HOVER_STATE_BROWSER_MISMATCH');
    });

    it('a flood of the authorize route from one signed-in session stores nothing: 300 starts, 0 rows', async () => {
      const before = Number((await dataSource().query('SELECT COUNT(*) AS n FROM hover_authorization_states'))[0].n);
      const answers = await Promise.all(Array.from({ length: 300 }, () => get(`${target.url}/hover/authorize`, { headers: { cookie: session } })));
      expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([302]));
      expect(Number((await dataSource().query('SELECT COUNT(*) AS n FROM hover_authorization_states'))[0].n)).toBe(before);
    });
  });

  describe('callback outcomes', () => {
    it('error=access_denied with a valid state → the "cancelled" outcome, no token request', async () => {
      const { state, cookie } = await startFlow();
      const before = await rawConnection();
      const tokenRequests = target.emulator.tokenRequestCount();
      const answer = await callback(`error=access_denied&error_description=nope&state=${state}`, cookie);
      expect(answer.status).toBe(302);
      expect(answer.location).toBe('/?hover_error=access_denied');
      expect(target.emulator.tokenRequestCount()).toBe(tokenRequests);
      expect(await rawConnection()).toEqual(before);
    });

    it('other error values pass only as RFC 6749 codes; query text is never shown to the user', async () => {
      let flow = await startFlow();
      expect((await callback(`error=server_error&state=${flow.state}`, flow.cookie)).location).toBe('/?hover_error=server_error');
      flow = await startFlow();
      const script = encodeURIComponent('<script>alert(1)</script>');
      expect((await callback(`error=${script}&state=${flow.state}`, flow.cookie)).location).toBe('/?hover_error=authorization_failed');
      const home = await get(`${target.url}/?hover_error=${script}`, { headers: { cookie: session } });
      // An unknown reason is not echoed at all (neither raw nor escaped).
      expect(home.text).toContain('<p class="error" id="hover-error">Connecting to Hover failed. Please try again.</p>');
      expect(home.text).not.toContain('alert(1)');
    });

    it('two concurrent callbacks with the same state → exactly one token request', async () => {
      const run = await runConsent(target, 'deny', { cookie: session }); // warms nothing; just proves the consent page is up
      expect(run.callback?.location).toBe('/?hover_error=access_denied');
      const { state, cookie, authorize } = await startFlow();
      const consent = new URL(authorize.location as string);
      const allow = await fetch(new URL('/oauth/authorize', consent), {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...Object.fromEntries(consent.searchParams), decision: 'allow' }),
      });
      const callbackUrl = allow.headers.get('location') as string;
      expect(new URL(callbackUrl).searchParams.get('state')).toBe(state);
      const codeRequests = target.emulator.tokenRequestCount('authorization_code');
      const answers = await Promise.all([get(callbackUrl, { headers: { cookie } }), get(callbackUrl, { headers: { cookie } })]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([302, 400]);
      expect(target.emulator.tokenRequestCount('authorization_code')).toBe(codeRequests + 1);
      await rememberSecrets();
    });

    it('return target: only a same-origin path chosen at the start; never from the callback query', async () => {
      for (const [returnTo, expected] of [
        ['/jobs?page=2', '/jobs?page=2'],
        ['https://evil.example/', '/?connected=1'],
        ['//evil.example/x', '/?connected=1'],
        ['/\\evil.example', '/?connected=1'],
      ]) {
        const run = await runConsent(target, 'allow', { authorizePath: `/hover/authorize?returnTo=${encodeURIComponent(returnTo)}`, cookie: session });
        expect(run.callback?.location).toBe(expected);
        await rememberSecrets();
      }
      const run = await runConsent(target, 'allow', { cookie: session });
      expect(run.callback?.location).toBe('/?connected=1');
      await rememberSecrets();
    });

    it('success answers carry Cache-Control: no-store and Referrer-Policy: no-referrer and delete the flow cookie; the flow cookie is HttpOnly and SameSite=Lax', async () => {
      const run = await runConsent(target, 'allow', { cookie: session });
      await rememberSecrets();
      expect(run.callback?.headers.get('cache-control')).toBe('no-store');
      expect(run.callback?.headers.get('referrer-policy')).toBe('no-referrer');
      // run.cookie is the session, then the flow cookie.
      const cookieName = (run.cookie.split('; ').find((pair) => pair.startsWith('hover_oauth_')) as string).split('=')[0];
      expect(run.callback?.headers.getSetCookie()).toEqual([`${cookieName}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax`]);
      const { authorize } = await startFlow();
      expect(authorize.headers.getSetCookie()).toEqual([
        expect.stringMatching(/^hover_oauth_[A-Za-z0-9_-]{16}=f1\.e2e\.[A-Za-z0-9_.-]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/),
      ]);
    });

    it('a browser that clicks Connect again and again keeps at most 5 flow cookies (no HTTP 431); the newest flows complete', async () => {
      // The flow cookies this browser holds; it also sends its session cookie.
      const jar = new Map<string, string>();
      const states: string[] = [];
      for (let click = 0; click < 12; click++) {
        const cookie = [session, ...[...jar].map(([name, value]) => `${name}=${value}`)].join('; ');
        const authorize = await get(`${target.url}/hover/authorize`, { headers: { cookie } });
        expect(authorize.status).toBe(302);
        states.push(new URL(authorize.location as string).searchParams.get('state') as string);
        for (const line of authorize.headers.getSetCookie()) {
          const [pair] = line.split(';');
          const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
          if (/Max-Age=0/.test(line)) jar.delete(name);
          else jar.set(name, value);
        }
        expect(jar.size).toBeLessThanOrEqual(5);
      }
      const browser = [session, ...[...jar].map(([name, value]) => `${name}=${value}`)].join('; ');
      // The oldest flows were dropped; the newest five still complete.
      await expectRefused(() => callback(`error=access_denied&state=${states[0]}`, browser), 400, 'HOVER_STATE_BROWSER_MISMATCH');
      for (const state of states.slice(-5)) {
        expect((await callback(`error=access_denied&state=${state}`, browser)).location).toBe('/?hover_error=access_denied');
      }
    });

    it('two flows started in two tabs of one browser both complete (one flow cookie each)', async () => {
      const tab1 = await startFlow();
      const tab2 = await get(`${target.url}/hover/authorize`, { headers: { cookie: tab1.cookie } });
      expect(cookiesOf(tab2)).toMatch(/^hover_oauth_/);
      expect(cookiesOf(tab2)).not.toBe(tab1.flowCookie);
      const browser = `${tab1.cookie}; ${cookiesOf(tab2)}`;
      const state2 = new URL(tab2.location as string).searchParams.get('state');
      expect((await callback(`error=access_denied&state=${tab1.state}`, browser)).location).toBe('/?hover_error=access_denied');
      expect((await callback(`error=access_denied&state=${state2}`, browser)).location).toBe('/?hover_error=access_denied');
    });

    it('an iss equal to the configured issuer is accepted', async () => {
      const { state, cookie } = await startFlow();
      const answer = await callback(`error=access_denied&iss=${encodeURIComponent(ISSUER)}&state=${state}`, cookie);
      expect(answer.location).toBe('/?hover_error=access_denied');
    });
  });

  describe('token endpoint answers', () => {
    const jobs = async () => {
      const answer = await get(`${target.url}/jobs`, { headers: { accept: 'application/json', cookie: session } });
      return { status: answer.status, code: JSON.parse(answer.text).code as string | undefined };
    };

    /** Expires the access token at Hover, makes the token endpoint answer `response`, calls /jobs once. */
    async function refreshAnswered(response: { status: number; contentType: string; body: string }) {
      // Each case starts without the previous case's per-connection back-off (a reconnect does the same).
      target.sample.app.get(HoverTokenManager).forget(SAMPLE_CONNECTION_ID);
      const before = await rawConnection();
      const tokenRequests = target.emulator.tokenRequestCount('refresh_token');
      target.emulator.expireAccessTokens();
      target.emulator.setFaults({ tokenEndpointResponse: response });
      try {
        const outcome = await jobs();
        expect(target.emulator.tokenRequestCount('refresh_token')).toBe(tokenRequests + 1);
        expect(await rawConnection()).toEqual(before);
        return outcome;
      } finally {
        target.emulator.setFaults({ tokenEndpointResponse: null });
      }
    }

    const json = (body: unknown) => ({ status: 200, contentType: 'application/json', body: typeof body === 'string' ? body : JSON.stringify(body) });
    const valid = { access_token: 'x'.repeat(40), token_type: 'Bearer', expires_in: 7200, refresh_token: 'r'.repeat(43), scope: 'all' };

    it.each<[string, number, string, { status: number; contentType: string; body: string }]>([
      ['JSON null', 502, 'HOVER_INVALID_TOKEN_RESPONSE', json('null')],
      ['a JSON array', 502, 'HOVER_INVALID_TOKEN_RESPONSE', json([valid])],
      ['a numeric access_token', 502, 'HOVER_INVALID_TOKEN_RESPONSE', json({ ...valid, access_token: 42 })],
      ['a 200 carrying error', 502, 'HOVER_INVALID_TOKEN_RESPONSE', json({ ...valid, error: 'invalid_request' })],
      ['invalid_client', 502, 'HOVER_INVALID_CLIENT', { status: 401, contentType: 'application/json', body: '{"error":"invalid_client"}' }],
    ])('%s → %i %s, grant kept', async (_name, status, code, response) => {
      expect(await refreshAnswered(response)).toEqual({ status, code });
      expect((await ownRow()).status).toBe('active');
    });

    // Under rotation Hover has spent the old refresh token when it answers: an answer with a usable
    // access token is stored even when another field is odd (a warning is logged).
    it.each<[string, Record<string, unknown>, 'new' | 'kept']>([
      ['token_type mac', { token_type: 'mac' }, 'new'],
      ['a negative expires_in', { expires_in: -5 }, 'new'],
      ['an empty refresh_token', { refresh_token: '' }, 'kept'],
    ])('%s → the answer is stored, not refused (a warning is logged)', async (_name, fields, refreshToken) => {
      target.sample.app.get(HoverTokenManager).forget(SAMPLE_CONNECTION_ID);
      const before = await target.sample.app.get(HoverConnectionRepository).findById(SAMPLE_CONNECTION_ID);
      target.emulator.expireAccessTokens();
      target.emulator.setFaults({ tokenEndpointResponse: json({ ...valid, ...fields }) });
      try {
        // The made-up access token is stored and sent: Hover's API refuses it, twice (no second refresh): a
        // fresh token refused is HOVER_API_TOKEN_REJECTED.
        expect(await jobs()).toEqual({ status: 502, code: 'HOVER_API_TOKEN_REJECTED' });
      } finally {
        target.emulator.setFaults({ tokenEndpointResponse: null });
      }
      const after = await target.sample.app.get(HoverConnectionRepository).findById(SAMPLE_CONNECTION_ID);
      expect(after).toMatchObject({
        status: 'active',
        accessToken: valid.access_token,
        refreshToken: refreshToken === 'new' ? valid.refresh_token : before?.refreshToken,
        version: (before?.version ?? 0) + 1,
      });
      expect(logger.lines.some((line) => line.startsWith('warn') && line.includes("Hover's token response to the refresh_token grant"))).toBe(true);
      // Leave a working grant for the next cases.
      expect((await runConsent(target, 'allow', { cookie: session })).callback?.location).toBe('/?connected=1');
      await rememberSecrets();
    });

    it('invalid_client is logged loudly (error level), without secrets', async () => {
      expect(logger.lines.filter((line) => line.startsWith('error') && line.includes('invalid_client'))).toHaveLength(1);
    });

    it.each<[string, { status: number; contentType: string; body: string }]>([
      ['an HTML maintenance page', { status: 200, contentType: 'text/html', body: '<html><body>Down for maintenance</body></html>' }],
      ['truncated JSON', json('{"access_token":"abc",')],
      ['a 503', { status: 503, contentType: 'application/json', body: '{"error":"server_error"}' }],
    ])('%s → 503 HOVER_TOKEN_ENDPOINT_UNAVAILABLE (transient), grant kept, backed off', async (_name, response) => {
      expect(await refreshAnswered(response)).toEqual({ status: 503, code: 'HOVER_TOKEN_ENDPOINT_UNAVAILABLE' });
      const failedAt = Date.now();
      // Backed off (1 s): the next call fails fast without another token request. Checked against the
      // measured time, so a machine too slow to call within the second cannot fail it spuriously.
      const tokenRequests = target.emulator.tokenRequestCount('refresh_token');
      const next = await jobs();
      if (Date.now() - failedAt < 1000) {
        expect(next).toEqual({ status: 503, code: 'HOVER_TOKEN_ENDPOINT_UNAVAILABLE' });
        expect(target.emulator.tokenRequestCount('refresh_token')).toBe(tokenRequests);
      } else {
        expect(target.emulator.tokenRequestCount('refresh_token')).toBeLessThanOrEqual(tokenRequests + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await jobs()).toEqual({ status: 200, code: undefined });
      await rememberSecrets();
    });

    it('unknown fields and __proto__ are ignored without touching any prototype; the token is accepted', async () => {
      const tokenRequests = target.emulator.tokenRequestCount('refresh_token');
      target.emulator.expireAccessTokens();
      const polluted = `{"__proto__":{"hoverPolluted":true},"constructor":{"prototype":{"hoverPolluted":true}},${JSON.stringify(valid).slice(1)}`;
      target.emulator.setFaults({ tokenEndpointResponse: json(polluted) });
      const apiCalls = target.emulator.apiRequestCount('/api/v3/jobs');
      try {
        // Hover's API does not know this made-up access token: the one retry gets a 401 too, and the
        // call fails with a typed HoverApiException (Hover's 401 → the app's 502) instead of refreshing again.
        const outcome = await jobs();
        expect(outcome).toEqual({ status: 502, code: 'HOVER_API_TOKEN_REJECTED' });
        expect(target.emulator.apiRequestCount('/api/v3/jobs')).toBe(apiCalls + 2);
      } finally {
        target.emulator.setFaults({ tokenEndpointResponse: null });
      }
      expect(target.emulator.tokenRequestCount('refresh_token')).toBe(tokenRequests + 1);
      expect(({} as Record<string, unknown>).hoverPolluted).toBeUndefined();
      const stored = await target.sample.app.get(HoverConnectionRepository).findById(SAMPLE_CONNECTION_ID);
      expect(stored?.accessToken).toBe(valid.access_token);
      expect(stored?.refreshToken).toBe(valid.refresh_token);
      // Leave a working grant for the next cases.
      expect((await runConsent(target, 'allow', { cookie: session })).callback?.location).toBe('/?connected=1');
      await rememberSecrets();
    });
  });

  describe('tokens at rest', () => {
    const forget = () => target.sample.app.get(HoverTokenManager).forget(SAMPLE_CONNECTION_ID);

    async function tampered(change: (row: Record<string, any>) => Record<string, string>): Promise<void> {
      const row = await ownRow();
      const values = change(row);
      await dataSource().query('UPDATE hover_connections SET access_token = ?, refresh_token = ? WHERE connection_id = ?', [
        values.access_token,
        values.refresh_token,
        SAMPLE_CONNECTION_ID,
      ]);
      forget();
      try {
        await expectRefused(() => get(`${target.url}/jobs`, { headers: { accept: 'application/json', cookie: session } }), 500, 'HOVER_TOKEN_DECRYPTION_FAILED');
      } finally {
        await dataSource().query('UPDATE hover_connections SET access_token = ?, refresh_token = ? WHERE connection_id = ?', [row.access_token, row.refresh_token, SAMPLE_CONNECTION_ID]);
        forget();
      }
    }

    it('the database holds only ciphertext', async () => {
      const row = await ownRow();
      expect(row.access_token).toMatch(/^hvr1\.e2e\./);
      expect(row.refresh_token).toMatch(/^hvr1\.e2e\./);
      for (const secret of secrets) expect(JSON.stringify(row)).not.toContain(secret);
    });

    it('a ciphertext moved to the other column fails to decrypt (500, no token request, nothing changed)', async () => {
      await tampered((row) => ({ access_token: row.refresh_token, refresh_token: row.access_token }));
    });

    it('a ciphertext copied from another row fails to decrypt', async () => {
      const other = await target.sample.app.get(HoverConnectionRepository).saveAuthorizedConnection(
        'other-account',
        { accessToken: 'other-access', refreshToken: 'other-refresh', accessTokenIssuedAt: Date.now(), accessTokenExpiresAt: Date.now() + 3_600_000, scope: 'all', ownerId: '2', ownerType: 'orgs' },
        { hoverUserId: '2', hoverOrgId: '2', hoverOrgName: null, integrationsEnabled: true },
      );
      expect(other.connectionId).toBe('other-account');
      const donor = (await rawConnection()).find((row) => row.connection_id === 'other-account') as Record<string, string>;
      await tampered(() => ({ access_token: donor.access_token, refresh_token: donor.refresh_token }));
    });

    it('a flipped bit in the ciphertext fails to decrypt', async () => {
      await tampered((row) => {
        const parts = String(row.access_token).split('.');
        const bytes = Buffer.from(parts[3], 'base64url');
        bytes[0] ^= 1;
        parts[3] = bytes.toString('base64url');
        return { access_token: parts.join('.'), refresh_token: row.refresh_token };
      });
    });

    it('after the tampering cases, the untouched grant still works', async () => {
      const answer = await get(`${target.url}/jobs`, { headers: { accept: 'application/json', cookie: session } });
      expect(answer.status).toBe(200);
    });
  });

  describe('secrets', () => {
    it('an API error thrown by HoverHttpService carries no bearer token anywhere in it', async () => {
      const hover = target.sample.app.get(HoverHttpService);
      const error = await hover.forConnection(SAMPLE_CONNECTION_ID).getData('/v3/jobs/999999').catch((caught: unknown) => caught);
      // A typed HoverApiException: Hover's 404 stays a 404 for the app, with Hover's status and body.
      expect(error).toBeInstanceOf(HoverApiException);
      const apiError = error as HoverApiException;
      expect([apiError.code, apiError.getStatus(), apiError.hoverStatus, apiError.method, apiError.path]).toEqual(['HOVER_API_ERROR', 404, 404, 'GET', '/v3/jobs/999999']);
      expect(apiError.getResponse()).toEqual({
        statusCode: 404,
        code: 'HOVER_API_ERROR',
        message: "Hover's API answered HTTP 404 to GET /v3/jobs/999999.",
        hoverStatus: 404,
        method: 'GET',
        path: '/v3/jobs/999999',
      });
      const rendered = inspect(error, { depth: 10, showHidden: false });
      const stored = await target.sample.app.get(HoverConnectionRepository).findById(SAMPLE_CONNECTION_ID);
      expect(stored?.accessToken.length).toBeGreaterThan(10);
      expect(rendered).not.toContain(stored?.accessToken);
      // The scrubbed axios error is kept as the cause, its Authorization header redacted.
      expect((apiError.cause as { config: { headers: { Authorization: string } } }).config.headers.Authorization).toBe('Bearer [REDACTED]');
    });

    it('no token, authorization code, client secret or encryption key in any log line of this suite', () => {
      expect(secrets.size).toBeGreaterThanOrEqual(10);
      expect(logger.lines.length).toBeGreaterThan(5);
      const leaked = [...secrets].filter((secret) => logger.text.includes(secret));
      expect(leaked).toEqual([]);
    });
  });
});
