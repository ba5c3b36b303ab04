/**
 * Lifecycle events (HOVER_EVENTS through the host's @nestjs/event-emitter) across two app instances on
 * one database, against the emulator: every change is announced exactly once, by the instance whose
 * database write made it, however many instances saw it — connected, refreshed (one token request),
 * integrations_changed (both instances re-check), reauthorization_required (one refused refresh),
 * reconnected_to_different_org, disconnected. No payload carries a token. Without EventEmitterModule
 * the same lifecycle works and emits nothing.
 *
 * The two instances are independent copies of the app (as two processes would be: see
 * startIsolatedHoverHostApp) sharing PostgreSQL (or a SQLite file when HOVER_E2E_DATABASES leaves
 * PostgreSQL out).
 */
import { HOVER_EVENTS } from '@hover-auth/nestjs';
import { HoverEmulator } from '@hover-auth/emulator';
import { startIsolatedHoverHostApp, type HoverHostApp, type RecordedEvent, tokensKnownToEmulator, waitUntil } from './support/hover-host-app';
import { createTestDatabase, e2eDatabaseKinds, type TestDatabase } from './support/test-databases';

const CLIENT = { clientId: 'events-client', clientSecret: 'events-client-secret' };
const ACME = { id: '1', name: 'Acme Roofing' };
const CEDAR = { id: 3, name: 'Cedar Siding' };

/** Settles every promise; resolves to the `code` of each failure (null for a success). */
async function codesOf(calls: Array<Promise<unknown>>): Promise<Array<string | null>> {
  const settled = await Promise.allSettled(calls);
  return settled.map((result) => (result.status === 'fulfilled' ? null : ((result.reason as { code?: string }).code ?? String(result.reason))));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('lifecycle events across two app instances on one database', () => {
  let emulator: HoverEmulator;
  let database: TestDatabase;
  let a: HoverHostApp;
  let b: HoverHostApp;
  /** Every token that was ever stored, read from the database as the steps go. */
  const storedTokens = new Set<string>();

  const allEvents = (): RecordedEvent[] => [...a.events, ...b.events];
  const eventsNamed = (name: string) => allEvents().filter((e) => e.event === name);
  const jobs = (app: HoverHostApp) => app.hover.getData('/v3/jobs', { params: { per: 1 } });

  async function noteStoredTokens(): Promise<void> {
    const row = await a.stored();
    if (row?.accessToken) storedTokens.add(row.accessToken);
    if (row?.refreshToken) storedTokens.add(row.refreshToken);
  }

  beforeAll(async () => {
    emulator = new HoverEmulator();
    await emulator.start();
    emulator.seedOrg({ ...CEDAR, integrations: true });
    emulator.seedUser({ id: 3, email: 'carol@cedar.example', firstName: 'Carol', lastName: 'Cedar', orgId: CEDAR.id });
    emulator.seedJobs(CEDAR.id, 2);
    database = await createTestDatabase(e2eDatabaseKinds(['postgres', 'sqlite'] as const)[0] ?? 'sqlite');
    const hover = { integrationsRecheckSeconds: 1 };
    a = await startIsolatedHoverHostApp({ name: 'A', database: database.options, emulator, client: CLIENT, hover, events: true });
    b = await startIsolatedHoverHostApp({ name: 'B', database: database.options, emulator, client: CLIENT, hover, events: true, runMigrations: false });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await emulator?.stop();
    await database?.drop();
  });

  it("both instances found the host's EventEmitter2 (events on)", () => {
    expect(a.eventsEnabled).toBe(true);
    expect(b.eventsEnabled).toBe(true);
  });

  it('connected: once, by the instance that handled the callback, for a first connection', async () => {
    const consent = await a.connect('default', 1);
    expect(consent).toMatchObject({ status: 302, location: '/' });
    await noteStoredTokens();
    expect(allEvents()).toEqual([
      {
        instance: 'A',
        event: HOVER_EVENTS.CONNECTED,
        payload: { connectionId: 'default', at: expect.any(Number), hoverOrgId: ACME.id, hoverOrgName: ACME.name, previousHoverOrgId: null, integrationsEnabled: true },
      },
    ]);
  });

  it('refreshed: once across both instances (one token request) while 50 concurrent calls on both meet an expired token', async () => {
    await Promise.all([jobs(a), jobs(b)]); // both instances have the row cached
    const before = await a.stored();
    emulator.expireAccessTokens();
    emulator.resetCounters();

    const codes = await codesOf(Array.from({ length: 50 }, (_, i) => jobs(i % 2 ? b : a)));
    expect(codes.filter((code) => code !== null)).toEqual([]);
    expect(emulator.tokenRequestCount('refresh_token')).toBe(1);

    const after = await a.stored();
    await noteStoredTokens();
    expect(after?.version).toBe((before?.version ?? 0) + 1);
    const refreshed = eventsNamed(HOVER_EVENTS.REFRESHED);
    expect(refreshed).toHaveLength(1);
    expect(Object.keys(refreshed[0].payload).sort()).toEqual(['accessTokenExpiresAt', 'at', 'connectionId']);
    expect(refreshed[0].payload).toEqual({ connectionId: 'default', at: expect.any(Number), accessTokenExpiresAt: after?.accessTokenExpiresAt });
  });

  it('integrations_changed: once when the org loses integrations and both instances re-check (both guards flip to 403), once when it gets them back', async () => {
    expect((await a.guarded()).status).toBe(200);
    expect((await b.guarded()).status).toBe(200);

    emulator.setOrgIntegrations(1, false);
    const flipped = { A: false, B: false };
    await waitUntil(
      async () => {
        flipped.A ||= (await a.guarded()).status === 403;
        flipped.B ||= (await b.guarded()).status === 403;
        return flipped.A && flipped.B;
      },
      { timeoutMs: 8000, everyMs: 100 },
    );
    expect((await b.guarded()).body).toMatchObject({ code: 'HOVER_INTEGRATIONS_UNAVAILABLE' });
    await sleep(300); // a late duplicate would show up by now
    let changes = eventsNamed(HOVER_EVENTS.INTEGRATIONS_CHANGED);
    expect(changes).toHaveLength(1);
    expect(changes[0].payload).toEqual({ connectionId: 'default', at: expect.any(Number), hoverOrgId: ACME.id, integrationsEnabled: false, trigger: 'schedule' });
    // Each instance read the profile itself (B's cached row only changes through its own re-check).
    expect(emulator.apiRequestLog().filter((r) => r.path === '/api/v2/users/profile').length).toBeGreaterThanOrEqual(2);
    expect((await a.stored())?.integrationsEnabled).toBe(false);

    emulator.setOrgIntegrations(1, true);
    await waitUntil(async () => (await a.guarded()).status === 200 && (await b.guarded()).status === 200, { timeoutMs: 8000, everyMs: 100 });
    await sleep(300);
    changes = eventsNamed(HOVER_EVENTS.INTEGRATIONS_CHANGED);
    expect(changes).toHaveLength(2);
    expect(changes[1].payload).toMatchObject({ connectionId: 'default', integrationsEnabled: true, trigger: 'schedule' });
  });

  it('reauthorization_required: once (one refused refresh) when Hover revoked the grant and calls on both instances need a refresh', async () => {
    emulator.revokeAllTokens();
    emulator.resetCounters();
    const codes = await codesOf(Array.from({ length: 20 }, (_, i) => jobs(i % 2 ? b : a)));
    expect(new Set(codes)).toEqual(new Set(['HOVER_REAUTHORIZATION_REQUIRED']));
    expect(emulator.tokenRequestCount('refresh_token')).toBe(1);
    expect((await a.stored())?.status).toBe('reauthorization_required');
    await sleep(300);
    const marks = eventsNamed(HOVER_EVENTS.REAUTHORIZATION_REQUIRED);
    expect(marks).toHaveLength(1);
    expect(marks[0].payload).toEqual({ connectionId: 'default', at: expect.any(Number), reason: 'invalid_grant' });
    // Both guards now send the user to reconnect.
    expect((await a.guarded()).body).toMatchObject({ code: 'HOVER_REAUTHORIZATION_REQUIRED' });
    expect((await b.guarded()).body).toMatchObject({ code: 'HOVER_REAUTHORIZATION_REQUIRED' });
  });

  it('reconnected_to_different_org: once when the same connection id is connected by a user of another org; connected when that org connects again', async () => {
    const reconnect = await b.connect('default', 3);
    // reconnectToDifferentOrg 'accept' (the default) tells the browser through the success redirect.
    expect(reconnect).toMatchObject({ status: 302, location: '/?hover_notice=reconnected_to_different_org' });
    await noteStoredTokens();
    const moved = eventsNamed(HOVER_EVENTS.RECONNECTED_TO_DIFFERENT_ORG);
    expect(moved).toEqual([
      {
        instance: 'B',
        event: HOVER_EVENTS.RECONNECTED_TO_DIFFERENT_ORG,
        payload: { connectionId: 'default', at: expect.any(Number), hoverOrgId: String(CEDAR.id), hoverOrgName: CEDAR.name, previousHoverOrgId: ACME.id, integrationsEnabled: true },
      },
    ]);
    expect(eventsNamed(HOVER_EVENTS.CONNECTED)).toHaveLength(1); // still only the first connect

    const again = await a.connect('default', 3);
    expect(again.status).toBe(302);
    await noteStoredTokens();
    const connected = eventsNamed(HOVER_EVENTS.CONNECTED);
    expect(connected).toHaveLength(2);
    expect(connected[1]).toMatchObject({ instance: 'A', payload: { hoverOrgId: String(CEDAR.id), previousHoverOrgId: String(CEDAR.id) } });
    expect(eventsNamed(HOVER_EVENTS.RECONNECTED_TO_DIFFERENT_ORG)).toHaveLength(1);
    expect((await b.stored())).toMatchObject({ status: 'active', hoverOrgId: String(CEDAR.id) });
  });

  it('disconnected: once, by the instance whose delete removed the row', async () => {
    expect(await a.connectionsService.disconnect('default')).toBe(true);
    expect(await b.connectionsService.disconnect('default')).toBe(false);
    expect(eventsNamed(HOVER_EVENTS.DISCONNECTED)).toEqual([{ instance: 'A', event: HOVER_EVENTS.DISCONNECTED, payload: { connectionId: 'default', at: expect.any(Number) } }]);
  });

  it('the whole lifecycle announced each change once, in order, and no payload carries a token', () => {
    const sequence = allEvents()
      .slice()
      .sort((x, y) => (x.payload.at as number) - (y.payload.at as number))
      .map((e) => e.event);
    expect(sequence).toEqual([
      HOVER_EVENTS.CONNECTED,
      HOVER_EVENTS.REFRESHED,
      HOVER_EVENTS.INTEGRATIONS_CHANGED,
      HOVER_EVENTS.INTEGRATIONS_CHANGED,
      HOVER_EVENTS.REAUTHORIZATION_REQUIRED,
      HOVER_EVENTS.RECONNECTED_TO_DIFFERENT_ORG,
      HOVER_EVENTS.CONNECTED,
      HOVER_EVENTS.DISCONNECTED,
    ]);
    const tokens = new Set([...tokensKnownToEmulator(emulator), ...storedTokens]);
    expect(tokens.size).toBeGreaterThanOrEqual(8);
    const text = JSON.stringify(allEvents());
    expect([...tokens].filter((token) => text.includes(token))).toEqual([]);
  });
});

describe('without EventEmitterModule', () => {
  let emulator: HoverEmulator;
  let database: TestDatabase;
  let app: HoverHostApp;

  beforeAll(async () => {
    emulator = new HoverEmulator();
    await emulator.start();
    database = await createTestDatabase('sqlite');
    app = await startIsolatedHoverHostApp({ database: database.options, emulator, client: CLIENT, hover: { integrationsRecheckSeconds: 1 } });
  });

  afterAll(async () => {
    await app?.close();
    await emulator?.stop();
    await database?.drop();
  });

  it('connect, refresh, integrations change, reauthorization and disconnect all work; nothing is emitted', async () => {
    expect(app.eventsEnabled).toBe(false);
    expect(await app.connect('default', 1)).toMatchObject({ status: 302, location: '/' });
    expect((await app.hover.getData('/v3/jobs', { params: { per: 2 } })).results).toHaveLength(2);

    emulator.expireAccessTokens();
    expect((await app.hover.getData('/v3/jobs', { params: { per: 1 } })).results).toHaveLength(1);
    expect(emulator.tokenRequestCount('refresh_token')).toBe(1);

    expect((await app.guarded()).status).toBe(200);
    emulator.setOrgIntegrations(1, false);
    await waitUntil(async () => (await app.guarded()).status === 403, { timeoutMs: 8000, everyMs: 100 });
    emulator.setOrgIntegrations(1, true);

    emulator.revokeAllTokens();
    emulator.expireAccessTokens();
    await expect(app.hover.getData('/v3/jobs')).rejects.toMatchObject({ code: 'HOVER_REAUTHORIZATION_REQUIRED' });
    expect((await app.stored())?.status).toBe('reauthorization_required');

    expect(await app.connectionsService.disconnect('default')).toBe(true);
    expect(await app.stored()).toBeNull();
    expect(app.events).toEqual([]);
  });
});
