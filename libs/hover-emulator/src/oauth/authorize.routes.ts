import express, { Response, Router } from 'express';
import { EmulatorContext } from '../emulator-context.interface';
import { OAUTH_ERROR_DESCRIPTIONS } from '../hover-emulator.constants';
import { redirectWith, validateAuthorizationRequest } from './authorization-request';
import { renderConsentPage, renderErrorPage, renderIntegrationsUnavailablePage } from './consent-page';

/**
 * The authorization endpoint (RFC 6749 §3.1, §4.1.1–4.1.2), Doorkeeper style:
 * - `GET /oauth/authorize` shows the consent page for the signed-in user (or an error page);
 * - `POST /oauth/authorize` (form) applies the user's decision: `decision=allow` → 302 to
 *   `redirect_uri?code=…&state=…`; `decision=deny` → 302 with `error=access_denied`.
 * Unknown client or unregistered redirect URI → HTML error page (401/400), never a redirect.
 */
export function createAuthorizeRouter(ctx: EmulatorContext): Router {
  const router = express.Router();

  router.get('/oauth/authorize', (req, res) => {
    handle(ctx, res, stringParams(req.query), false);
  });

  router.post('/oauth/authorize', express.urlencoded({ extended: false, limit: '100kb' }), (req, res) => {
    handle(ctx, res, stringParams(req.body), true);
  });

  return router;
}

function handle(ctx: EmulatorContext, res: Response, params: Record<string, string | undefined>, isDecision: boolean): void {
  res.set('Cache-Control', 'no-store');
  const check = validateAuthorizationRequest(ctx, params);
  if (check.kind === 'error-page') {
    res.status(check.status).type('html').send(renderErrorPage(check.error, check.description));
    return;
  }
  if (check.kind === 'redirect-error') {
    res.redirect(302, check.location);
    return;
  }

  const user = ctx.store.signedInUser();
  const org = user && ctx.store.findOrg(user.orgId);
  if (!user || !org) {
    res.status(503).type('html').send(renderErrorPage('server_error', 'The emulator has no signed-in user: seed an org and a user first.'));
    return;
  }
  if (!org.integrations && ctx.faults().consentWithoutIntegrations === 'block') {
    res.status(403).type('html').send(renderIntegrationsUnavailablePage({ client: check.client, user, org }));
    return;
  }

  if (!isDecision) {
    res.status(200).type('html').send(renderConsentPage({ client: check.client, user, org, params }));
    return;
  }

  if (params.decision === 'deny') {
    res.redirect(
      302,
      redirectWith(check.redirectUri, { error: 'access_denied', error_description: OAUTH_ERROR_DESCRIPTIONS.access_denied, state: check.state }),
    );
    return;
  }
  if (params.decision !== 'allow') {
    res.status(400).type('html').send(renderErrorPage('invalid_request', 'Missing or unknown decision: expected "allow" or "deny".'));
    return;
  }

  const code = ctx.signer.opaque();
  ctx.store.saveCode({
    code,
    clientId: check.client.clientId,
    redirectUri: check.redirectUri,
    userId: user.id,
    orgId: org.id,
    codeChallenge: check.codeChallenge,
    codeChallengeMethod: check.codeChallengeMethod,
    expiresAt: ctx.now() + ctx.authorizationCodeTtlSeconds * 1000,
    usedAt: null,
  });
  res.redirect(302, redirectWith(check.redirectUri, { code, state: check.state }));
}

/** Keeps only single string values (a repeated parameter counts as absent, as it is ambiguous). */
function stringParams(source: unknown): Record<string, string | undefined> {
  const params: Record<string, string | undefined> = Object.create(null);
  if (source && typeof source === 'object') {
    for (const [key, value] of Object.entries(source)) if (typeof value === 'string') params[key] = value;
  }
  return params;
}
