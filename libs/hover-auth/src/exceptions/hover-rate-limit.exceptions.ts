import { HttpStatus } from '@nestjs/common';
import { HoverAuthException } from './hover-auth.exception';

/** Why the client-side rate limiter refused a request. */
export type HoverRateLimitRefusal = 'queue_full' | 'wait_exceeded';

/**
 * 503 `HOVER_RATE_LIMIT_QUEUE_FULL`: hover-auth's client-side rate limiter (option `rateLimit`) did not
 * send the request — its queue already held `rateLimit.maxQueue` requests (`reason: 'queue_full'`), or
 * the request could not get a slot within `rateLimit.maxWaitMs` (`reason: 'wait_exceeded'`: refused at
 * once when no slot can free in time, else after waiting that long). Nothing
 * reached Hover; retry later. Body adds `reason` and `retryAfterSeconds` (when the next slot frees up,
 * rounded up to whole seconds).
 */
export class HoverRateLimitQueueFullException extends HoverAuthException {
  declare readonly code: 'HOVER_RATE_LIMIT_QUEUE_FULL';

  constructor(
    readonly reason: HoverRateLimitRefusal,
    /** Seconds until the limiter expects a free slot; a hint for a `Retry-After` header. */
    readonly retryAfterSeconds: number,
  ) {
    super(
      'HOVER_RATE_LIMIT_QUEUE_FULL',
      reason === 'queue_full'
        ? "Too many Hover API requests are already waiting for the client-side rate limit (Hover allows 120 per minute per integration). Nothing was sent; try again later or raise `rateLimit.maxQueue`."
        : 'This Hover API request could not get a slot of the client-side rate limit within `rateLimit.maxWaitMs` (Hover allows 120 requests per minute per integration). Nothing was sent; try again later.',
      HttpStatus.SERVICE_UNAVAILABLE,
      { reason, retryAfterSeconds },
    );
  }
}
