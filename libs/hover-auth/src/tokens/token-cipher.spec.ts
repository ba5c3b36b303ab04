import { randomBytes } from 'node:crypto';
import { HoverTokenDecryptionException } from '../exceptions/hover-token-cipher.exceptions';
import { TokenCipher, type TokenCipherContext } from './token-cipher';

const OLD = { id: 'k2025', key: randomBytes(32) };
const NEW = { id: 'k2026', key: randomBytes(32) };
const ACCESS: TokenCipherContext = { connectionId: 'acct-1', column: 'access_token' };
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.payload.signature-ü';

function tamper(value: string, part: number): string {
  const parts = value.split('.');
  const bytes = Buffer.from(parts[part], 'base64url');
  bytes[0] ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('TokenCipher', () => {
  const cipher = new TokenCipher([NEW, OLD]);

  it('round-trips with the newest key, in the documented form, with a fresh IV each time', () => {
    const a = cipher.encrypt(TOKEN, ACCESS);
    const b = cipher.encrypt(TOKEN, ACCESS);
    expect(a).toMatch(/^hvr1\.k2026\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('payload');
    expect(cipher.decrypt(a, ACCESS)).toBe(TOKEN);
    expect(cipher.decrypt(b, ACCESS)).toBe(TOKEN);
  });

  it.each([
    ['the IV', 2],
    ['the ciphertext', 3],
    ['the tag', 4],
  ])('refuses a value with %s altered', (_part, index) => {
    const value = tamper(cipher.encrypt(TOKEN, ACCESS), index);
    expect(() => cipher.decrypt(value, ACCESS)).toThrow(HoverTokenDecryptionException);
  });

  it('refuses a ciphertext copied into another row or another column', () => {
    const value = cipher.encrypt(TOKEN, ACCESS);
    expect(operatorDetail(() => cipher.decrypt(value, { connectionId: 'acct-2', column: 'access_token' }))).toMatch(/authentication failed/);
    expect(operatorDetail(() => cipher.decrypt(value, { connectionId: 'acct-1', column: 'refresh_token' }))).toMatch(/authentication failed/);
  });

  it('refuses a value relabelled with another configured key id', () => {
    const value = cipher.encrypt(TOKEN, ACCESS).replace('hvr1.k2026.', 'hvr1.k2025.');
    expect(operatorDetail(() => cipher.decrypt(value, ACCESS))).toMatch(/authentication failed/);
  });

  it('refuses the right id with the wrong key material', () => {
    const impostor = new TokenCipher([{ id: 'k2026', key: randomBytes(32) }]);
    expect(operatorDetail(() => impostor.decrypt(cipher.encrypt(TOKEN, ACCESS), ACCESS))).toMatch(/authentication failed/);
  });

  it('rotation: values of the old key still decrypt; new values use the new key; a removed key is named', () => {
    const before = new TokenCipher([OLD]).encrypt(TOKEN, ACCESS);
    expect(TokenCipher.keyIdOf(before)).toBe('k2025');
    expect(cipher.decrypt(before, ACCESS)).toBe(TOKEN);
    expect(TokenCipher.keyIdOf(cipher.encrypt(TOKEN, ACCESS))).toBe('k2026');
    expect(operatorDetail(() => new TokenCipher([NEW]).decrypt(before, ACCESS))).toMatch('key id "k2025" is not among the configured encryptionKeys');
  });

  it('refuses plaintext and truncated values, and never echoes the stored value', () => {
    for (const value of [TOKEN, 'hvr1.k2026.abc', '', 'hvr1.k2026.AAAA.BBBB.CCCC']) {
      let error: unknown;
      try {
        cipher.decrypt(value, ACCESS);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(HoverTokenDecryptionException);
      expect((error as HoverTokenDecryptionException).code).toBe('HOVER_TOKEN_DECRYPTION_FAILED');
      if (value) expect(JSON.stringify((error as HoverTokenDecryptionException).getResponse())).not.toContain(value);
    }
  });
});

/** The operator's detail of the decryption failure `attempt` throws (the HTTP message is generic). */
function operatorDetail(attempt: () => unknown): string {
  try {
    attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(HoverTokenDecryptionException);
    return (error as HoverTokenDecryptionException).operatorDetail;
  }
  throw new Error('expected a HoverTokenDecryptionException');
}
