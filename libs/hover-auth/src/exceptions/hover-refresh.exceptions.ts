import { HttpStatus } from '@nestjs/common';
import { HoverAuthException } from './hover-auth.exception';

/**
 * 503 `HOVER_REFRESH_TIMEOUT`: a call needed a fresh access token and no refresh completed within
 * `refreshDeadlineMs` (another caller or app instance held the refresh lease all along). Transient:
 * the grant is kept; retry later. Body adds `connectionId`.
 */
export class HoverRefreshTimeoutException extends HoverAuthException {
  declare readonly code: 'HOVER_REFRESH_TIMEOUT';

  constructor(readonly connectionId: string, deadlineMs: number) {
    super(
      'HOVER_REFRESH_TIMEOUT',
      `No refresh of the Hover access token completed within ${deadlineMs} ms. Try again shortly.`,
      HttpStatus.SERVICE_UNAVAILABLE,
      { connectionId },
    );
  }
}
