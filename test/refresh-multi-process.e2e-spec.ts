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
  });

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
