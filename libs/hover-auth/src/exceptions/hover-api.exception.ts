import { HttpStatus } from '@nestjs/common';
import { HoverAuthException } from './hover-auth.exception';

/** Codes of {@link HoverApiException}. */
export type HoverApiErrorCode = 'HOVER_API_ERROR' | 'HOVER_API_RATE_LIMITED' | 'HOVER_API_UNAVAILABLE' | 'HOVER_API_TIMEOUT' | 'HOVER_API_TOKEN_REJECTED';

/** What {@link HoverApiException} is built from; produced by hover-auth's axios hooks. */
export interface HoverApiFailure {
  code: HoverApiErrorCode;
  /** HTTP method, upper case. */
  method: string;
  /** Request path relative to `{baseUrl}/api`, without the query string (it may carry user data). */
  path: string;
  /** Hover's HTTP status, or `null` when no answer came (network error, timeout). */
  hoverStatus: number | null;
  /** Hover's error body: parsed JSON, or text (at most 2 KiB), or `null` when empty. */
  hoverBody: unknown;
  /** `Retry-After` of Hover's answer, in **seconds** (RFC 9110 §10.2.3: delay-seconds or HTTP-date), or `null`. */
  retryAfterSeconds: number | null;
  /** The underlying (scrubbed) axios error. */
  cause?: unknown;
}

/**
 * Hover's API answered an error, or did not answer. Replaces the `AxiosError` of a failed
 * {@link HoverHttpService} call (after the one 401 → refresh → retry), with the `Authorization` header
 * of every copy of the request replaced by `Bearer [REDACTED]` (the scrubbed axios error is the `cause`).
 *
 * How Nest renders it (`statusCode` of the app's answer):
 * - Hover 400, 403, 404, 409, 410, 422 → the same status, code `HOVER_API_ERROR` (what the caller asked
 *   for does not exist or was refused: a Hover 404 is an app 404, not a 500);
 * - Hover 401 for an access token just obtained (on the retry after a refresh, or again within the
 *   back-off window that follows) → 502 `HOVER_API_TOKEN_REJECTED`: the grant still refreshes but the API
 *   refuses its tokens, so the org may have lost API access; the same token is not refreshed again for
 *   1 s, doubling to 5 minutes while it repeats;
 * - any other 4xx → 502, `HOVER_API_ERROR`;
 * - Hover 429 → 503, `HOVER_API_RATE_LIMITED` (Hover allows 120 requests per minute per integration,
 *   developers.hover.to "Rate limits");
 * - Hover 500, 501 and other 5xx → 502; Hover 503 → 503; Hover 504 → 504 (`HOVER_API_ERROR`);
 * - no answer: network error → 503 `HOVER_API_UNAVAILABLE`; no answer within `httpTimeoutMs` → 504
 *   `HOVER_API_TIMEOUT`.
 * The JSON body adds `hoverStatus`, `method`, `path` and, when Hover sent one, `retryAfterSeconds`;
 * Hover's own error body stays on the exception ({@link hoverBody}), out of the app's answer.
 */
export class HoverApiException extends HoverAuthException {
  declare readonly code: HoverApiErrorCode;
  /** Hover's HTTP status, or `null` when no answer came. */
  readonly hoverStatus: number | null;
  /** Hover's error body: parsed JSON, text (at most 2 KiB) or `null`. */
  readonly hoverBody: unknown;
  /** `Retry-After` in **seconds**, or `null` when Hover sent none (Hover documents none on 429). */
  readonly retryAfterSeconds: number | null;
  /** HTTP method of the failed request. */
  readonly method: string;
  /** Path of the failed request relative to `{baseUrl}/api`, without query string. */
  readonly path: string;

  constructor(failure: HoverApiFailure) {
    const status = appStatus(failure.code, failure.hoverStatus);
    super(failure.code, describe(failure), status, {
      hoverStatus: failure.hoverStatus,
      method: failure.method,
      path: failure.path,
      ...(failure.retryAfterSeconds === null ? {} : { retryAfterSeconds: failure.retryAfterSeconds }),
    }, { cause: failure.cause });
    this.hoverStatus = failure.hoverStatus;
    this.hoverBody = failure.hoverBody;
    this.retryAfterSeconds = failure.retryAfterSeconds;
    this.method = failure.method;
    this.path = failure.path;
  }
}

const PASSED_THROUGH = new Set([400, 403, 404, 409, 410, 422]);

function appStatus(code: HoverApiErrorCode, hoverStatus: number | null): number {
  if (code === 'HOVER_API_TIMEOUT') return HttpStatus.GATEWAY_TIMEOUT;
  if (code === 'HOVER_API_UNAVAILABLE' || code === 'HOVER_API_RATE_LIMITED') return HttpStatus.SERVICE_UNAVAILABLE;
  if (hoverStatus === null) return HttpStatus.BAD_GATEWAY;
  if (PASSED_THROUGH.has(hoverStatus)) return hoverStatus;
  if (hoverStatus === 503 || hoverStatus === 504) return hoverStatus;
  return HttpStatus.BAD_GATEWAY;
}

function describe(failure: HoverApiFailure): string {
  const request = `${failure.method} ${failure.path}`;
  switch (failure.code) {
    case 'HOVER_API_TIMEOUT':
      return `Hover's API did not answer ${request} in time.`;
    case 'HOVER_API_UNAVAILABLE':
      return `Hover's API could not be reached for ${request}.`;
    case 'HOVER_API_TOKEN_REJECTED':
      return `Hover's API refused a freshly obtained access token (HTTP 401 to ${request}): the Hover org may have lost API access. The grant is kept; reconnecting may help.`;
    case 'HOVER_API_RATE_LIMITED':
      return `Hover's API rate limit was reached (HTTP 429 to ${request}).${failure.retryAfterSeconds === null ? '' : ` Retry after ${failure.retryAfterSeconds} s.`}`;
    default:
      return `Hover's API answered HTTP ${failure.hoverStatus} to ${request}.`;
  }
}

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * @param value the header value
 * @param now current time, epoch milliseconds
 * @returns the delay in whole **seconds** (0 for a date in the past), or `null` when absent or unparsable
 */
export function parseRetryAfterSeconds(value: unknown, now: number = Date.now()): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text);
  // An HTTP-date names a weekday or month ("Sun, 06 Nov 1994 08:49:37 GMT"); Date.parse alone would
  // also read "-3" as a year.
  if (!/[A-Za-z]{3}/.test(text)) return null;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * 503 `HOVER_REQUEST_NOT_REPLAYED`: Hover answered 401 to a request whose body cannot be sent twice (a
 * stream, or another body axios cannot resend as is), so hover-auth did not retry it: a blind retry
 * would send an empty or partial body that Hover might accept, losing data silently. The access token
 * has been renewed meanwhile (refreshed, or replaced by another instance's), so sending the request
 * again with a fresh body will work. Body adds `method` and `path`.
 */
export class HoverRequestNotReplayedException extends HoverAuthException {
  declare readonly code: 'HOVER_REQUEST_NOT_REPLAYED';

  constructor(
    /** HTTP method of the request. */
    readonly method: string,
    /** Path relative to `{baseUrl}/api`, without query string. */
    readonly path: string,
  ) {
    super(
      'HOVER_REQUEST_NOT_REPLAYED',
      `Hover answered 401 to ${method} ${path} and its body (a stream) cannot be sent twice, so it was not retried. The access token has been renewed: send the request again.`,
      HttpStatus.SERVICE_UNAVAILABLE,
      { method, path },
    );
  }
}
