import { HttpStatus } from '@nestjs/common';
import { HoverAuthException } from './hover-auth.exception';

/**
 * 500 `HOVER_TOKEN_DECRYPTION_FAILED`: a stored token could not be decrypted — an unknown key id (a key
 * was removed from `encryptionKeys` too early), a wrong key, a tampered value, or a value copied from
 * another row or column (the additional authenticated data binds each ciphertext to its place).
 *
 * The HTTP body carries only a generic message and `connectionId`: nothing an end user can act on.
 * The operator's detail (column and reason, never the stored value) is in {@link operatorDetail} and
 * is logged at error level by hover-auth where the failure happens.
 */
export class HoverTokenDecryptionException extends HoverAuthException {
  declare readonly code: 'HOVER_TOKEN_DECRYPTION_FAILED';

  /** For operators' logs: which column failed and why, e.g. `refresh token: key id "2025-01" is not among the configured encryptionKeys`. */
  readonly operatorDetail: string;

  constructor(readonly connectionId: string, readonly column: string, reason: string) {
    super(
      'HOVER_TOKEN_DECRYPTION_FAILED',
      'The stored Hover credentials of this account cannot be read. An operator must check the server log; reconnecting Hover replaces them.',
      HttpStatus.INTERNAL_SERVER_ERROR,
      { connectionId },
    );
    this.operatorDetail = `${column.replace('_', ' ')}: ${reason}`;
  }
}
