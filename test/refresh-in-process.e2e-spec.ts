/**
 * Refresh correctness inside one app instance, against the emulator under each of Hover's possible
 * behaviours (Doorkeeper rotation modes (a) and (b), and every token error as 401), on a real SQLite file.
 */
import { HoverTokenEndpointTimeoutException, type HoverAuthModuleOptions } from '@hover-auth/nestjs';
import { HoverConnection } from '../libs/hover-auth/src/testing/internals';
import { HoverEmulator } from '@hover-auth/emulator';
import { DataSource } from 'typeorm';
import { connectThroughEmulator } from './support/emulator-grant';
import { HOVER_MODES } from './support/hover-modes';
import { startHoverClientApp, type HoverClientApp } from './support/hover-client-app';
import { E2E_ENCRYPTION_KEYS } from './support/test-keys';
import { createSqliteDatabase, type TestDatabase } from './support/test-databases';

const CLIENT = { clientId: 'refresh-client', clientSecret: 'refresh-secret', redirectUri: 'http://localhost:3999/hover/callback' };

describe.each(HOVER_MODES)('refresh in one process — %s', (_name, faults) => {
  let emulator: HoverEmulator;
  let database: TestDatabase;
  let client: HoverClientApp;

  const options = (overrides: Partial<HoverAuthModuleOptions> = {}): HoverAuthModuleOptions => ({
    ...CLIENT,
    baseUrl: emulator.baseUrl,
    encryptionKeys: E2E_ENCRYPTION_KEYS,
    // These storms (500 calls at once) are about refresh coordination; the client-side limiter would
    // hold 380 of them back a minute (its own suite, api-resilience, covers it).
    rateLimit: false,
    ...overrides,
  });

  beforeEach(async () => {
    emulator = new HoverEmulator();
    await emulator.start();
    emulator.registerClient({ ...CLIENT, redirectUris: [CLIENT.redirectUri] });
    emulator.setFaults(faults);
    database = createSqliteDatabase();
  });

  afterEach(async () => {
    await client?.close();
    await emulator.stop();
    await database.drop();
  });

  async function boot(overrides: Partial<HoverAuthModuleOptions> = {}): Promise<void> {
    client = await startHoverClientApp(database.options, options(overrides), { runMigrations: true });
    await connectThroughEmulator(emulator.baseUrl, CLIENT, client.connections);
  }

  const stored = async () => (await client.connections.findById('default')) as HoverConnection;
  const call = () => client.hover.getData('/v3/jobs', { params: { per: 1 } });

  async function expireStoredToken(): Promise<void> {
    const dataSource = client.app.get(DataSource);
    await dataSource.getRepository(HoverConnection).update({ connectionId: 'default' }, { accessTokenExpiresAt: Date.now() - 1000 });
  }

  it('500 concurrent calls on a token expired at Hover (each gets a 401) → exactly one refresh, no failure', async () => {
    await boot();
    expect((await call()).results).toHaveLength(1); // warm: the token is cached
    const before = await stored();
    emulator.expireAccessTokens();

    // Half through the injected service, half through forConnection() scopes: one refresh for all.
    const scopedCall = () => client.hover.forConnection('default').getData('/v3/jobs', { params: { per: 1 } });
    const results = await Promise.allSettled(Array.from({ length: 500 }, (_, i) => (i % 2 ? scopedCall() : call())));
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(emulator.tokenRequestCount('refresh_token')).toBe(1);
    const after = await stored();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after).toMatchObject({ status: 'active', version: before.version + 1, refreshLockOwner: null });
  });

  it('500 concurrent calls on a token expired in the database (proactive refresh) → exactly one refresh, no failure', async () => {
    await boot();
    emulator.expireAccessTokens();
    await expireStoredToken();

    const results = await Promise.allSettled(Array.from({ length: 500 }, call));
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(emulator.tokenRequestCount('refresh_token')).toBe(1);
    expect((await stored()).accessTokenExpiresAt).toBeGreaterThan(Date.now() + 7000 * 1000);
  });

  it('a token endpoint that never answers: every caller fails with a typed timeout within httpTimeoutMs; the request keeps the lease and nothing is sent again while it is pending', async () => {
    await boot({ httpTimeoutMs: 800 });
    await call();
    const before = await stored();
    emulator.expireAccessTokens();
    emulator.setFaults({ tokenEndpointHang: true });

    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 20 }, call));
    const elapsed = Date.now() - started;
    expect(results.every((result) => result.status === 'rejected' && result.reason instanceof HoverTokenEndpointTimeoutException)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(700);
    expect(elapsed).toBeLessThan(5000);
    expect(emulator.tokenRequestCount('refresh_token')).toBe(1);
    // The request is still waiting for Hover: its lease is held (and renewed), the grant untouched.
    const during = await stored();
    expect(during).toMatchObject({ status: 'active', refreshToken: before.refreshToken });
    expect(during.refreshLockOwner).toMatch(/^[0-9a-f-]{36}$/);

    // Later calls wait for the same pending request; they never send the refresh token a second time.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(call()).rejects.toBeInstanceOf(HoverTokenEndpointTimeoutException);
    expect(emulator.tokenRequestCount('refresh_token')).toBe(1);
  });

  it('an answer that arrives after every caller gave up is still stored: Hover rotated at once and answers after 3 s (httpTimeoutMs 800)', async () => {
    await boot({ httpTimeoutMs: 800 });
    await call();
    const before = await stored();
    emulator.expireAccessTokens();
    emulator.setFaults({ tokenAnswerDelayMs: 3000 });

    const early = await Promise.allSettled(Array.from({ length: 5 }, call));
    expect(early.every((result) => result.status === 'rejected' && result.reason instanceof HoverTokenEndpointTimeoutException)).toBe(true);
    expect(emulator.tokenRequestCount('refresh_token')).toBe(1);
    expect((await stored()).version).toBe(before.version); // not answered yet

    // When Hover's late answer comes, the rotated pair is stored and the lease released.
    const deadline = Date.now() + 10_000;
    let after = await stored();
    while (after.version === before.version && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await stored();
    }
    expect(after).toMatchObject({ status: 'active', version: before.version + 1, refreshLockOwner: null });
    expect(after.refreshToken).not.toBe(before.refreshToken);
    emulator.setFaults({ tokenAnswerDelayMs: 0 });
    expect((await call()).results).toHaveLength(1);
    expect(emulator.tokenRequestCount('refresh_token')).toBe(1);
    // And the stored (rotated) refresh token works at the next expiry: the grant was not lost.
    emulator.expireAccessTokens();
    expect((await call()).results).toHaveLength(1);
    expect(emulator.tokenRequestCount('refresh_token')).toBe(2);
    expect((await stored()).status).toBe('active');
  });

  it('a refresh answered without refresh_token keeps the stored refresh token', async () => {
    await boot();
    await call();
    const before = await stored();
    emulator.setFaults({ omitRefreshTokenOnRefresh: true });
    emulator.expireAccessTokens();

    expect((await call()).results).toHaveLength(1);
    const after = await stored();
    expect(emulator.tokenRequestCount('refresh_token')).toBe(1);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toBe(before.refreshToken);
    expect(after.refreshToken?.length).toBeGreaterThan(20);

    // And that kept refresh token still works at the next refresh.
    emulator.setFaults({ omitRefreshTokenOnRefresh: false });
    emulator.expireAccessTokens();
    expect((await call()).results).toHaveLength(1);
    expect((await stored()).refreshToken).not.toBe(before.refreshToken);
    expect((await stored()).status).toBe('active');
  });
});
