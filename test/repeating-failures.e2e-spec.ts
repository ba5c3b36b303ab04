/**
 * Failures that repeat (issue 8, kind 5), against the emulator: each must cost one token request per
 * back-off window, not one per API call, and never touch the stored grant. Assertions count token
 * endpoint requests and read the stored row. Time windows are checked against the measured elapsed
 * time (bounds, not exact instants), so a slow machine cannot make them fail spuriously.
 */
import { connectedSampleSuite } from './support/sample-harness';

describe('failures that repeat (sqlite)', () => {
  const suite = connectedSampleSuite({ tokenEndpointResponse: null, apiRejectAllTokens: false });
  const target = suite.target;
  const stored = suite.stored;
  const refreshes = suite.refreshGrants;
  const call = () => suite.hover().getData('/v3/jobs').then(
    () => 'ok',
    (error: { code?: string }) => error.code ?? 'untyped',
  );
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('a token endpoint answering 302 to a sign-in page on every attempt: one POST per back-off window, grant untouched', async () => {
    const before = await stored();
    target().emulator.setFaults({
      tokenEndpointResponse: { status: 302, contentType: 'text/html', body: '<a href="/users/sign_in">sign in</a>', headers: { Location: '/users/sign_in' } },
    });
    target().emulator.expireAccessTokens();
    const started = Date.now();
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) outcomes.push(await call());
    const elapsed = Date.now() - started;
    expect(outcomes[0]).toBe('HOVER_INVALID_TOKEN_RESPONSE');
    // Each POST's 302 is an invalid answer; every call in between fails fast inside the back-off window.
    expect(outcomes.filter((outcome) => outcome === 'HOVER_INVALID_TOKEN_RESPONSE')).toHaveLength(refreshes());
    expect(outcomes.filter((outcome) => outcome !== 'HOVER_INVALID_TOKEN_RESPONSE' && outcome !== 'HOVER_TOKEN_ENDPOINT_UNAVAILABLE')).toEqual([]);
    // Within the first window (1 s) only the first call reached Hover (a loaded machine may take longer for 20 calls).
    if (elapsed < 1000) expect(new Set(outcomes.slice(1))).toEqual(new Set(['HOVER_TOKEN_ENDPOINT_UNAVAILABLE']));
    // 1 s, then 2 s, … between attempts: at most one POST per elapsed second, plus the first.
    expect(refreshes()).toBeGreaterThanOrEqual(1);
    expect(refreshes()).toBeLessThanOrEqual(1 + Math.floor(elapsed / 1000));
    expect(await stored()).toMatchObject({ status: 'active', version: before.version, refreshToken: before.refreshToken });

    target().emulator.setFaults({ tokenEndpointResponse: null });
    await sleep(2100); // past the second window (2 s) at the latest
    expect(await call()).toBe('ok');
    expect(await stored()).toMatchObject({ status: 'active', version: before.version + 1 });
  });

  it.each<[string, () => string]>([
    ['seconds', () => '3'],
    ['an HTTP-date', () => new Date(Date.now() + 3000).toUTCString()],
  ])('429 with Retry-After (%s) is honoured: no second POST before it lapses, one after', async (_label, retryAfter) => {
    const before = await stored();
    target().emulator.setFaults({
      tokenEndpointResponse: { status: 429, contentType: 'application/json', body: '{"error":"rate_limited"}', headers: { 'Retry-After': retryAfter() } },
    });
    target().emulator.expireAccessTokens();
    const failedAt = Date.now();
    expect(await call()).toBe('HOVER_TOKEN_ENDPOINT_UNAVAILABLE');
    expect(refreshes()).toBe(1);
    // Past the 1 s and 2 s of the plain back-off, still inside Retry-After (3 s; an HTTP-date has 1 s resolution).
    await sleep(Math.max(0, 2050 - (Date.now() - failedAt)));
    const inside = Date.now() - failedAt;
    const outcome = await call();
    // Only while Retry-After measurably still holds (a stalled machine may already be past it).
    if (inside < 2900) {
      expect(outcome).toBe('HOVER_TOKEN_ENDPOINT_UNAVAILABLE');
      expect(refreshes()).toBe(1);
    }

    target().emulator.setFaults({ tokenEndpointResponse: null });
    await sleep(Math.max(0, 3100 - (Date.now() - failedAt)));
    expect(await call()).toBe('ok');
    expect(refreshes()).toBeLessThanOrEqual(3);
    expect(refreshes()).toBeGreaterThanOrEqual(2);
    expect(await stored()).toMatchObject({ status: 'active', version: before.version + 1 });
  });

  it('an API answering 401 to every token, even a fresh one: one refresh, then a typed error without spending more refresh tokens', async () => {
    const before = await stored();
    target().emulator.setFaults({ apiRejectAllTokens: true });
    const outcomes: string[] = [];
    const started = Date.now();
    for (let i = 0; i < 10; i++) outcomes.push(await call());
    const elapsed = Date.now() - started;
    expect(new Set(outcomes)).toEqual(new Set(['HOVER_API_TOKEN_REJECTED']));
    // One refresh for the first 401, then at most one per back-off window (1 s, doubling).
    expect(refreshes()).toBeGreaterThanOrEqual(1);
    expect(refreshes()).toBeLessThanOrEqual(1 + Math.floor(elapsed / 1000));
    const after = await stored();
    expect([after.status, after.version - before.version]).toEqual(['active', refreshes()]);

    target().emulator.setFaults({ apiRejectAllTokens: false });
    await sleep(1100);
    expect(await call()).toBe('ok');
  });

  it('a success ends the refused-token back-off: a real expiry right after an episode refreshes at once', async () => {
    target().emulator.setFaults({ apiRejectAllTokens: true });
    expect(await call()).toBe('HOVER_API_TOKEN_REJECTED'); // a 1 s back-off for the fresh token starts
    target().emulator.setFaults({ apiRejectAllTokens: false });
    expect(await call()).toBe('ok'); // the same token is accepted again
    target().emulator.expireAccessTokens();
    expect(await call()).toBe('ok'); // refreshed at once, not HOVER_API_TOKEN_REJECTED
    expect(refreshes()).toBe(2);
  });
});
