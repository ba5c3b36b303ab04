import { InternalServerErrorException } from '@nestjs/common';

/**
 * A stored token could not be decrypted: unknown key id (a key was removed from `encryptionKeys` too
 * early), a wrong key, a tampered value, or a value copied from another row or column (the additional
 * authenticated data binds each ciphertext to its place). Code `HOVER_TOKEN_DECRYPTION_FAILED`, 500:
 * nothing a user can fix; the log and this message say what an operator should check. Never carries
 * the stored value.
 */
export class HoverTokenDecryptionException extends InternalServerErrorException {
  readonly code = 'HOVER_TOKEN_DECRYPTION_FAILED';

  constructor(readonly connectionId: string, readonly column: string, reason: string) {
    super({
      statusCode: 500,
      code: 'HOVER_TOKEN_DECRYPTION_FAILED',
      message: `The stored ${column.replace('_', ' ')} of Hover connection "${connectionId}" cannot be decrypted (${reason}).`,
      connectionId,
    });
  }
}
