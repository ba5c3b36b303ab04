import { HttpException } from '@nestjs/common';
import * as publicApi from '../index';
import { HoverApiException, parseRetryAfterSeconds, type HoverApiFailure } from './hover-api.exception';
import { HOVER_ERROR_CODES, HoverAuthException } from './hover-auth.exception';

/** One instance of every exported HTTP-facing exception class. */
function oneOfEach(): HoverAuthException[] {
  return [
    new publicApi.HoverInvalidCallbackException('HOVER_INVALID_STATE', 'm'),
    new publicApi.HoverNotConnectedException('acct', '/hover/authorize'),
    new publicApi.HoverReauthorizationRequiredException('acct', '/hover/authorize'),
    new publicApi.HoverIntegrationsUnavailableException('acct'),
    new publicApi.HoverInvalidConnectionIdException('number'),
    new publicApi.HoverInvalidArgumentException('m'),
    new publicApi.HoverInvalidGrantException(400),
    new publicApi.HoverInvalidClientException(401),
    new publicApi.HoverTokenEndpointException('HOVER_TOKEN_ENDPOINT_ERROR', 'm', 400, 'invalid_request'),
    new publicApi.HoverInvalidTokenResponseException('m', 200),
    new publicApi.HoverTokenEndpointUnavailableException('m', 503),
    new publicApi.HoverTokenEndpointTimeoutException(1000),
    new publicApi.HoverRefreshTimeoutException('acct', 1000),
    new publicApi.HoverTokenDecryptionException('acct', 'access_token', 'key id "k1" is not among the configured encryptionKeys'),
    new HoverApiException(failure({ code: 'HOVER_API_ERROR', hoverStatus: 404 })),
    new publicApi.HoverRequestNotReplayedException('POST', '/v3/jobs'),
    new publicApi.HoverRateLimitQueueFullException('queue_full', 30),
    new publicApi.HoverWebhookSignatureException('HOVER_WEBHOOK_SIGNATURE_INVALID', 'm', '12'),
    new publicApi.HoverWebhookRequestException('HOVER_WEBHOOK_REPLAYED', 'm'),
    new publicApi.HoverWebhookNotFoundException('acct', '12'),
  ];
}

function failure(overrides: Partial<HoverApiFailure>): HoverApiFailure {
  return { code: 'HOVER_API_ERROR', method: 'GET', path: '/v3/jobs', hoverStatus: 500, hoverBody: null, retryAfterSeconds: null, ...overrides };
}

describe('one error model', () => {
  it('every exported exception class extends HoverAuthException and is exported from the entry point', () => {
    const exported = Object.entries(publicApi).filter(
      ([, value]) => typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof HttpException,
    );
    expect(exported.length).toBeGreaterThanOrEqual(15);
    for (const [name, value] of exported) {
      expect([name, value === HoverAuthException || (value as { prototype: unknown }).prototype instanceof HoverAuthException]).toEqual([name, true]);
    }
    // The instances below cover every exported class.
    expect(new Set(oneOfEach().map((error) => error.constructor.name))).toEqual(new Set(exported.map(([name]) => name).filter((name) => name !== 'HoverAuthException')));
  });

  it('each carries a code from HOVER_ERROR_CODES, its name, and a body { statusCode, code, message, …details }', () => {
    const codes = new Set<string>(Object.values(HOVER_ERROR_CODES));
    for (const error of oneOfEach()) {
      const body = error.getResponse() as Record<string, unknown>;
      expect([error.constructor.name, codes.has(error.code)]).toEqual([error.constructor.name, true]);
      expect(error.name).toBe(error.constructor.name);
      expect(body).toMatchObject({ statusCode: error.getStatus(), code: error.code, message: error.message });
      expect(error.message.length).toBeGreaterThan(0);
    }
  });

  it('the configuration error has its code too (it is not an HTTP error)', () => {
    const error = new publicApi.HoverAuthConfigurationError(['`clientId` is missing.']);
    expect([error.code, error.name, error instanceof Error, error instanceof HttpException]).toEqual([
      'HOVER_CONFIGURATION_INVALID',
      'HoverAuthConfigurationError',
      true,
      false,
    ]);
    expect(Object.values(HOVER_ERROR_CODES)).toContain(error.code);
  });

  it('a decryption failure shows the end user a generic message; the operator detail stays on the exception', () => {
    const error = new publicApi.HoverTokenDecryptionException('acct', 'refresh_token', 'key id "k1" is not among the configured encryptionKeys');
    expect(error.getResponse()).toEqual({
      statusCode: 500,
      code: 'HOVER_TOKEN_DECRYPTION_FAILED',
      message: 'The stored Hover credentials of this account cannot be read. An operator must check the server log; reconnecting Hover replaces them.',
      connectionId: 'acct',
    });
    expect(error.operatorDetail).toBe('refresh token: key id "k1" is not among the configured encryptionKeys');
  });
});

describe('HoverApiException', () => {
  it.each([
    [400, 400],
    [403, 403],
    [404, 404],
    [409, 409],
    [410, 410],
    [422, 422],
    [401, 502],
    [405, 502],
    [418, 502],
    [500, 502],
    [501, 502],
    [502, 502],
    [503, 503],
    [504, 504],
  ])('Hover %i is rendered as app status %i with code HOVER_API_ERROR', (hoverStatus, appStatus) => {
    const error = new HoverApiException(failure({ hoverStatus }));
    expect([error.getStatus(), error.code, error.hoverStatus]).toEqual([appStatus, 'HOVER_API_ERROR', hoverStatus]);
    expect(error.message).toBe(`Hover's API answered HTTP ${hoverStatus} to GET /v3/jobs.`);
  });

  it('429 → 503 HOVER_API_RATE_LIMITED with retryAfterSeconds in the body; no answer → 503 / 504', () => {
    const limited = new HoverApiException(failure({ code: 'HOVER_API_RATE_LIMITED', hoverStatus: 429, retryAfterSeconds: 30 }));
    expect(limited.getResponse()).toEqual({
      statusCode: 503,
      code: 'HOVER_API_RATE_LIMITED',
      message: "Hover's API rate limit was reached (HTTP 429 to GET /v3/jobs). Retry after 30 s.",
      hoverStatus: 429,
      method: 'GET',
      path: '/v3/jobs',
      retryAfterSeconds: 30,
    });
    expect(new HoverApiException(failure({ code: 'HOVER_API_UNAVAILABLE', hoverStatus: null })).getStatus()).toBe(503);
    expect(new HoverApiException(failure({ code: 'HOVER_API_TIMEOUT', hoverStatus: null })).getStatus()).toBe(504);
  });

  it("keeps Hover's error body on the exception, out of the rendered body", () => {
    const error = new HoverApiException(failure({ hoverStatus: 422, hoverBody: { errors: ['current_user_id is required'] } }));
    expect(error.hoverBody).toEqual({ errors: ['current_user_id is required'] });
    expect(JSON.stringify(error.getResponse())).not.toContain('current_user_id');
  });
});

describe('parseRetryAfterSeconds (RFC 9110 §10.2.3)', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  it.each([
    ['120', 120],
    [' 5 ', 5],
    ['0', 0],
    ['Mon, 30 Nov 2026 12:01:30 GMT', 90],
    ['Mon, 30 Nov 2026 11:00:00 GMT', 0],
    ['soon', null],
    ['-3', null],
    ['', null],
    [undefined, null],
  ])('%p → %p', (value, expected) => {
    expect(parseRetryAfterSeconds(value, now)).toBe(expected);
  });
});
