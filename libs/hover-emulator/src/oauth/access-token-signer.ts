import { createHmac, randomBytes, randomUUID } from 'crypto';

/** Claims of an emulator access token. Times are epoch SECONDS (RFC 7519 NumericDate). */
export interface AccessTokenClaims {
  iss: 'hover-emulator';
  /** User id, as a string (RFC 7519 §4.1.2 StringOrURI). */
  sub: string;
  org_id: number;
  jti: string;
  iat: number;
  exp: number;
}

/**
 * Mints real-looking JWT access tokens (HS256, RFC 7515/7519) with a random 256-bit key generated per
 * emulator instance, plus opaque refresh tokens and authorization codes (32 random bytes, base64url,
 * 43 characters, like Doorkeeper's). The JWT is decoration: validity is decided by `EmulatorStore`.
 */
export class AccessTokenSigner {
  private readonly key = randomBytes(32);

  /**
   * @param userId token owner
   * @param orgId org the user connected
   * @param issuedAtSeconds epoch SECONDS
   * @param ttlSeconds lifetime in SECONDS
   * @returns a compact JWS `header.payload.signature`
   */
  sign(userId: number, orgId: number, issuedAtSeconds: number, ttlSeconds: number): string {
    const claims: AccessTokenClaims = {
      iss: 'hover-emulator',
      sub: String(userId),
      org_id: orgId,
      jti: randomUUID(),
      iat: issuedAtSeconds,
      exp: issuedAtSeconds + ttlSeconds,
    };
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = base64url(JSON.stringify(claims));
    const signature = createHmac('sha256', this.key).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }

  /** @returns a fresh opaque token (refresh token or authorization code), 43 base64url characters. */
  opaque(): string {
    return randomBytes(32).toString('base64url');
  }
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
