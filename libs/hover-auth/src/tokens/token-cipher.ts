import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HoverAuthConfigurationError } from '../exceptions/hover-auth-configuration.error';
import { HoverTokenDecryptionException } from '../exceptions/hover-token-cipher.exceptions';

/** One AES-256 key: `id` is stored with every value it encrypts; `key` is 32 bytes. */
export interface TokenEncryptionKey {
  id: string;
  key: Buffer;
}

/**
 * Which stored field a value belongs to; part of the additional authenticated data: a token of a
 * `hover_connections` row, or the `hmac_secret` of a `hover_webhooks` row (bound to its webhook id and,
 * through `connectionId`, to the connection it belongs to).
 */
export type TokenCipherContext =
  | { connectionId: string; column: 'access_token' | 'refresh_token' }
  | { connectionId: string; webhookId: string; column: 'hmac_secret' };

const FORMAT = 'hvr1';
const IV_BYTES = 12; // 96-bit IV, the size GCM is specified for (NIST SP 800-38D §8.2)
const TAG_BYTES = 16; // 128-bit tag

/**
 * AES-256-GCM for tokens at rest. Stored form: `hvr1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url).
 * A random 96-bit IV per value; the 128-bit tag is checked on decrypt; the additional authenticated
 * data is `hover-auth/hvr1|hover_connections|<column>|<connectionId>|<keyId>` (for a webhook's secret
 * `hover-auth/hvr1|hover_webhooks|hmac_secret|<webhookId>|<connectionId>|<keyId>`), so a ciphertext copied
 * into another row or column, or relabelled with another key id, fails to decrypt.
 *
 * Our own code rather than a library on purpose: the AAD scheme (binding each value to its row and
 * column) is the point, and node:crypto's AES-GCM is the audited primitive underneath.
 */
export class TokenCipher {
  private readonly keysById: Map<string, Buffer>;

  /** @param keys newest first: the first encrypts, all decrypt */
  constructor(private readonly keys: readonly TokenEncryptionKey[]) {
    if (keys.length === 0) throw new HoverAuthConfigurationError(['`encryptionKeys` is empty: at least one key is needed.']);
    this.keysById = new Map(keys.map((entry) => [entry.id, entry.key]));
  }

  /** Id of the key new values are encrypted with. */
  get currentKeyId(): string {
    return this.keys[0].id;
  }

  encrypt(plaintext: string, context: TokenCipherContext): string {
    const { id, key } = this.keys[0];
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(context, id));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, id, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** @throws {HoverTokenDecryptionException} for anything but an intact value made for this place */
  decrypt(stored: string, context: TokenCipherContext): string {
    const parts = stored.split('.');
    const fail = (reason: string) => new HoverTokenDecryptionException(context.connectionId, context.column, reason);
    if (parts.length !== 5 || parts[0] !== FORMAT) throw fail('not an hvr1 value: unencrypted or corrupted; run the re-encryption command');
    const [, keyId, ivText, ciphertextText, tagText] = parts;
    const key = this.keysById.get(keyId);
    if (!key) throw fail(`key id "${safeId(keyId)}" is not among the configured encryptionKeys`);
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw fail('malformed value');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(context, keyId));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw fail('authentication failed: wrong key, tampered, or copied from another row or column');
    }
  }

  /** The key id a stored value was encrypted with, or `null` for a value not in hvr1 form. */
  static keyIdOf(stored: string): string | null {
    const parts = stored.split('.');
    return parts.length === 5 && parts[0] === FORMAT ? parts[1] : null;
  }
}

function aad(context: TokenCipherContext, keyId: string): Buffer {
  const place =
    context.column === 'hmac_secret'
      ? `hover_webhooks|hmac_secret|${context.webhookId}|${context.connectionId}`
      : `hover_connections|${context.column}|${context.connectionId}`;
  return Buffer.from(`hover-auth/${FORMAT}|${place}|${keyId}`, 'utf8');
}

function safeId(id: string): string {
  return /^[A-Za-z0-9_-]{1,32}$/.test(id) ? id : '?';
}
