import type { HoverTokenSet } from './hover-token-set';

/**
 * Lifetime assumed when `expires_in` is absent, malformed or out of range, in seconds: half of the
 * 7200 s Hover documents ("Generate access token"), so the access token is refreshed before Hover's
 * real expiry even if the answer lied. An early refresh costs one token request; a too-long guess would
 * only cost a 401 and a refresh, but the shorter guess never sends a token Hover already expired.
 */
export const FALLBACK_ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

/** Accepted `expires_in` range, in seconds: 1 second to 30 days. */
export const MAX_ACCESS_TOKEN_LIFETIME_SECONDS = 30 * 24 * 3600;

/** Longest token accepted, in characters (a Hover access token is a JWT of well under 2 KiB). */
const MAX_TOKEN_LENGTH = 16 * 1024;

/** Result of {@link readTokenResponse}: the token set, or why the answer carries no usable access token. */
export type TokenResponseReading =
  | { ok: true; tokens: HoverTokenSet; warnings: string[] }
  | { ok: false; invalidFields: string[] };

/**
 * Reads a 2xx token endpoint answer (RFC 6749 §5.1) as leniently as is safe. Under refresh-token
 * rotation Hover has already spent the old refresh token when it answers, so refusing an answer for a
 * field we could do without would lose the grant: only the absence of a usable `access_token` (or an
 * OAuth `error` member, RFC 6749 §5.2) makes it invalid. Everything else degrades with a warning:
 * - `expires_in` absent, not a number of seconds, or outside 1 s – 30 days → {@link FALLBACK_ACCESS_TOKEN_LIFETIME_SECONDS};
 * - `token_type` absent or not `Bearer` → the token is still sent as a bearer token (RFC 6750);
 * - `refresh_token` present but not a usable string → ignored (the stored one is kept);
 * - `scope` over 255, `owner_id` over 64, `owner_type` over 32 characters, or of the wrong type → `null`
 *   (the columns' sizes: a longer value would fail the database write).
 *
 * @param body the parsed JSON body
 * @param receivedAt when the answer arrived, epoch milliseconds
 * @returns the token set and warnings (field names and reasons only, never values), or the invalid fields
 */
export function readTokenResponse(body: unknown, receivedAt: number): TokenResponseReading {
  if (!isRecord(body)) return { ok: false, invalidFields: ['body'] };
  if (body.error !== undefined) return { ok: false, invalidFields: ['error'] };
  if (!isToken(body.access_token)) return { ok: false, invalidFields: ['access_token'] };
  const warnings: string[] = [];

  const lifetime = readLifetimeSeconds(body.expires_in);
  if (lifetime.problem) {
    warnings.push(`expires_in ${lifetime.problem}; assuming ${FALLBACK_ACCESS_TOKEN_LIFETIME_SECONDS} s`);
  }
  if (typeof body.token_type !== 'string' || body.token_type.toLowerCase() !== 'bearer') {
    warnings.push(`token_type is ${body.token_type === undefined ? 'absent' : 'not Bearer'}; the access token is sent as a bearer token anyway`);
  }
  let refreshToken: string | null = null;
  if (isToken(body.refresh_token)) refreshToken = body.refresh_token;
  else if (body.refresh_token !== undefined && body.refresh_token !== null) {
    warnings.push('refresh_token is not a usable string; the stored refresh token is kept');
  }

  return {
    ok: true,
    warnings,
    tokens: {
      accessToken: body.access_token,
      refreshToken,
      accessTokenIssuedAt: receivedAt,
      accessTokenExpiresAt: receivedAt + lifetime.seconds * 1000,
      scope: boundedString(body.scope, 255, 'scope', warnings),
      ownerId: boundedString(typeof body.owner_id === 'number' && Number.isSafeInteger(body.owner_id) ? String(body.owner_id) : body.owner_id, 64, 'owner_id', warnings),
      ownerType: boundedString(body.owner_type, 32, 'owner_type', warnings),
    },
  };
}

/** `expires_in` in whole seconds within range, or the fallback with the reason. */
function readLifetimeSeconds(value: unknown): { seconds: number; problem?: string } {
  if (value === undefined || value === null) return { seconds: FALLBACK_ACCESS_TOKEN_LIFETIME_SECONDS, problem: 'is absent' };
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d{1,12}(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) return { seconds: FALLBACK_ACCESS_TOKEN_LIFETIME_SECONDS, problem: 'is not a number of seconds' };
  const seconds = Math.floor(number);
  if (seconds < 1 || seconds > MAX_ACCESS_TOKEN_LIFETIME_SECONDS) {
    return { seconds: FALLBACK_ACCESS_TOKEN_LIFETIME_SECONDS, problem: `is out of range (1-${MAX_ACCESS_TOKEN_LIFETIME_SECONDS} s)` };
  }
  return { seconds };
}

/** A non-empty string of visible ASCII (RFC 6750 b64token, RFC 6749 VSCHAR) of sane length. */
function isToken(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_TOKEN_LENGTH && /^[\x20-\x7e]+$/.test(value) && value.trim() === value;
}

function boundedString(value: unknown, maxLength: number, field: string, warnings: string[]): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.length <= maxLength) return value;
  warnings.push(`${field} is ${typeof value === 'string' ? `longer than ${maxLength} characters` : 'not a string'}; ignored`);
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
