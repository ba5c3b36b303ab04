import express, { Response, Router } from 'express';
import { EmulatorContext } from '../emulator-context.interface';
import { OAUTH_ERROR_DESCRIPTIONS, OAuthErrorCode } from '../hover-emulator.constants';
import { MalformedBodyError, readParamsBody } from '../http/read-params-body';
import { readClientCredentials } from './client-credentials';
import { exchangeAuthorizationCode, exchangeRefreshToken, GrantOutcome } from './token-grants';

const SUPPORTED_GRANTS = ['authorization_code', 'refresh_token'] as const;

/**
 * The token endpoint (RFC 6749 §3.2, §4.1.3, §6) and the revocation endpoint (RFC 7009):
 * - `POST /oauth/token` accepts JSON, form-urlencoded and multipart/form-data bodies; client auth by
 *   HTTP Basic or `client_id`/`client_secret`. Every request is counted by `grant_type` first, then
 *   the faults `tokenEndpointHang`, `tokenEndpointDelayMs` (ms), `tokenEndpointResponse` and
 *   `tokenEndpointStatus` apply.
 * - `POST /oauth/revoke` (`token` parameter, client auth required) → 200 `{}` whatever the token.
 */
export function createTokenRouter(ctx: EmulatorContext): Router {
  const router = express.Router();

  router.post('/oauth/token', async (req, res) => {
    let params: Record<string, string>;
    let malformed = false;
    try {
      params = await readParamsBody(req);
    } catch (err) {
      if (!(err instanceof MalformedBodyError)) throw err;
      params = Object.create(null);
      malformed = true;
    }
    const grantType = params.grant_type ?? '';
    ctx.store.countTokenRequest(grantType);
    res.locals.grantType = grantType;

    const faults = ctx.faults();
    if (faults.tokenEndpointHang) {
      ctx.log(`POST /oauth/token grant_type=${grantType || '-'} hanging (tokenEndpointHang fault)`);
      return; // never answered; stop() closes the socket
    }
    if (faults.tokenEndpointDelayMs > 0) await ctx.delay(faults.tokenEndpointDelayMs);
    noStore(res);
    if (faults.tokenEndpointResponse !== null) {
      const { status, contentType, body, headers } = faults.tokenEndpointResponse;
      if (headers) res.set(headers);
      res.status(status).type(contentType).send(body);
      return;
    }
    if (faults.tokenEndpointStatus !== null) {
      res.status(faults.tokenEndpointStatus).json({ error: 'server_error', error_description: OAUTH_ERROR_DESCRIPTIONS.server_error });
      return;
    }
    if (malformed) {
      sendError(ctx, res, { ok: false, error: 'invalid_request' });
      return;
    }

    const outcome = runGrant(ctx, params, req.headers.authorization);
    // The grant is processed (a refresh token rotated) before this wait: a late answer.
    if (faults.tokenAnswerDelayMs > 0) await ctx.delay(faults.tokenAnswerDelayMs);
    if (outcome.ok) res.status(200).json(outcome.body);
    else sendError(ctx, res, outcome);
  });

  router.post('/oauth/revoke', async (req, res) => {
    let params: Record<string, string>;
    try {
      params = await readParamsBody(req);
    } catch (err) {
      if (!(err instanceof MalformedBodyError)) throw err;
      noStore(res);
      sendError(ctx, res, { ok: false, error: 'invalid_request' });
      return;
    }
    noStore(res);
    const credentials = readClientCredentials(params, req.headers.authorization);
    const client = credentials && ctx.store.authenticateClient(credentials.clientId, credentials.clientSecret);
    if (!client) {
      sendError(ctx, res, { ok: false, error: 'invalid_client' });
      return;
    }
    const token = params.token ?? '';
    const record = ctx.store.findByAccessToken(token) ?? ctx.store.findByRefreshToken(token);
    // RFC 7009 §2.2: unknown tokens (and other clients' tokens) still get 200, nothing is revealed.
    if (record && record.clientId === client.clientId) ctx.store.revoke(record, ctx.now());
    res.status(200).json({});
  });

  return router;
}

/** Doorkeeper's order: grant type known? → client authenticated? → grant-specific checks. */
function runGrant(ctx: EmulatorContext, params: Record<string, string>, authorization: string | undefined): GrantOutcome {
  const grantType = params.grant_type;
  if (!grantType) return { ok: false, error: 'invalid_request', description: 'Missing required parameter: grant_type.' };
  if (!(SUPPORTED_GRANTS as readonly string[]).includes(grantType)) return { ok: false, error: 'unsupported_grant_type' };

  const credentials = readClientCredentials(params, authorization);
  const client = credentials && ctx.store.authenticateClient(credentials.clientId, credentials.clientSecret);
  if (!client) return { ok: false, error: 'invalid_client' };

  return grantType === 'authorization_code' ? exchangeAuthorizationCode(ctx, client, params) : exchangeRefreshToken(ctx, client, params);
}

/** RFC 6749 §5.1: token responses must not be cached. */
function noStore(res: Response): void {
  res.set('Cache-Control', 'no-store');
  res.set('Pragma', 'no-cache');
}

/**
 * RFC 6749 §5.2 error body. Status: 401 for `invalid_client` (with `WWW-Authenticate`), else 400 —
 * or 401 for everything under the `always-401` fault (older Doorkeeper).
 */
function sendError(ctx: EmulatorContext, res: Response, outcome: { ok: false; error: OAuthErrorCode; description?: string }): void {
  const description = outcome.description ?? OAUTH_ERROR_DESCRIPTIONS[outcome.error];
  const status = ctx.faults().tokenErrorStatus === 'always-401' || outcome.error === 'invalid_client' ? 401 : 400;
  if (status === 401) {
    res.set('WWW-Authenticate', `Bearer realm="Doorkeeper", error="${outcome.error}", error_description="${description.replace(/"/g, "'")}"`);
  }
  res.status(status).json({ error: outcome.error, error_description: description });
}
