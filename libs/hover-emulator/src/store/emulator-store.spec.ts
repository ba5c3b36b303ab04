import { EmulatorStore } from './emulator-store';

describe('EmulatorStore: API request log and rate-limit windows', () => {
  const entry = (n: number) => ({ at: n, method: 'GET', path: '/api/v3/jobs', status: 200, clientId: 'c' });

  it('keeps only the last 100,000 API requests, oldest first', () => {
    const store = new EmulatorStore();
    for (let n = 1; n <= 250_001; n++) store.logApiRequest(entry(n));
    const log = store.apiRequestLog();
    expect(log).toHaveLength(100_000);
    expect(log[0].at).toBe(150_002);
    expect(log[99_999].at).toBe(250_001);
  });

  it('an entry completed in place after logging shows in later snapshots, not earlier ones', () => {
    const store = new EmulatorStore();
    const logged = store.logApiRequest({ ...entry(1), status: null });
    const before = store.apiRequestLog();
    logged.status = 503;
    expect(before[0].status).toBeNull();
    expect(store.apiRequestLog()[0].status).toBe(503);
  });

  it('resetCounters() empties the log but keeps the rate-limit windows; clear() empties both', () => {
    const store = new EmulatorStore();
    store.logApiRequest(entry(1));
    expect(store.admitApiRequest('c', 1000, { perMinute: 1 })).toBe(true);
    store.resetCounters();
    expect(store.apiRequestLog()).toEqual([]);
    expect(store.admitApiRequest('c', 1001, { perMinute: 1 })).toBe(false);
    store.clear();
    expect(store.admitApiRequest('c', 1002, { perMinute: 1 })).toBe(true);
  });
});
