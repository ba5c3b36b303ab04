import { createHash } from 'crypto';
import { EmulatorContext } from '../emulator-context.interface';
import { OAuthErrorCode } from '../hover-emulator.constants';
import { ClientRecord, TokenRecord } from '../store/emulator-records.interface';

/** Successful token response body, in the key order of Hover's documented example. */
export interface TokenResponseBody {
  access_token: string;
  token_type: 'Bearer';
  /** Lifetime in SECONDS. */
  expires_in?: unknown;
  /** Absent only under the `omitRefreshTokenOnRefresh` fault. */
  refresh_token?: string;
  scope: 'all';
  /** Epoch SECONDS. */
  created_at: number;
  owner_id: number;
  owner_type: 'orgs';
}

/** What a grant handler decided. */
export type GrantOutcome = { ok: true; body: TokenResponseBody } | { ok: false; error: OAuthErrorCode; description?: string };

const invalidGrant: GrantOutcome = { ok: false, error: 'invalid_grant' };

function missing(param: string): GrantOutcome {
  return { ok: false, error: 'invalid_request', description: `Missing required parameter: ${param}.` };
}

/**
 * `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.6) for an authenticated client.
 * Codes are single use; a failed attempt (e.g. wrong `redirect_uri`) does not burn the code, as in
 * Doorkeeper. With PKCE honoured, a code bound to a challenge needs a matching `code_verifier`
 * (missing → `invalid_request`, wrong → `invalid_grant`), and a verifier sent for a code WITHOUT a
 * challenge is `invalid_grant` (Doorkeeper's `validate_code_verifier`).
 */
export function exchangeAuthorizationCode(ctx: EmulatorContext, client: ClientRecord, params: Record<string, string>): GrantOutcome {
  if (!params.code) return missing('code');
  const grant = ctx.store.findCode(params.code);
  const pkce = ctx.faults().pkce === 'honour';
  if (grant && pkce && grant.codeChallenge && !params.code_verifier) return missing('code_verifier');
  if (!params.redirect_uri) return missing('redirect_uri');

  const now = ctx.now();
  if (!grant || grant.usedAt !== null || now >= grant.expiresAt || grant.clientId !== client.clientId) return invalidGrant;
  if (grant.redirectUri !== params.redirect_uri) return invalidGrant;
  if (pkce && (grant.codeChallenge || params.code_verifier)) {
    if (!grant.codeChallenge || !params.code_verifier) return invalidGrant;
    const derived =
      grant.codeChallengeMethod === 'S256' ? createHash('sha256').update(params.code_verifier, 'ascii').digest('base64url') : params.code_verifier;
    if (derived !== grant.codeChallenge) return invalidGrant;
  }

  grant.usedAt = now;
  const record = issueTokenRow(ctx, client.clientId, grant.userId, grant.orgId, ctx.signer.opaque(), null);
  return { ok: true, body: responseBody(ctx, record, true) };
}

/**
 * `grant_type=refresh_token` (RFC 6749 §6) for an authenticated client. Issues a new access token and,
 * unless `omitRefreshTokenOnRefresh`, a new refresh token. The old row is revoked now
 * (`rotation: 'revoke-on-refresh'`) or when the new access token is first used
 * (`'revoke-on-first-use'`; see the API router). A revoked, unknown or other client's refresh token
 * gives `invalid_grant`. An expired access token does not stop its refresh token.
 */
export function exchangeRefreshToken(ctx: EmulatorContext, client: ClientRecord, params: Record<string, string>): GrantOutcome {
  if (!params.refresh_token) return missing('refresh_token');
  const previous = ctx.store.findByRefreshToken(params.refresh_token);
  if (!previous || previous.revokedAt !== null || previous.clientId !== client.clientId) return invalidGrant;

  const faults = ctx.faults();
  const now = ctx.now();
  if (faults.omitRefreshTokenOnRefresh) {
    // The refresh token survives and moves to the new row, so the next refresh retires this access token.
    ctx.store.revoke(previous, now);
    const record = issueTokenRow(ctx, client.clientId, previous.userId, previous.orgId, params.refresh_token, null);
    return { ok: true, body: responseBody(ctx, record, false) };
  }
  if (faults.rotation === 'revoke-on-refresh') {
    ctx.store.revoke(previous, now);
    const record = issueTokenRow(ctx, client.clientId, previous.userId, previous.orgId, ctx.signer.opaque(), null);
    return { ok: true, body: responseBody(ctx, record, true) };
  }
  const record = issueTokenRow(ctx, client.clientId, previous.userId, previous.orgId, ctx.signer.opaque(), params.refresh_token);
  return { ok: true, body: responseBody(ctx, record, true) };
}

function issueTokenRow(
  ctx: EmulatorContext,
  clientId: string,
  userId: number,
  orgId: number,
  refreshToken: string,
  previousRefreshToken: string | null,
): TokenRecord {
  const createdAt = ctx.now();
  const record: TokenRecord = {
    accessToken: ctx.signer.sign(userId, orgId, Math.floor(createdAt / 1000), ctx.accessTokenTtlSeconds),
    refreshToken,
    clientId,
    userId,
    orgId,
    createdAt,
    expiresAt: createdAt + ctx.accessTokenTtlSeconds * 1000,
    revokedAt: null,
    previousRefreshToken,
  };
  ctx.store.saveToken(record);
  return record;
}

function responseBody(ctx: EmulatorContext, record: TokenRecord, includeRefreshToken: boolean): TokenResponseBody {
  const reported = ctx.faults().reportedExpiresIn;
  return {
    access_token: record.accessToken,
    token_type: 'Bearer',
    ...(reported === 'omit' ? {} : { expires_in: reported === 'actual' ? ctx.accessTokenTtlSeconds : reported }),
    ...(includeRefreshToken && record.refreshToken ? { refresh_token: record.refreshToken } : {}),
    scope: 'all',
    created_at: Math.floor(record.createdAt / 1000),
    owner_id: record.orgId,
    owner_type: 'orgs',
  };
}
