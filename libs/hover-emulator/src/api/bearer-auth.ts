import { NextFunction, Request, Response } from 'express';
import { EmulatorContext } from '../emulator-context.interface';
import { AccessTokenState } from '../store/emulator-store';
import { TokenRecord } from '../store/emulator-records.interface';

const DESCRIPTIONS: Record<Exclude<AccessTokenState, 'active'>, string> = {
  unknown: 'The access token is invalid',
  expired: 'The access token expired',
  revoked: 'The access token was revoked',
};

/** `res.locals` key under which `requireBearerToken` leaves the authenticated `TokenRecord`. */
export const TOKEN_LOCAL = 'hoverToken';

/**
 * Express middleware: Doorkeeper's `doorkeeper_authorize!` (RFC 6750 §2.1, §3.1). A missing, unknown,
 * expired or revoked bearer token → 401 with an EMPTY body and
 * `WWW-Authenticate: Bearer realm="Doorkeeper", error="invalid_token", error_description="…"`.
 * On the first use of an access token created by a mode-(b) refresh, the row it replaced is revoked
 * (Doorkeeper `revoke_previous_refresh_token!`).
 */
export function requireBearerToken(ctx: EmulatorContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const now = ctx.now();
    const record = findBearerTokenRow(ctx, req);
    const state = ctx.faults().apiRejectAllTokens ? 'unknown' : ctx.store.accessTokenState(record, now);
    if (state !== 'active' || !record) {
      const description = DESCRIPTIONS[state === 'active' ? 'unknown' : state];
      res.status(401).set('WWW-Authenticate', `Bearer realm="Doorkeeper", error="invalid_token", error_description="${description}"`).end();
      return;
    }
    revokePreviousRow(ctx, record, now);
    res.locals[TOKEN_LOCAL] = record;
    next();
  };
}

/**
 * The token row named by the request's `Authorization: Bearer …` header, whatever its state (active,
 * expired or revoked), or `undefined` when the header is missing, not Bearer, or names no issued token.
 */
export function findBearerTokenRow(ctx: EmulatorContext, req: Request): TokenRecord | undefined {
  const match = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match ? ctx.store.findByAccessToken(match[1]) : undefined;
}

function revokePreviousRow(ctx: EmulatorContext, record: TokenRecord, now: number): void {
  if (record.previousRefreshToken === null) return;
  const previous = ctx.store.findByRefreshToken(record.previousRefreshToken);
  if (previous) ctx.store.revoke(previous, now);
  record.previousRefreshToken = null;
}
