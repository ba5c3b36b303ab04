/**
 * Token answers with odd lifetimes, against the emulator issuing real rotating tokens (strict rotation:
 * the old refresh token dies at the refresh) while it reports an odd `expires_in`:
 * - a lifetime at or below the refresh margin (`expires_in: 0`) must not turn every API call into a
 *   refresh grant;
 * - an answer whose `expires_in` is absent or malformed must still be stored, or the refresh token
 *   Hover just rotated is lost and the org must reconnect.
 * Each case records the token-endpoint calls and the stored row, not only status codes.
 */
import { connectedSampleSuite, runConsent } from './support/sample-harness';

describe('odd access-token lifetimes from the token endpoint (sqlite)', () => {
  const suite = connectedSampleSuite({ reportedExpiresIn: 'actual', rotation: 'revoke-on-refresh', tokenEndpointResponse: null });
  const target = suite.target;
  const { stored, hover, refreshGrants } = suite;

  it('expires_in 0 on every answer: 20 sequential calls, then an expiry at Hover → exactly one refresh grant', async () => {
    target().emulator.setFaults({ reportedExpiresIn: 0 });
    // Reconnect so that the stored token, too, came with expires_in 0.
    expect((await runConsent(target(), 'allow')).callback?.location).toBe('/?connected=1');
    const connected = await stored();
    expect(connected.accessTokenExpiresAt - (connected.accessTokenIssuedAt as number)).toBe(3_600_000);
    for (let call = 0; call < 20; call++) expect((await hover().getData('/v3/jobs')).results).toHaveLength(25);
    expect(refreshGrants()).toBe(0);

    target().emulator.expireAccessTokens();
    for (let call = 0; call < 20; call++) expect((await hover().getData('/v3/jobs')).results).toHaveLength(25);
    expect(refreshGrants()).toBe(1);
    const refreshed = await stored();
    expect([refreshed.status, refreshed.version - connected.version]).toEqual(['active', 1]);
    expect(refreshed.refreshToken).not.toBe(connected.refreshToken);
  });

  it.each<[string, unknown]>([
    ['absent', 'omit'],
    ['null', null],
    ['"2h"', '2h'],
    ['-5', -5],
    ['1e308', 1e308],
  ])('expires_in %s on a refresh under strict rotation: the rotated pair is stored (3600 s) and the next refresh works', async (_label, reported) => {
    const before = await stored();
    target().emulator.setFaults({ reportedExpiresIn: reported as never });
    target().emulator.expireAccessTokens();
    expect((await hover().getData('/v3/jobs')).results).toHaveLength(25);
    expect(refreshGrants()).toBe(1);
    const after = await stored();
    expect(after.status).toBe('active');
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(Number.isFinite(after.accessTokenExpiresAt)).toBe(true);
    expect(after.accessTokenExpiresAt - (after.accessTokenIssuedAt as number)).toBe(3_600_000);

    // The old refresh token is dead at Hover: only the stored rotated one can refresh again.
    target().emulator.expireAccessTokens();
    expect((await hover().getData('/v3/jobs')).results).toHaveLength(25);
    expect(refreshGrants()).toBe(2);
    expect(await stored()).toMatchObject({ status: 'active', version: after.version + 1 });
  });

  it('a 200 whose JSON is an OAuth error object is an invalid answer: 502 HOVER_INVALID_TOKEN_RESPONSE, the grant stays active', async () => {
    const before = await stored();
    target().emulator.setFaults({
      tokenEndpointResponse: { status: 200, contentType: 'application/json', body: '{"error":"invalid_grant","error_description":"nope"}' },
    });
    try {
      target().emulator.expireAccessTokens();
      const failure = await hover().getData('/v3/jobs').catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'HOVER_INVALID_TOKEN_RESPONSE' });
    } finally {
      target().emulator.setFaults({ tokenEndpointResponse: null });
    }
    const after = await stored();
    expect([after.status, after.refreshToken, after.version]).toEqual(['active', before.refreshToken, before.version]);
  });
});
