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
