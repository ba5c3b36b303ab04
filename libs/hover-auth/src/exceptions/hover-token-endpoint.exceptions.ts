import { HttpStatus } from '@nestjs/common';
import { HoverAuthException } from './hover-auth.exception';

/** Stable codes of token endpoint failures. */
export type HoverTokenEndpointErrorCode =
  | 'HOVER_INVALID_GRANT'
  | 'HOVER_INVALID_CLIENT'
  | 'HOVER_TOKEN_ENDPOINT_ERROR'
  | 'HOVER_TOKEN_ENDPOINT_UNAVAILABLE'
  | 'HOVER_TOKEN_ENDPOINT_TIMEOUT'
  | 'HOVER_INVALID_TOKEN_RESPONSE';

/**
 * Base of every failure talking to Hover's token endpoint (`{baseUrl}/oauth/token`). Answers 502 when it
 * reaches an HTTP client. Carries the HTTP status Hover answered with (if any) and the OAuth `error`
 * code (RFC 6749 §5.2), never a token, code or secret.
 */
export class HoverTokenEndpointException extends HoverAuthException {
  declare readonly code: HoverTokenEndpointErrorCode;

  /**
   * At most 60 characters of the response body, with anything token-like (16+ characters of a
   * token alphabet) replaced by `[redacted]`; `null` when not relevant. For operators' logs.
   */
  preview: string | null = null;

  constructor(
    code: HoverTokenEndpointErrorCode,
    message: string,
    /** HTTP status Hover's token endpoint answered with, or `null` (no answer). */
    readonly upstreamStatus: number | null,
    /** The OAuth `error` code of the answer (RFC 6749 §5.2), or `null`. */
    readonly oauthError: string | null,
    status: number = HttpStatus.BAD_GATEWAY,
  ) {
    super(code, message, status);
  }
}

/**
 * `invalid_grant` (status 400, or 401 on older Doorkeeper and per Hover's FAQ): the authorization code
 * or refresh token is invalid, expired, revoked or already used.
 */
export class HoverInvalidGrantException extends HoverTokenEndpointException {
  constructor(upstreamStatus: number) {
    super('HOVER_INVALID_GRANT', 'Hover rejected the grant (invalid_grant).', upstreamStatus, 'invalid_grant');
  }
}

/** `invalid_client`: the client id or secret is wrong — a configuration error; fix the credentials. */
export class HoverInvalidClientException extends HoverTokenEndpointException {
  constructor(upstreamStatus: number) {
    super(
      'HOVER_INVALID_CLIENT',
      'Hover rejected the client credentials (invalid_client). Check clientId and clientSecret.',
      upstreamStatus,
      'invalid_client',
    );
  }
}

/** Transient: timeout, network error, 5xx or 429. The grant is kept; try again later. Answers 503. */
export class HoverTokenEndpointUnavailableException extends HoverTokenEndpointException {
  /**
   * `Retry-After` of Hover's answer in **seconds** (RFC 9110 §10.2.3, delay-seconds or HTTP-date), or
   * `null` when it sent none. Refreshes back off at least this long (capped at 300 s).
   */
  retryAfterSeconds: number | null = null;

  constructor(
    message: string,
    upstreamStatus: number | null,
    code: 'HOVER_TOKEN_ENDPOINT_UNAVAILABLE' | 'HOVER_TOKEN_ENDPOINT_TIMEOUT' = 'HOVER_TOKEN_ENDPOINT_UNAVAILABLE',
  ) {
    super(code, message, upstreamStatus, null, HttpStatus.SERVICE_UNAVAILABLE);
  }

  /**
   * A refresh refused by hover-auth's own back-off, with the **seconds** until it ends as
   * `retryAfterSeconds` in the property and the JSON body (and `Retry-After` through `HoverErrorPageFilter`).
   */
  static retryAfter(seconds: number, message: string): HoverTokenEndpointUnavailableException {
    const failure = new HoverTokenEndpointUnavailableException(message, null);
    failure.retryAfterSeconds = seconds;
    (failure.getResponse() as Record<string, unknown>).retryAfterSeconds = seconds;
    return failure;
  }
}

/**
 * The token endpoint did not answer within the time allowed (`httpTimeoutMs`, or what was left of
 * `refreshDeadlineMs`), in total — not merely an idle socket. Transient: the grant is kept. Answers 503.
 */
export class HoverTokenEndpointTimeoutException extends HoverTokenEndpointUnavailableException {
  constructor(timeoutMs: number) {
    super(`Hover's token endpoint did not answer within ${timeoutMs} ms.`, null, 'HOVER_TOKEN_ENDPOINT_TIMEOUT');
  }
}

/** A response that is not a valid token response (HTML, invalid JSON, missing `access_token`, …). */
export class HoverInvalidTokenResponseException extends HoverTokenEndpointException {
  constructor(message: string, upstreamStatus: number | null) {
    super('HOVER_INVALID_TOKEN_RESPONSE', message, upstreamStatus, null);
  }
}
