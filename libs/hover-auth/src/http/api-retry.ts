import { DelegateBackoff, handleWhen, retry, type IRetryBackoffContext, type RetryPolicy } from 'cockatiel';
import { HoverApiException } from '../exceptions/hover-api.exception';
import type { HoverRetryOptions } from '../hover-auth-options.interface';
import { isReplayableBody } from './replayable-body';

/** Methods RFC 9110 §9.2.2 calls idempotent: sending them twice has the effect of sending them once. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** Hover statuses worth another attempt: rate limited, or a gateway / overload answer. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/**
 * Whether a request may be sent again after a transient failure: `hoverRetry` decides when given;
 * otherwise only idempotent methods. A body that cannot be sent twice (a stream) never is.
 */
export function mayRetryRequest(config: { method?: string; data?: unknown; hoverRetry?: boolean }): boolean {
  if (config.hoverRetry === false || !isReplayableBody(config.data)) return false;
  return config.hoverRetry === true || IDEMPOTENT_METHODS.has((config.method ?? 'get').toUpperCase());
}

/**
 * Whether `error` is a transient failure of Hover's API: 429, 502, 503, 504, or no answer at all (a
 * network error: connection refused or reset). A timeout is not retried: Hover may have processed the
 * request, and the caller already waited `httpTimeoutMs`. A `Retry-After` longer than the cap is not
 * waited for.
 */
export function isTransientApiFailure(error: unknown, maxRetryAfterSeconds: number): error is HoverApiException {
  if (!(error instanceof HoverApiException)) return false;
  if ((error.retryAfterSeconds ?? 0) > maxRetryAfterSeconds) return false;
  if (error.code === 'HOVER_API_UNAVAILABLE') return true;
  return error.hoverStatus !== null && RETRYABLE_STATUSES.has(error.hoverStatus);
}

/**
 * The retry policy of API requests, built on cockatiel (the attempts, the back-off schedule and the
 * abort signal are its job): up to `maxAttempts` in all, waiting before attempt n+1 a random time
 * between 0 and `initialDelayMs · 2^(n-1)` capped at `maxDelayMs` ("full jitter", so many callers
 * that failed together do not retry together), but never less than Hover's `Retry-After`.
 */
export function apiRetryPolicy(options: Required<HoverRetryOptions>): RetryPolicy {
  const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>>((context) => {
    const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, context.attempt - 1));
    const jittered = Math.random() * ceiling;
    const failure = 'error' in context.result ? context.result.error : undefined;
    const retryAfterMs = failure instanceof HoverApiException && failure.retryAfterSeconds !== null ? failure.retryAfterSeconds * 1000 : 0;
    return Math.max(jittered, retryAfterMs);
  });
  return retry(
    handleWhen((error) => isTransientApiFailure(error, options.maxRetryAfterSeconds)),
    { maxAttempts: options.maxAttempts - 1, backoff },
  );
}
