import { ServiceUnavailableException } from '@nestjs/common';

/**
 * 503 `HOVER_REFRESH_TIMEOUT`: a call needed a fresh access token and no refresh completed within
 * `refreshDeadlineMs` (another caller or app instance held the refresh lease all along). Transient:
 * the grant is kept; retry later.
 */
export class HoverRefreshTimeoutException extends ServiceUnavailableException {
  readonly code = 'HOVER_REFRESH_TIMEOUT';

  constructor(readonly connectionId: string, deadlineMs: number) {
    super({
      statusCode: 503,
      code: 'HOVER_REFRESH_TIMEOUT',
      message: `No refresh of the Hover access token completed within ${deadlineMs} ms. Try again shortly.`,
      connectionId,
    });
  }
}
