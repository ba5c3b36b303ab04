import { HttpStatus } from '@nestjs/common';
import { HoverAuthException } from './hover-auth.exception';

/** Stable codes of a refused authorization callback. */
export type HoverCallbackErrorCode =
  | 'HOVER_INVALID_STATE'
  | 'HOVER_STATE_BROWSER_MISMATCH'
  | 'HOVER_ISSUER_MISMATCH'
  | 'HOVER_INVALID_CALLBACK';

/**
 * 400 for a callback that cannot belong to a flow this app started in this browser:
 * - `HOVER_INVALID_STATE`: `state` missing, not a single string, oversized, unknown, expired or already
 *   used (RFC 6749 §10.12);
 * - `HOVER_STATE_BROWSER_MISMATCH`: the flow was started in another browser (login CSRF, RFC 9700 §4.7);
 * - `HOVER_ISSUER_MISMATCH`: `iss` differs from the configured issuer (RFC 9207, mix-up attacks);
 * - `HOVER_INVALID_CALLBACK`: `code`, `error` or `iss` missing where needed, repeated or malformed.
 * Nothing is requested from Hover and nothing is stored. The message never echoes query values.
 */
export class HoverInvalidCallbackException extends HoverAuthException {
  declare readonly code: HoverCallbackErrorCode;

  constructor(code: HoverCallbackErrorCode, message: string) {
    super(code, message, HttpStatus.BAD_REQUEST);
  }
}
