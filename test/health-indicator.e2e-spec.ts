/**
 * HoverHealthIndicator inside a real @nestjs/terminus app (`GET /health` runs
 * `health.check([() => hover.isHealthy('hover')])`, `GET /health/ids` the same with
 * `includeConnectionIds`), against the emulator: `ok` with the stored connection counts; `down` (HTTP
 * 503) when Hover's token endpoint answers 503; reauthorization ids only when asked; no token in any
 * answer. The token endpoint probe is reused for 30 s, so every case starts its own app instance.
 */
import { HoverEmulator } from '@hover-auth/emulator';
import { startHoverHostApp, type HoverHostApp, tokensKnownToEmulator } from './support/hover-host-app';
import { createSqliteDatabase, type TestDatabase } from './support/test-databases';

const CLIENT = { clientId: 'health-client', clientSecret: 'health-client-secret' };

describe('HoverHealthIndicator with @nestjs/terminus', () => {
  let emulator: HoverEmulator;
  let database: TestDatabase;
  let app: HoverHostApp | undefined;

  /** A fresh app instance (fresh probe, fresh back-off state) on the suite's database. */
  async function boot(): Promise<HoverHostApp> {
    app = await startHoverHostApp({ database: database.options, emulator, client: CLIENT, terminus: true });
    return app;
  }

  async function health(path = '/health'): Promise<{ status: number; body: any; text: string }> {
    const response = await fetch(`${(app as HoverHostApp).url}${path}`);
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text), text };
  }

  beforeAll(async () => {
    emulator = new HoverEmulator();
    await emulator.start();
    database = createSqliteDatabase();
    // The stored world: acct-2 and acct-3 need reauthorization (Hover refused their refresh tokens),
    // acct-1 is active.
    const setup = await boot();
    for (const id of ['acct-2', 'acct-3']) expect(await setup.connect(id, 1)).toMatchObject({ status: 302 });
    emulator.revokeAllTokens();
    for (const id of ['acct-2', 'acct-3']) {
      await expect(setup.hover.forConnection(id).getData('/v3/jobs')).rejects.toMatchObject({ code: 'HOVER_REAUTHORIZATION_REQUIRED' });
    }
    expect(await setup.connect('acct-1', 1)).toMatchObject({ status: 302 });
    await setup.close();
    app = undefined;
  });

  beforeEach(() => emulator.resetCounters());

  afterEach(async () => {
    await app?.close();
    app = undefined;
    emulator.setFaults({ tokenEndpointStatus: null });
  });

  afterAll(async () => {
    await emulator?.stop();
    await database?.drop();
  });

  it('ok: token endpoint reachable, connections counted per status, no ids unless asked, no token in the answer', async () => {
    await boot();
    const before = Date.now();
    const answer = await health();
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('ok');
    expect(answer.body.error).toEqual({});
    const hover = answer.body.info.hover;
    expect(hover).toMatchObject({
      status: 'up',
      tokenEndpoint: { reachable: true, httpStatus: expect.any(Number) },
      refreshBackingOff: false,
      connections: { active: 1, reauthorizationRequired: 2 },
    });
    // The probe sends no credentials: Hover answers with an OAuth error (4xx), which proves it is up.
    expect(hover.tokenEndpoint.httpStatus).toBeGreaterThanOrEqual(400);
    expect(hover.tokenEndpoint.httpStatus).toBeLessThan(500);
    expect(hover.tokenEndpoint.checkedAt).toBeGreaterThanOrEqual(before - 5);
    expect(hover).not.toHaveProperty('reauthorizationRequiredIds');
    expect(answer.body.details.hover).toEqual(hover);
    // One token-endpoint request: the probe (a refresh grant without credentials or token).
    expect(emulator.tokenRequestCount()).toBe(1);

    const withIds = await health('/health/ids');
    expect(withIds.status).toBe(200);
    expect(withIds.body.info.hover.reauthorizationRequiredIds).toEqual(['acct-2', 'acct-3']);
    expect(withIds.body.info.hover.connections).toEqual({ active: 1, reauthorizationRequired: 2 });
    // The probe result is reused (30 s): same checkedAt, no second token-endpoint request.
    expect(withIds.body.info.hover.tokenEndpoint.checkedAt).toBe(hover.tokenEndpoint.checkedAt);
    expect(emulator.tokenRequestCount()).toBe(1);

    const tokens = tokensKnownToEmulator(emulator);
    expect(tokens.length).toBeGreaterThanOrEqual(6);
    expect(tokens.filter((token) => answer.text.includes(token) || withIds.text.includes(token))).toEqual([]);
  });

  it('reports the client-side rate limiter of the instance (on by default: 120 per minute), with the requests it sent', async () => {
    const host = await boot();
    await host.hover.forConnection('acct-1').getData('/v3/jobs', { params: { per: 1 } });
    await host.hover.forConnection('acct-1').getData('/v3/jobs', { params: { per: 1 } });
    const answer = await health();
    expect(answer.body.info.hover.rateLimit).toEqual({ queued: 0, sentLastMinute: 2, requestsPerMinute: 120 });
  });

  it("down (HTTP 503): Hover's token endpoint answers 503 (tokenEndpointStatus)", async () => {
    emulator.setFaults({ tokenEndpointStatus: 503 });
    await boot();
    const answer = await health();
    expect(answer.status).toBe(503);
    expect(answer.body.status).toBe('error');
    expect(answer.body.error.hover).toMatchObject({
      status: 'down',
      tokenEndpoint: { reachable: false, httpStatus: 503 },
      connections: { active: 1, reauthorizationRequired: 2 },
    });
    expect(answer.body.info).toEqual({});
  });

  it('down while refreshes back off after a token endpoint failure (1 s), up again once the back-off is over', async () => {
    const host = await boot();
    emulator.expireAccessTokens();
    emulator.setFaults({ tokenEndpointStatus: 503 });
    await expect(host.hover.forConnection('acct-1').getData('/v3/jobs')).rejects.toMatchObject({ code: 'HOVER_TOKEN_ENDPOINT_UNAVAILABLE' });
    emulator.setFaults({ tokenEndpointStatus: null });

    const during = await health();
    expect(during.status).toBe(503);
    expect(during.body.error.hover).toMatchObject({ status: 'down', refreshBackingOff: true, tokenEndpoint: { reachable: true } });

    // The first back-off lasts 1 s; nothing else happens meanwhile (no refresh is attempted).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = await health();
    expect({ status: after.status, refreshBackingOff: (after.body.info.hover ?? after.body.error.hover).refreshBackingOff }).toEqual({ status: 200, refreshBackingOff: false });
  });
});
