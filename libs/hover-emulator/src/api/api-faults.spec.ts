import { DEFAULT_EMULATOR_CLIENT, DEFAULT_FAULTS } from '../hover-emulator.constants';
import { HoverEmulator } from '../hover-emulator';
import { apiGet, HttpResult, obtainCode, obtainTokens, postToken, refresh } from '../testing/emulator-spec.helpers';

const PROFILE = '/api/v2/users/profile';
const JOBS = '/api/v3/jobs';
const FORBIDDEN = {
  error: 'forbidden',
  message: 'Third-party integrations are not available on your plan. Upgrade or contact us to enable integrations.',
};
const OTHER_CLIENT = { clientId: 'other-integration', clientSecret: 'other-secret', redirectUris: ['http://127.0.0.1:3999/cb'] };

/** Header names that would announce a rate limit, which Hover does not document. */
function rateLimitHeaders(res: HttpResult): string[] {
  return [...res.headers.keys()].filter((name) => /retry-after|ratelimit|rate-limit/i.test(name));
}

/** `n` sequential GETs; returns their statuses in order. */
async function statuses(baseUrl: string, n: number, path: string, token?: string): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < n; i++) result.push((await apiGet(baseUrl, path, token)).status);
  return result;
}

/** Runs `fn` with `Date.now()` shifted by `offsetMs` milliseconds. */
async function shiftedBy<T>(offsetMs: number, fn: () => Promise<T>): Promise<T> {
  const realNow = Date.now.bind(Date);
  const spy = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offsetMs);
  try {
    return await fn();
  } finally {
    spy.mockRestore();
  }
}

describe('/api fault switches, rate limit, integrations switch and request log', () => {
  const emulator = new HoverEmulator();
  let baseUrl: string;
  let accessToken: string;
  let refreshToken: string;

  beforeAll(async () => {
    baseUrl = await emulator.start();
  });
  beforeEach(async () => {
    ({ access_token: accessToken, refresh_token: refreshToken } = await obtainTokens(baseUrl));
    emulator.resetCounters();
  });
  afterEach(() => emulator.reset());
  afterAll(() => emulator.stop());

  /** Tokens for OTHER_CLIENT (same user and org as the default client's). */
  async function otherClientToken(): Promise<string> {
    emulator.registerClient(OTHER_CLIENT);
    const code = await obtainCode(baseUrl, { client_id: OTHER_CLIENT.clientId, redirect_uri: OTHER_CLIENT.redirectUris[0] });
    const res = await postToken(baseUrl, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: OTHER_CLIENT.redirectUris[0],
      client_id: OTHER_CLIENT.clientId,
      client_secret: OTHER_CLIENT.clientSecret,
    });
    expect(res.status).toBe(200);
    return res.json.access_token;
  }

  describe('apiStatus', () => {
    it('503 with Retry-After "2" and the default JSON body; counted and logged', async () => {
      emulator.setFaults({ apiStatus: { status: 503, retryAfter: '2' } });
      const res = await apiGet(baseUrl, JOBS, accessToken);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.text).toBe('{"error":"service_unavailable"}');
      expect(emulator.apiRequestCount(JOBS)).toBe(1);
      expect(emulator.apiRequestLog()).toEqual([{ at: expect.any(Number), method: 'GET', path: JOBS, status: 503, clientId: DEFAULT_EMULATOR_CLIENT.clientId }]);
      // Without `times` it stays on.
      expect(await statuses(baseUrl, 3, PROFILE, accessToken)).toEqual([503, 503, 503]);
      expect(emulator.faults.apiStatus).toEqual({ status: 503, retryAfter: '2' });
    });

    it.each([
      [429, '{"error":"too_many_requests"}'],
      [500, '{"error":"internal_server_error"}'],
      [502, '{"error":"bad_gateway"}'],
      [504, '{"error":"gateway_timeout"}'],
    ])('%i answers %s and no Retry-After when none is given', async (status, body) => {
      emulator.setFaults({ apiStatus: { status } });
      const res = await apiGet(baseUrl, JOBS, accessToken);
      expect(res.status).toBe(status);
      expect(res.text).toBe(body);
      expect(res.headers.get('retry-after')).toBeNull();
    });

    it('an HTTP-date Retry-After, a custom body and Content-Type are sent verbatim', async () => {
      const date = 'Wed, 21 Oct 2015 07:28:00 GMT';
      emulator.setFaults({ apiStatus: { status: 502, retryAfter: date, body: '<html><body>Bad Gateway</body></html>', contentType: 'text/html' } });
      const res = await apiGet(baseUrl, JOBS, accessToken);
      expect(res.status).toBe(502);
      expect(res.headers.get('retry-after')).toBe(date);
      expect(res.headers.get('content-type')).toBe('text/html');
      expect(res.text).toBe('<html><body>Bad Gateway</body></html>');
    });

    it('times: 2 → the first 2 calls get 503, then normal answers; the fault switches itself off', async () => {
      emulator.setFaults({ apiStatus: { status: 503, times: 2 } });
      expect(await statuses(baseUrl, 4, JOBS, accessToken)).toEqual([503, 503, 200, 200]);
      expect(emulator.faults.apiStatus).toBeNull();
      expect(emulator.apiRequestCount(JOBS)).toBe(4);
      expect(emulator.apiRequestLog().map((r) => r.status)).toEqual([503, 503, 200, 200]);
    });

    it('answers before the bearer-token check: no token or an expired one still gets the 503', async () => {
      emulator.setFaults({ apiStatus: { status: 503, times: 2 } });
      emulator.expireAccessTokens();
      expect((await apiGet(baseUrl, JOBS)).status).toBe(503);
      expect((await apiGet(baseUrl, JOBS, accessToken)).status).toBe(503);
      expect((await apiGet(baseUrl, JOBS, accessToken)).status).toBe(401);
    });

    it('applies to unknown /api paths too (the gateway knows no routes); the token endpoint is unaffected', async () => {
      emulator.setFaults({ apiStatus: { status: 504 } });
      expect((await apiGet(baseUrl, '/api/v1/nothing', accessToken)).status).toBe(504);
      expect((await refresh(baseUrl, refreshToken)).status).toBe(200);
    });
  });

  describe('apiDelayMs', () => {
    it('delays every /api answer (200 and 401) by at least the given milliseconds; logged on arrival, status once answered', async () => {
      emulator.setFaults({ apiDelayMs: 150 });
      const started = Date.now();
      const pending = apiGet(baseUrl, JOBS, accessToken);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const during = emulator.apiRequestLog();
      expect(during).toEqual([{ at: expect.any(Number), method: 'GET', path: JOBS, status: null, clientId: DEFAULT_EMULATOR_CLIENT.clientId }]);
      expect(during[0].at - started).toBeLessThan(50);
      expect((await pending).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(145);
      expect(emulator.apiRequestLog()[0].status).toBe(200);
      expect(during[0].status).toBeNull(); // a snapshot

      const unauthenticated = Date.now();
      expect((await apiGet(baseUrl, JOBS)).status).toBe(401);
      expect(Date.now() - unauthenticated).toBeGreaterThanOrEqual(145);
    });

    it('does not delay the token endpoint', async () => {
      emulator.setFaults({ apiDelayMs: 2000 });
      const started = Date.now();
      expect((await refresh(baseUrl, refreshToken)).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1000);
    });
  });

  describe('apiRateLimit', () => {
    it("Hover's 120/minute: requests 1–120 answer, request 121 gets 429 without headers; all counted and logged", async () => {
      emulator.setFaults({ apiRateLimit: { perMinute: 120, perHour: 7200 } });
      expect(await statuses(baseUrl, 120, JOBS, accessToken)).toEqual(Array(120).fill(200));
      const over = await apiGet(baseUrl, JOBS, accessToken);
      expect(over.status).toBe(429);
      expect(over.json).toEqual({ error: 'too_many_requests' });
      expect(rateLimitHeaders(over)).toEqual([]);
      expect(emulator.apiRequestCount(JOBS)).toBe(121);
      const log = emulator.apiRequestLog();
      expect(log).toHaveLength(121);
      expect(log.filter((r) => r.status === 200)).toHaveLength(120);
      expect(log[120]).toEqual({ at: expect.any(Number), method: 'GET', path: JOBS, status: 429, clientId: DEFAULT_EMULATOR_CLIENT.clientId });
      expect(log[120].at - log[0].at).toBeLessThan(60_000);
    });

    it('perMinute 5: the 6th request within the minute gets 429, refused ones use no budget, 60 s later it answers again', async () => {
      emulator.setFaults({ apiRateLimit: { perMinute: 5 } });
      expect(await statuses(baseUrl, 7, JOBS, accessToken)).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const first = emulator.apiRequestLog()[0].at;
      expect(await shiftedBy(55_000, () => statuses(baseUrl, 1, JOBS, accessToken))).toEqual([429]);
      // Budget frees as the admitted requests leave the window: all 5 were admitted within ~1 s of `first`.
      expect(await shiftedBy(first + 61_000 - Date.now(), () => statuses(baseUrl, 6, JOBS, accessToken))).toEqual([200, 200, 200, 200, 200, 429]);
      expect(emulator.apiRequestCount(JOBS)).toBe(14);
    });

    it('per integration: another client id has its own budget; one client shares it across orgs', async () => {
      emulator.setFaults({ apiRateLimit: { perMinute: 3 } });
      const other = await otherClientToken();
      emulator.setOrgIntegrations(2, true);
      emulator.setSignedInUser(2);
      const secondOrg = (await obtainTokens(baseUrl)).access_token; // default client, org 2
      expect(await statuses(baseUrl, 2, JOBS, accessToken)).toEqual([200, 200]);
      expect(await statuses(baseUrl, 2, JOBS, secondOrg)).toEqual([200, 429]);
      expect(await statuses(baseUrl, 1, JOBS, accessToken)).toEqual([429]);
      expect(await statuses(baseUrl, 4, JOBS, other)).toEqual([200, 200, 200, 429]);
      expect(
        emulator
          .apiRequestLog()
          .filter((r) => r.status === 429)
          .map((r) => r.clientId),
      ).toEqual([DEFAULT_EMULATOR_CLIENT.clientId, DEFAULT_EMULATOR_CLIENT.clientId, OTHER_CLIENT.clientId]);
    });

    it('perHour 3: the 4th request in the hour gets 429, still after a minute, answered again after the hour', async () => {
      emulator.setFaults({ apiRateLimit: { perMinute: 100, perHour: 3 } });
      expect(await statuses(baseUrl, 4, JOBS, accessToken)).toEqual([200, 200, 200, 429]);
      expect(await shiftedBy(61_000, () => statuses(baseUrl, 1, JOBS, accessToken))).toEqual([429]);
      expect(await shiftedBy(30 * 60_000, () => statuses(baseUrl, 1, JOBS, accessToken))).toEqual([429]);
      expect(await shiftedBy(3_601_000, () => statuses(baseUrl, 4, JOBS, accessToken))).toEqual([200, 200, 200, 429]);
    });

    it('comes before the token check (an expired token of the client is charged) and before apiStatus (which it does not use up)', async () => {
      emulator.setFaults({ apiRateLimit: { perMinute: 2 }, apiStatus: { status: 503, times: 1 } });
      emulator.expireAccessTokens();
      expect(await statuses(baseUrl, 3, JOBS, accessToken)).toEqual([503, 401, 429]);
      expect(emulator.faults.apiStatus).toBeNull();

      emulator.setFaults({ apiRateLimit: { perMinute: 1 }, apiStatus: { status: 503, times: 2 } });
      expect(await statuses(baseUrl, 3, JOBS, accessToken)).toEqual([503, 429, 429]);
      expect(emulator.faults.apiStatus).toEqual({ status: 503, times: 1 });
    });

    it('never limits requests without a known token (no integration to charge)', async () => {
      emulator.setFaults({ apiRateLimit: { perMinute: 1 } });
      expect(await statuses(baseUrl, 3, JOBS)).toEqual([401, 401, 401]);
      expect(await statuses(baseUrl, 2, JOBS, 'not.a.token')).toEqual([401, 401]);
      expect(emulator.apiRequestLog().map((r) => r.clientId)).toEqual([null, null, null, null, null]);
    });

    it('setting apiRateLimit starts every window empty; null turns it off', async () => {
      emulator.setFaults({ apiRateLimit: { perMinute: 2 } });
      expect(await statuses(baseUrl, 3, JOBS, accessToken)).toEqual([200, 200, 429]);
      emulator.setFaults({ apiRateLimit: { perMinute: 2 } });
      expect(await statuses(baseUrl, 3, JOBS, accessToken)).toEqual([200, 200, 429]);
      emulator.setFaults({ apiRateLimit: null });
      expect(await statuses(baseUrl, 3, JOBS, accessToken)).toEqual([200, 200, 200]);
    });

    it('is off by default', async () => {
      expect(emulator.faults.apiRateLimit).toBeNull();
      expect(await statuses(baseUrl, 130, JOBS, accessToken)).toEqual(Array(130).fill(200));
    });
  });

  describe('setOrgIntegrations after connect', () => {
    it('off: profile 200 without integrations; every other endpoint 403 with the plan message; on again: normal', async () => {
      emulator.setOrgIntegrations(1, false);
      const profile = await apiGet(baseUrl, PROFILE, accessToken);
      expect(profile.status).toBe(200);
      expect(profile.json.orgs[0]).toEqual({
        id: 1,
        name: 'Acme Roofing',
        plan: { name: 'Pro', tier: 'pro' },
        feature_access: { measurements: true, design_tools: true, photos: true },
      });
      for (const path of ['/api/v2/jobs', '/api/v3/jobs?page=2', '/api/v3/jobs/10001']) {
        const res = await apiGet(baseUrl, path, accessToken);
        expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 403, 'application/json; charset=utf-8']);
        expect(res.json).toEqual(FORBIDDEN);
      }
      expect((await apiGet(baseUrl, '/api/v1/nothing', accessToken)).status).toBe(404);

      emulator.setOrgIntegrations(1, true);
      expect((await apiGet(baseUrl, PROFILE, accessToken)).json.orgs[0].feature_access.integrations).toBe(true);
      expect((await apiGet(baseUrl, '/api/v3/jobs/10001', accessToken)).json.id).toBe(10001);
      expect(emulator.apiRequestLog().map((r) => r.status)).toEqual([200, 403, 403, 403, 404, 200, 200]);
    });

    it('the token endpoint keeps working: a refresh succeeds and its new token gets the same 403', async () => {
      emulator.setOrgIntegrations(1, false);
      const refreshed = await refresh(baseUrl, refreshToken);
      expect(refreshed.status).toBe(200);
      expect(refreshed.json.owner_id).toBe(1);
      const jobs = await apiGet(baseUrl, JOBS, refreshed.json.access_token);
      expect(jobs.status).toBe(403);
      expect(jobs.json).toEqual(FORBIDDEN);
      expect((await apiGet(baseUrl, PROFILE, refreshed.json.access_token)).status).toBe(200);
      expect(emulator.tokenRequestCount('refresh_token')).toBe(1);
    });

    it('only the switched org is affected; a bad token is still 401 first', async () => {
      emulator.setFaults({ consentWithoutIntegrations: 'allow' });
      emulator.setSignedInUser(2);
      const budget = (await obtainTokens(baseUrl)).access_token; // org 2, seeded without integrations
      expect((await apiGet(baseUrl, JOBS, budget)).json).toEqual(FORBIDDEN);
      expect((await apiGet(baseUrl, JOBS, accessToken)).status).toBe(200);
      emulator.setOrgIntegrations(2, true);
      expect((await apiGet(baseUrl, JOBS, budget)).json.pagination.total).toBe(3);
      emulator.setOrgIntegrations(1, false);
      emulator.expireAccessTokens();
      expect((await apiGet(baseUrl, JOBS, accessToken)).status).toBe(401);
    });
  });

  describe('apiRequestLog', () => {
    it('records time, method, path without query, status and client id of every answer; resetCounters empties it', async () => {
      const other = await otherClientToken();
      const before = Date.now();
      await apiGet(baseUrl, `${JOBS}?page=2&per=5`, accessToken);
      await apiGet(baseUrl, PROFILE);
      await apiGet(baseUrl, '/api/v1/nothing', other);
      emulator.setOrgIntegrations(1, false);
      await apiGet(baseUrl, JOBS, other);
      const log = emulator.apiRequestLog();
      expect(log.map(({ method, path, status, clientId }) => [method, path, status, clientId])).toEqual([
        ['GET', JOBS, 200, DEFAULT_EMULATOR_CLIENT.clientId],
        ['GET', PROFILE, 401, null],
        ['GET', '/api/v1/nothing', 404, OTHER_CLIENT.clientId],
        ['GET', JOBS, 403, OTHER_CLIENT.clientId],
      ]);
      expect(log.every((r, i) => r.at >= before && r.at <= Date.now() && (i === 0 || r.at >= log[i - 1].at))).toBe(true);
      expect(emulator.apiRequestCount()).toBe(4);
      (log[0] as { status: number | null }).status = 999;
      expect(emulator.apiRequestLog()[0].status).toBe(200);

      emulator.resetCounters();
      expect(emulator.apiRequestLog()).toEqual([]);
    });
  });

  it('reset() restores the default faults, the seeded integrations and an empty log', async () => {
    emulator.setFaults({ apiStatus: { status: 503, times: 5 }, apiDelayMs: 10, apiRateLimit: { perMinute: 1 } });
    emulator.setOrgIntegrations(1, false);
    expect(await statuses(baseUrl, 2, JOBS, accessToken)).toEqual([503, 429]);
    emulator.reset();
    expect(emulator.faults).toEqual(DEFAULT_FAULTS);
    expect(emulator.apiRequestLog()).toEqual([]);
    expect(emulator.apiRequestCount()).toBe(0);
    const token = (await obtainTokens(baseUrl)).access_token;
    expect(await statuses(baseUrl, 3, JOBS, token)).toEqual([200, 200, 200]);
  });
});
