/**
 * Several app instances (separate Node processes) sharing one database and one Hover grant: the
 * refresh lease must let exactly one of them refresh per expiry, on SQLite, PostgreSQL and MariaDB,
 * and a holder killed mid-refresh must not cost the connection.
 */
import { type HoverAuthModuleOptions } from '@hover-auth/nestjs';
import { HoverConnection } from '../libs/hover-auth/src/testing/internals';
import { HoverEmulator } from '@hover-auth/emulator';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectThroughEmulator } from './support/emulator-grant';
import { HOVER_MODES } from './support/hover-modes';
import { startHoverClientApp, type HoverClientApp } from './support/hover-client-app';
import { E2E_ENCRYPTION_KEYS } from './support/test-keys';
import { createTestDatabase, e2eDatabaseKinds, type TestDatabase } from './support/test-databases';
import { RefreshWorker } from './support/worker-pool';

const CLIENT = { clientId: 'multi-client', clientSecret: 'multi-secret', redirectUri: 'http://localhost:3998/hover/callback' };
const PROCESSES = 4;
const CALLS_PER_PROCESS = 100;
const CYCLES = Number(process.env.HOVER_E2E_REFRESH_CYCLES ?? 20);

describe.each(e2eDatabaseKinds(['sqlite', 'postgres', 'mariadb'] as const))('refresh across %s app instances', (kind) => {
  let emulator: HoverEmulator;
  let database: TestDatabase;
  let owner: HoverClientApp; // migrates, seeds and inspects; makes no API calls
  let workers: RefreshWorker[] = [];

  const hoverOptions = (overrides: Partial<HoverAuthModuleOptions> = {}): HoverAuthModuleOptions => ({
    ...CLIENT,
    baseUrl: emulator.baseUrl,
    encryptionKeys: E2E_ENCRYPTION_KEYS,
    httpTimeoutMs: 5000,
    // Bursts of calls from every worker are about refresh coordination, not the client-side limiter.
    rateLimit: false,
    ...overrides,
  });
  const stored = async () => (await owner.connections.findById('default')) as HoverConnection;

  beforeEach(async () => {
    emulator = new HoverEmulator();
    await emulator.start();
    emulator.registerClient({ ...CLIENT, redirectUris: [CLIENT.redirectUri] });
    database = await createTestDatabase(kind);
    owner = await startHoverClientApp(database.options, hoverOptions(), { runMigrations: true });
    await connectThroughEmulator(emulator.baseUrl, CLIENT, owner.connections);
  });

  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    workers = [];
    await owner?.close();
    await emulator.stop();
    await database.drop();
  });

  it.each(HOVER_MODES)(`${PROCESSES} processes × ${CALLS_PER_PROCESS} concurrent calls × ${CYCLES} expiry cycles → one refresh per cycle, no invalid_grant, no failed call — %s`, async (_mode, faults) => {
    emulator.setFaults(faults);
    workers = await Promise.all(Array.from({ length: PROCESSES }, () => RefreshWorker.start({ dataSource: database.options, hover: hoverOptions() })));
    const perCycle: number[] = [];
    const failures: string[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const refreshesBefore = emulator.tokenRequestCount('refresh_token');
      // Cycle 0 runs on a fresh grant (no refresh expected); every later one starts with an expiry.
      if (cycle > 0) emulator.expireAccessTokens();
      const reports = await Promise.all(workers.map((worker) => worker.request({ type: 'burst', calls: CALLS_PER_PROCESS, connectionId: 'default' }, 'burst-done')));
      failures.push(...reports.flatMap((report) => report.failures));
      expect(reports.reduce((sum, report) => sum + report.ok + report.failures.length, 0)).toBe(PROCESSES * CALLS_PER_PROCESS);
      perCycle.push(emulator.tokenRequestCount('refresh_token') - refreshesBefore);
    }
    expect(failures).toEqual([]);
    expect(perCycle).toEqual([0, ...Array(CYCLES - 1).fill(1)]);
    expect(await stored()).toMatchObject({ status: 'active', refreshLockOwner: null });
    // A generous bound: about 15 s per mode on an idle 2-core machine; a loaded one must not fail it.
  }, 300_000);

  /**
   * Hover rotates the refresh token at once but answers late. Instance A's callers give up at
   * httpTimeoutMs; A's request keeps waiting and keeps the lease (renewed), so instance B, calling right
   * after, waits for A's answer instead of sending the spent refresh token (which Hover would refuse
   * with invalid_grant, losing the grant).
   */
  async function lateAnswer(options: HoverAuthModuleOptions, answerDelayMs: number): Promise<void> {
    workers = await Promise.all([0, 1].map(() => RefreshWorker.start({ dataSource: database.options, hover: options })));
    const [a, b] = workers;
    const before = await stored();
    emulator.expireAccessTokens();
    emulator.setFaults({ tokenAnswerDelayMs: answerDelayMs });

    const aGaveUp = a.request({ type: 'call', connectionId: 'default' }, 'call-done', answerDelayMs + 60_000);
    const aReport = await aGaveUp;
    expect(aReport).toEqual({ type: 'call-done', ok: false, failure: 'HOVER_TOKEN_ENDPOINT_TIMEOUT' });
    expect(emulator.tokenRequestCount('refresh_token')).toBe(1); // rotated at Hover, answer pending
    const during = await stored();
    expect(during).toMatchObject({ status: 'active', version: before.version, refreshToken: before.refreshToken });
    expect(during.refreshLockOwner).toMatch(/^[0-9a-f-]{36}$/);

    const bReport = await b.request({ type: 'call', connectionId: 'default' }, 'call-done', answerDelayMs + 60_000);
    expect(bReport).toEqual({ type: 'call-done', ok: true });
    expect(emulator.tokenRequestCount('refresh_token')).toBe(1);
    const after = await stored();
    expect(after).toMatchObject({ status: 'active', version: before.version + 1, refreshLockOwner: null });
    expect(after.refreshToken).not.toBe(before.refreshToken);

    // The stored refresh token is the rotated one: the next expiry refreshes normally.
    emulator.setFaults({ tokenAnswerDelayMs: 0 });
    emulator.expireAccessTokens();
    expect(await b.request({ type: 'burst', calls: 10, connectionId: 'default' }, 'burst-done')).toEqual({ type: 'burst-done', ok: 10, failures: [] });
    expect(emulator.tokenRequestCount('refresh_token')).toBe(2);
    expect(await stored()).toMatchObject({ status: 'active', version: before.version + 2 });
  }

  it('a refresh answered after 5 s with httpTimeoutMs 2 s: one refresh, the late answer stored, the other instance waits for it, the grant kept', async () => {
    // A 3 s lease shorter than the 5 s answer: it must be renewed while the request waits.
    await lateAnswer(hoverOptions({ httpTimeoutMs: 2000, refreshLeaseMs: 3000 }), 5000);
  });

  if (kind === 'sqlite') {
    it('with the default options and a 40 s answer: the same', async () => {
      const { httpTimeoutMs: _ignored, ...defaults } = hoverOptions();
      await lateAnswer(defaults, 40_000);
    }, 150_000);
  }

  it('a process SIGKILLed while holding the refresh lease: another completes the refresh once the lease lapses; the connection stays active', async () => {
    const leaseMs = 3000;
    const options = hoverOptions({ httpTimeoutMs: 2000, refreshLeaseMs: leaseMs, refreshDeadlineMs: 10_000 });
    workers = await Promise.all([0, 1].map(() => RefreshWorker.start({ dataSource: database.options, hover: options })));
    const [doomed, survivor] = workers;
    const before = await stored();

    emulator.expireAccessTokens();
    emulator.setFaults({ tokenEndpointHang: true });
    doomed.send({ type: 'call', connectionId: 'default' });
    let lease: HoverConnection;
    const waitUntil = Date.now() + 10_000;
    do {
      await sleep(20);
      lease = await stored();
    } while ((!lease.refreshLockOwner || emulator.tokenRequestCount('refresh_token') === 0) && Date.now() < waitUntil);
    expect(lease.refreshLockOwner).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulator.tokenRequestCount('refresh_token')).toBe(1); // its request reached Hover, unanswered
    await doomed.kill();
    emulator.setFaults({ tokenEndpointHang: false });

    const started = Date.now();
    const report = await survivor.request({ type: 'burst', calls: 10, connectionId: 'default' }, 'burst-done');
    expect(report).toEqual({ type: 'burst-done', ok: 10, failures: [] });
    // It had to wait for the dead holder's lease to lapse (less the time already spent above).
    expect(Date.now() - started).toBeGreaterThanOrEqual((lease.refreshLockExpiresAt as number) - started - 50);
    expect(emulator.tokenRequestCount('refresh_token')).toBe(2);
    const after = await stored();
    expect(after).toMatchObject({ status: 'active', refreshLockOwner: null, version: before.version + 1 });
    expect(after.refreshToken).not.toBe(before.refreshToken);
  });
});
