import { HttpStatus } from '@nestjs/common';
import { HoverAuthException } from './hover-auth.exception';

/** Stable codes of a refused webhook delivery (see {@link HOVER_ERROR_CODES} for each). */
export type HoverWebhookSignatureErrorCode =
  | 'HOVER_WEBHOOK_SIGNATURE_MISSING'
  | 'HOVER_WEBHOOK_SIGNATURE_MALFORMED'
  | 'HOVER_WEBHOOK_UNKNOWN'
  | 'HOVER_WEBHOOK_SIGNATURE_INVALID'
  | 'HOVER_WEBHOOK_DATE_OUT_OF_RANGE'
  | 'HOVER_WEBHOOK_BODY_DIGEST_MISMATCH';

/**
 * 401 for a webhook delivery that cannot be shown to come from Hover unchanged and recently:
 * - `HOVER_WEBHOOK_SIGNATURE_MISSING`: no `Hover-Signature-256` (nor an allowed legacy `Hover-Signature`);
 * - `HOVER_WEBHOOK_SIGNATURE_MALFORMED`: the header is not `sha256=<webhook id>:<base64 HMAC>`;
 * - `HOVER_WEBHOOK_UNKNOWN`: no `hmac_secret` is stored for the webhook id in the header;
 * - `HOVER_WEBHOOK_SIGNATURE_INVALID`: the HMAC does not match (another webhook's secret, or the body,
 *   path, `Content-Type` or `Date` changed after signing);
 * - `HOVER_WEBHOOK_DATE_OUT_OF_RANGE`: `Date` missing, unparsable or outside the tolerance window;
 * - `HOVER_WEBHOOK_BODY_DIGEST_MISMATCH`: `Content-MD5` is not the base64 MD5 of the body received.
 * Nothing is dispatched and nothing is stored. The message never contains the secret, the signature or
 * the body; the parsed webhook id (when there is one) stays on the exception for the operator's log.
 */
export class HoverWebhookSignatureException extends HoverAuthException {
  declare readonly code: HoverWebhookSignatureErrorCode;

  constructor(
    code: HoverWebhookSignatureErrorCode,
    message: string,
    /** Webhook id named in the signature header, or `null` when none could be read. Not in the body. */
    readonly webhookId: string | null = null,
  ) {
    super(code, message, HttpStatus.UNAUTHORIZED);
  }
}

/** Stable codes of a webhook delivery refused for what it carries, not for its signature. */
export type HoverWebhookRequestErrorCode =
  | 'HOVER_WEBHOOK_INVALID_BODY'
  | 'HOVER_WEBHOOK_REPLAYED'
  | 'HOVER_WEBHOOK_BODY_TOO_LARGE'
  | 'HOVER_WEBHOOK_RAW_BODY_UNAVAILABLE'
  | 'HOVER_WEBHOOK_SECRET_UNREADABLE'
  | 'HOVER_WEBHOOK_VERIFICATION_FAILED';

const REQUEST_STATUS: Record<HoverWebhookRequestErrorCode, number> = {
  HOVER_WEBHOOK_INVALID_BODY: HttpStatus.BAD_REQUEST,
  HOVER_WEBHOOK_REPLAYED: HttpStatus.BAD_REQUEST,
  // 413 (RFC 9110 §15.5.14), the status Nest's own body parser answers for a body over its limit too.
  HOVER_WEBHOOK_BODY_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  HOVER_WEBHOOK_RAW_BODY_UNAVAILABLE: HttpStatus.INTERNAL_SERVER_ERROR,
  HOVER_WEBHOOK_SECRET_UNREADABLE: HttpStatus.INTERNAL_SERVER_ERROR,
  HOVER_WEBHOOK_VERIFICATION_FAILED: HttpStatus.SERVICE_UNAVAILABLE,
};

/**
 * A webhook delivery refused for its content or because it cannot be handled now:
 * - 400 `HOVER_WEBHOOK_INVALID_BODY`: not a JSON object with a string `event` (a verification event
 *   also needs `code` and `webhook_id`);
 * - 400 `HOVER_WEBHOOK_REPLAYED`: the same signed delivery (webhook, `Date`, body) was received before
 *   and dispatched then; it is not dispatched again;
 * - 413 `HOVER_WEBHOOK_BODY_TOO_LARGE`: the body is over `webhook.maxBodyBytes`;
 * - 500 `HOVER_WEBHOOK_RAW_BODY_UNAVAILABLE`: the host's body parser consumed the body and kept no raw
 *   copy (fix: `NestFactory.create(AppModule, { rawBody: true })`);
 * - 500 `HOVER_WEBHOOK_SECRET_UNREADABLE`: the stored secret of the webhook named does not decrypt (the
 *   operator's detail is logged; the next connect of the org registers a new webhook);
 * - `HOVER_WEBHOOK_VERIFICATION_FAILED`: Hover did not confirm the verification code: 400 when it
 *   refused it (4xx), 503 when it could not be asked (unreachable, 5xx, not connected); Hover may send
 *   the code again.
 * Nothing is dispatched. Messages never contain the body, a secret or a verification code.
 */
export class HoverWebhookRequestException extends HoverAuthException {
  declare readonly code: HoverWebhookRequestErrorCode;

  /** @param status overrides the code's usual status (`HOVER_WEBHOOK_VERIFICATION_FAILED` is 400 when Hover refused the code) */
  constructor(code: HoverWebhookRequestErrorCode, message: string, details: Readonly<Record<string, unknown>> = {}, status: number = REQUEST_STATUS[code]) {
    super(code, message, status, details);
  }
}

/** 404 `HOVER_WEBHOOK_NOT_FOUND`: {@link HoverWebhooksService.delete} of a webhook id not stored for the connection. */
export class HoverWebhookNotFoundException extends HoverAuthException {
  declare readonly code: 'HOVER_WEBHOOK_NOT_FOUND';

  constructor(connectionId: string, webhookId: string) {
    super('HOVER_WEBHOOK_NOT_FOUND', 'No webhook with this id is stored for this connection.', HttpStatus.NOT_FOUND, { connectionId, webhookId });
  }
}
