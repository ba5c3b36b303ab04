/**
 * The org's `integrations` flag stays current (option `integrationsRecheckSeconds`, and the re-read
 * after a 403 from Hover's API), seen from HoverIntegrationGuard on a real route of a host app, against
 * the emulator's `setOrgIntegrations` switch:
 * - with a 1 s interval the guard flips to 403 HOVER_INTEGRATIONS_UNAVAILABLE within the interval plus
 *   a small slack after the org loses integrations (one profile read), and back to 200 when it regains
 *   them;
 * - with the default 900 s interval, an API call that gets Hover's 403 makes the guard answer 403 right
 *   after (the profile is re-read at once, trigger `api_forbidden`).
 */
import { HOVER_EVENTS } from '@hover-auth/nestjs';
import { HoverEmulator } from '@hover-auth/emulator';
import { startHoverHostApp, type HoverHostApp, waitUntil } from './support/hover-host-app';
import { createSqliteDatabase, type TestDatabase } from './support/test-databases';

const CLIENT = { clientId: 'integrations-client', clientSecret: 'integrations-client-secret' };
const PROFILE = '/api/v2/users/profile';
/** Slack on top of the re-check interval: the background profile read, the next poll, a loaded machine. */
const SLACK_MS = 750;
const POLL_MS = 50;

describe('integrations kept current, seen from HoverIntegrationGuard', () => {
  let emulator: HoverEmulator;
  let database: TestDatabase;

  beforeAll(async () => {
    emulator = new HoverEmulator();
    await emulator.start();
    database = createSqliteDatabase();
  });

  afterAll(async () => {
    await emulator?.stop();
    await database?.drop();
  });

  beforeEach(() => emulator.setOrgIntegrations(1, true));

  const profileReads = () => emulator.apiRequestLog().filter((r) => r.path === PROFILE).length;

  describe('integrationsRecheckSeconds: 1', () => {
    let app: HoverHostApp;

    beforeAll(async () => {
      app = await startHoverHostApp({ database: database.options, emulator, client: CLIENT, hover: { integrationsRecheckSeconds: 1 }, events: true });
      expect(await app.connect('scheduled', 1)).toMatchObject({ status: 302 });
    });
    afterAll(() => app?.close());

    it('flips to 403 HOVER_INTEGRATIONS_UNAVAILABLE within 1 s + slack after the org loses integrations, with one profile read; back to 200 when it regains them', async () => {
      expect(await app.guarded('scheduled')).toEqual({ status: 200, body: { connectionId: 'scheduled' } }); // starts the clock
      emulator.resetCounters();

      emulator.setOrgIntegrations(1, false);
      const off = await waitUntil(async () => (await app.guarded('scheduled')).status === 403, { timeoutMs: 5000, everyMs: POLL_MS });
      expect(off).toBeLessThanOrEqual(1000 + SLACK_MS);
      expect(profileReads()).toBe(1);
      const refused = await app.guarded('scheduled');
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ statusCode: 403, code: 'HOVER_INTEGRATIONS_UNAVAILABLE' });
      expect((await app.stored('scheduled'))?.integrationsEnabled).toBe(false);

      emulator.setOrgIntegrations(1, true);
      const on = await waitUntil(async () => (await app.guarded('scheduled')).status === 200, { timeoutMs: 5000, everyMs: POLL_MS });
      expect(on).toBeLessThanOrEqual(1000 + SLACK_MS);
      expect(profileReads()).toBe(2);
      expect((await app.stored('scheduled'))?.integrationsEnabled).toBe(true);

      expect(app.events.filter((e) => e.event === HOVER_EVENTS.INTEGRATIONS_CHANGED).map((e) => [e.payload.integrationsEnabled, e.payload.trigger])).toEqual([
        [false, 'schedule'],
        [true, 'schedule'],
      ]);
    });

    it('while nothing changes the guard costs at most one profile read per interval, not one per request', async () => {
      expect((await app.guarded('scheduled')).status).toBe(200);
      emulator.resetCounters();
      const until = Date.now() + 2200;
      let requests = 0;
      while (Date.now() < until) {
        expect((await app.guarded('scheduled')).status).toBe(200);
        requests++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(requests).toBeGreaterThan(20);
      expect(profileReads()).toBeGreaterThanOrEqual(1);
      expect(profileReads()).toBeLessThanOrEqual(3);
    });
  });

  describe('default interval (900 s): a 403 from Hover re-reads the profile at once', () => {
    let app: HoverHostApp;

    beforeAll(async () => {
      app = await startHoverHostApp({ database: database.options, emulator, client: CLIENT, events: true });
    });
    afterAll(() => app?.close());

    /**
     * The API call whose 403 should make the guard answer 403. It waits for the profile re-read, so the
     * caller already gets the guard's typed error, not a bare HOVER_API_ERROR 403.
     */
    async function forbiddenCall(connectionId: string): Promise<void> {
      await expect(app.hover.forConnection(connectionId).getData('/v3/jobs')).rejects.toMatchObject({
        code: 'HOVER_INTEGRATIONS_UNAVAILABLE',
        connectionId,
      });
    }

    it('the 403 as the first use of the connection: the guard answers 403 within 1 s (trigger api_forbidden)', async () => {
      expect(await app.connect('first-use', 1)).toMatchObject({ status: 302 });
      emulator.setOrgIntegrations(1, false);
      await forbiddenCall('first-use');
      const elapsed = await waitUntil(async () => (await app.guarded('first-use')).status === 403, { timeoutMs: 1000, everyMs: POLL_MS });
      expect(elapsed).toBeLessThanOrEqual(1000);
      expect((await app.guarded('first-use')).body).toMatchObject({ code: 'HOVER_INTEGRATIONS_UNAVAILABLE' });
      expect(app.events.filter((e) => e.event === HOVER_EVENTS.INTEGRATIONS_CHANGED).map((e) => e.payload)).toContainEqual(
        expect.objectContaining({ connectionId: 'first-use', integrationsEnabled: false, trigger: 'api_forbidden' }),
      );
    });

    it('the 403 after the guard already let a request through (the clock started): the guard answers 403 within 1 s', async () => {
      expect(await app.connect('in-use', 1)).toMatchObject({ status: 302 });
      expect((await app.guarded('in-use')).status).toBe(200);
      emulator.setOrgIntegrations(1, false);
      emulator.resetCounters();
      await forbiddenCall('in-use');
      let last = 200;
      const flipped = await waitUntil(
        async () => {
          last = (await app.guarded('in-use')).status;
          return last === 403;
        },
        { timeoutMs: 1000, everyMs: POLL_MS },
      ).catch(() => null);
      // Expected: the 403 made hover-auth read the profile (1 request) and the guard refuse.
      expect({ guardStatus: last, profileReads: profileReads() }).toEqual({ guardStatus: 403, profileReads: 1 });
      expect(flipped).not.toBeNull();
    });

    it('a 403 for another reason (the org keeps integrations) stays HOVER_API_ERROR after the re-read', async () => {
      emulator.setOrgIntegrations(1, true);
      expect(await app.connect('other-403', 1)).toMatchObject({ status: 302 });
      emulator.resetCounters();
      emulator.setFaults({ apiStatus: { status: 403, times: 1 } });
      await expect(app.hover.forConnection('other-403').getData('/v3/jobs')).rejects.toMatchObject({ code: 'HOVER_API_ERROR', hoverStatus: 403 });
      expect(profileReads()).toBe(1);
      expect((await app.guarded('other-403')).status).toBe(200);
    });
  });
});
