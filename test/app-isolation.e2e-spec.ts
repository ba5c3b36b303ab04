/**
 * Two Nest apps in one process, each with its own HoverAuthModule on its own database (e2e suites,
 * a CLI context next to the server, several apps in one process): each module must keep its own axios
 * instance, hooks and options, so one app's requests are authorized from its own database and follow
 * its own `httpTimeoutMs`.
 */
import { HoverEmulator } from '@hover-auth/emulator';
import { connectThroughEmulator } from './support/emulator-grant';
import { startHoverClientApp, type HoverClientApp } from './support/hover-client-app';
import { E2E_ENCRYPTION_KEYS } from './support/test-keys';
import { createSqliteDatabase, type TestDatabase } from './support/test-databases';

/** Each app is its own integration (client id), as two products of one company would be. */
const CLIENT_A = { clientId: 'isolation-client-a', clientSecret: 'isolation-secret-a', redirectUri: 'http://localhost:3997/hover/callback' };
const CLIENT_B = { clientId: 'isolation-client-b', clientSecret: 'isolation-secret-b', redirectUri: 'http://localhost:3996/hover/callback' };

describe('two apps with HoverAuthModule in one process', () => {
  let emulator: HoverEmulator;
  let databaseA: TestDatabase;
  let databaseB: TestDatabase;
  let first: HoverClientApp;
  let second: HoverClientApp;

  beforeAll(async () => {
    emulator = new HoverEmulator();
    await emulator.start();
    for (const client of [CLIENT_A, CLIENT_B]) emulator.registerClient({ ...client, redirectUris: [client.redirectUri] });
    databaseA = createSqliteDatabase();
    databaseB = createSqliteDatabase();
    const common = { baseUrl: emulator.baseUrl, encryptionKeys: E2E_ENCRYPTION_KEYS };
    first = await startHoverClientApp(databaseA.options, { ...CLIENT_A, ...common, httpTimeoutMs: 30_000 }, { runMigrations: true });
    second = await startHoverClientApp(databaseB.options, { ...CLIENT_B, ...common, httpTimeoutMs: 500 }, { runMigrations: true });
    // Connection "b-only" exists only in the second app's database; "both" in both.
    await connectThroughEmulator(emulator.baseUrl, CLIENT_B, second.connections, 'b-only');
    await connectThroughEmulator(emulator.baseUrl, CLIENT_A, first.connections, 'both');
    await connectThroughEmulator(emulator.baseUrl, CLIENT_B, second.connections, 'both');
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
    await emulator?.stop();
    await databaseA?.drop();
    await databaseB?.drop();
  });

  beforeEach(() => {
    emulator.setFaults({ apiDelayMs: 0 });
    emulator.resetCounters();
  });

  it('each module has its own axios instance', () => {
    expect(second.hover.axiosRef).not.toBe(first.hover.axiosRef);
  });

  it("the second app's call is authorized from the second app's own database", async () => {
    const outcome = await second.hover
      .forConnection('b-only')
      .getData('/v3/jobs', { params: { per: 1 } })
      .then((page: { results: unknown[] }) => `${page.results.length} job`)
      .catch((error: { code?: string }) => error.code);
    expect(outcome).toBe('1 job');
  });

  it("the second app's call for a connection id both databases hold is sent with the second app's token (its own client id at Hover)", async () => {
    await second.hover.forConnection('both').getData('/v3/jobs', { params: { per: 1 } }).catch(() => undefined);
    expect(emulator.apiRequestLog().map((r) => r.clientId)).toEqual([CLIENT_B.clientId]);
  });

  it("the first app keeps its own httpTimeoutMs (30 s) after the second app (500 ms) started", async () => {
    emulator.setFaults({ apiDelayMs: 1000 });
    const outcome = await first.hover
      .forConnection('both')
      .getData('/v3/jobs', { params: { per: 1 } })
      .then(() => 'answered')
      .catch((error: { code?: string }) => error.code);
    expect(outcome).toBe('answered');
  });
});
