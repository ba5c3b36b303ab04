import { HoverEmulator } from '../hover-emulator';
import { apiGet, obtainTokens, request } from '../testing/emulator-spec.helpers';

const PROFILE = '/api/v2/users/profile';

describe('/api (bearer-protected Hover API subset)', () => {
  const emulator = new HoverEmulator();
  let baseUrl: string;
  let accessToken: string;

  beforeAll(async () => {
    baseUrl = await emulator.start();
  });
  beforeEach(async () => {
    accessToken = (await obtainTokens(baseUrl)).access_token;
    emulator.resetCounters();
  });
  afterEach(() => emulator.reset());
  afterAll(() => emulator.stop());

  describe('401 with an empty body and a Doorkeeper WWW-Authenticate header', () => {
    const expect401 = (res: Awaited<ReturnType<typeof apiGet>>, description: string) => {
      expect(res.status).toBe(401);
      expect(res.text).toBe('');
      expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="Doorkeeper", error="invalid_token", error_description="${description}"`);
    };

    it('no token', async () => expect401(await apiGet(baseUrl, PROFILE), 'The access token is invalid'));
    it('unknown token', async () => expect401(await apiGet(baseUrl, '/api/v3/jobs', 'abc.def.ghi'), 'The access token is invalid'));
    it('non-bearer scheme', async () => {
      const res = await request(`${baseUrl}${PROFILE}`, { headers: { authorization: `Token ${accessToken}` } });
      expect401(res, 'The access token is invalid');
    });

    it('expireAccessTokens() → "The access token expired"', async () => {
      expect((await apiGet(baseUrl, PROFILE, accessToken)).status).toBe(200);
      expect(emulator.expireAccessTokens()).toBe(1);
      expect(emulator.expireAccessTokens()).toBe(0);
      expect401(await apiGet(baseUrl, PROFILE, accessToken), 'The access token expired');
    });

    it('a token past its lifetime → "The access token expired"', async () => {
      const spy = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 7200 * 1000);
      try {
        expect401(await apiGet(baseUrl, PROFILE, accessToken), 'The access token expired');
      } finally {
        spy.mockRestore();
      }
    });

    it('revokeAllTokens() → "The access token was revoked"', async () => {
      emulator.revokeAllTokens();
      expect401(await apiGet(baseUrl, PROFILE, accessToken), 'The access token was revoked');
    });
  });

  it('GET /api/v2/users/profile: the user and the org the token was issued for', async () => {
    const res = await apiGet(baseUrl, PROFILE, accessToken);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      id: 1,
      email: 'alice@acme-roofing.example',
      first_name: 'Alice',
      last_name: 'Anders',
      orgs: [
        {
          id: 1,
          name: 'Acme Roofing',
          plan: { name: 'Pro', tier: 'pro' },
          feature_access: { integrations: true, measurements: true, design_tools: true, photos: true },
        },
      ],
    });
  });

  it('profile of an org without integrations has no integrations key in feature_access', async () => {
    emulator.setFaults({ consentWithoutIntegrations: 'allow' });
    emulator.setSignedInUser(2);
    const token = (await obtainTokens(baseUrl)).access_token;
    const res = await apiGet(baseUrl, PROFILE, token);
    expect(res.json.id).toBe(2);
    expect(res.json.orgs).toHaveLength(1);
    expect(res.json.orgs[0].name).toBe('Budget Gutters');
    expect(res.json.orgs[0].plan).toEqual({ name: 'Basic', tier: 'basic' });
    expect(res.json.orgs[0].feature_access).toEqual({ measurements: true, design_tools: true, photos: true });
  });

  describe('GET /api/v2/jobs', () => {
    it('defaults to page 1 of 25', async () => {
      const res = await apiGet(baseUrl, '/api/v2/jobs', accessToken);
      expect(res.status).toBe(200);
      expect(res.json.pagination).toEqual({ current_page: 1, total_pages: 2, total: 30 });
      expect(res.json.results).toHaveLength(25);
      expect(res.json.results[0].id).toBe(10001);
      expect(res.json.results[24].id).toBe(10025);
    });

    it('page 2 holds the remaining 5', async () => {
      const res = await apiGet(baseUrl, '/api/v2/jobs?page=2', accessToken);
      expect(res.json.pagination).toEqual({ current_page: 2, total_pages: 2, total: 30 });
      expect(res.json.results.map((j: { id: number }) => j.id)).toEqual([10026, 10027, 10028, 10029, 10030]);
    });

    it('per_page=10 → 3 pages; 52 seeded jobs → the documented 3 pages of 25', async () => {
      const res = await apiGet(baseUrl, '/api/v2/jobs?page=3&per_page=10', accessToken);
      expect(res.json.pagination).toEqual({ current_page: 3, total_pages: 3, total: 30 });
      expect(res.json.results).toHaveLength(10);
      emulator.seedJobs(1, 52);
      const doc = await apiGet(baseUrl, '/api/v2/jobs', accessToken);
      expect(doc.json.pagination).toEqual({ current_page: 1, total_pages: 3, total: 52 });
    });
  });

  describe('GET /api/v3/jobs', () => {
    it('page 1 (per 25) → next_page 2', async () => {
      const res = await apiGet(baseUrl, '/api/v3/jobs', accessToken);
      expect(res.json.pagination).toEqual({ current_page: 1, next_page: 2, total: 30 });
      expect(res.json.results).toHaveLength(25);
    });

    it('last page → next_page null', async () => {
      const res = await apiGet(baseUrl, '/api/v3/jobs?page=2', accessToken);
      expect(res.json.pagination).toEqual({ current_page: 2, next_page: null, total: 30 });
      expect(res.json.results).toHaveLength(5);
    });

    it('per over 100 is clamped to 100', async () => {
      emulator.seedJobs(1, 150);
      const res = await apiGet(baseUrl, '/api/v3/jobs?per=500', accessToken);
      expect(res.json.pagination).toEqual({ current_page: 1, next_page: 2, total: 150 });
      expect(res.json.results).toHaveLength(100);
    });

    it('per=7&page=5 → 2 results, no next page', async () => {
      const res = await apiGet(baseUrl, '/api/v3/jobs?per=7&page=5', accessToken);
      expect(res.json.pagination).toEqual({ current_page: 5, next_page: null, total: 30 });
      expect(res.json.results.map((j: { id: number }) => j.id)).toEqual([10029, 10030]);
    });

    it('jobs are deterministic and shaped like Hover jobs', async () => {
      const res = await apiGet(baseUrl, '/api/v3/jobs?per=2', accessToken);
      expect(res.json.results[0]).toEqual({
        id: 10001,
        name: '137 Maple Ave',
        external_identifier: 'EMU-1-0001',
        state: 'complete',
        created_at: '2024-01-02T15:00:00.000Z',
        location: { line_1: '137 Maple Ave', city: 'Denver', region: 'CO', postal_code: '80201' },
      });
      expect(res.json.results[1].state).toBe('processing');
      expect(res.json.results[1].created_at).toBe('2024-01-03T15:00:00.000Z');
    });

    it('GET /api/v3/jobs/:id returns the job of the token org, 404 for another org', async () => {
      const own = await apiGet(baseUrl, '/api/v3/jobs/10007', accessToken);
      expect(own.status).toBe(200);
      expect(own.json.id).toBe(10007);
      expect(own.json.external_identifier).toBe('EMU-1-0007');
      const foreign = await apiGet(baseUrl, '/api/v3/jobs/20001', accessToken);
      expect(foreign.status).toBe(404);
      expect(foreign.json).toEqual({ error: 'not_found' });
    });
  });

  it('unknown /api paths → 404 JSON', async () => {
    const res = await apiGet(baseUrl, '/api/v1/nothing', accessToken);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: 'not_found' });
  });

  it('counts API requests per path, 401s included', async () => {
    await apiGet(baseUrl, PROFILE, accessToken);
    await apiGet(baseUrl, PROFILE);
    await apiGet(baseUrl, '/api/v3/jobs?page=2', accessToken);
    expect(emulator.apiRequestCount()).toBe(3);
    expect(emulator.apiRequestCount(PROFILE)).toBe(2);
    expect(emulator.apiRequestCount('/api/v3/jobs')).toBe(1);
    expect(emulator.apiRequestsByPath()).toEqual({ [PROFILE]: 2, '/api/v3/jobs': 1 });
    emulator.resetCounters();
    expect(emulator.apiRequestCount()).toBe(0);
  });
});
