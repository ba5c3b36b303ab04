import express, { Request, Response, Router } from 'express';
import { EmulatorContext } from '../emulator-context.interface';
import { readCookie } from '../http/read-cookie';
import { EMULATOR_SIGN_IN_PATH, EMULATOR_USER_COOKIE, OAUTH_ERROR_DESCRIPTIONS } from '../hover-emulator.constants';
import { UserRecord } from '../store/emulator-records.interface';
import { redirectWith, validateAuthorizationRequest } from './authorization-request';
import { CARRIED_PARAMS, renderConsentPage, renderErrorPage, renderIntegrationsUnavailablePage } from './consent-page';

/**
 * The authorization endpoint (RFC 6749 §3.1, §4.1.1–4.1.2), Doorkeeper style:
 * - `GET /oauth/authorize` shows the consent page for the signed-in user (or an error page);
 * - `POST /oauth/authorize` (form) applies the user's decision: `decision=allow` → 302 to
 *   `redirect_uri?code=…&state=…`; `decision=deny` → 302 with `error=access_denied`.
 * Unknown client or unregistered redirect URI → HTML error page (401/400), never a redirect.
 *
 * "Signed-in user" means, per browser: the user named by the `hover_emulator_user` cookie when it
 * names a seeded user, else the emulator-wide one (`setSignedInUser`). The cookie is set by the
 * emulator-only `POST /__emulator/sign-in` (`user_id` + the request parameters, a form on the consent
 * page) → 303 back to `GET /oauth/authorize` with the same parameters; an unknown `user_id` → 400 page.
 */
export function createAuthorizeRouter(ctx: EmulatorContext): Router {
  const router = express.Router();

  router.get('/oauth/authorize', (req, res) => {
    handle(ctx, req, res, stringParams(req.query), false);
  });

  router.post('/oauth/authorize', express.urlencoded({ extended: false, limit: '100kb' }), (req, res) => {
    handle(ctx, req, res, stringParams(req.body), true);
  });

  router.post(EMULATOR_SIGN_IN_PATH, express.urlencoded({ extended: false, limit: '100kb' }), (req, res) => {
    res.set('Cache-Control', 'no-store');
    const params = stringParams(req.body);
    const user = userNamedBy(ctx, params.user_id);
    if (!user) {
      res.status(400).type('html').send(renderErrorPage('invalid_request', 'Unknown user: pick one of the seeded users on the consent page.'));
      return;
    }
    // Session cookie, like a Hover login; SameSite=Lax so the consent page's own forms send it.
    res.cookie(EMULATOR_USER_COOKIE, String(user.id), { httpOnly: true, sameSite: 'lax', path: '/' });
    const back = new URLSearchParams();
    for (const name of CARRIED_PARAMS) if (params[name] !== undefined) back.set(name, params[name]);
    ctx.log(`browser signed in as user ${user.id}`);
    res.redirect(303, `/oauth/authorize?${back.toString()}`);
  });

  return router;
}

function handle(ctx: EmulatorContext, req: Request, res: Response, params: Record<string, string | undefined>, isDecision: boolean): void {
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

  const browserUser = userNamedBy(ctx, readCookie(req.headers.cookie, EMULATOR_USER_COOKIE));
  const user = browserUser ?? ctx.store.signedInUser();
  const org = user && ctx.store.findOrg(user.orgId);
  if (!user || !org) {
    res.status(503).type('html').send(renderErrorPage('server_error', 'The emulator has no signed-in user: seed an org and a user first.'));
    return;
  }
  const page = { client: check.client, user, org, params, users: ctx.store.listUsers(), signedInBy: browserUser ? 'browser' : 'default' } as const;
  if (!org.integrations && ctx.faults().consentWithoutIntegrations === 'block') {
    res.status(403).type('html').send(renderIntegrationsUnavailablePage(page));
    return;
  }

  if (!isDecision) {
    res.status(200).type('html').send(renderConsentPage(page));
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

/** The seeded user whose id is `value` (decimal digits only), else `undefined`: garbage is ignored. */
function userNamedBy(ctx: EmulatorContext, value: string | undefined): UserRecord | undefined {
  return value !== undefined && /^\d{1,15}$/.test(value) ? ctx.store.findUser(Number(value)) : undefined;
}

/** Keeps only single string values (a repeated parameter counts as absent, as it is ambiguous). */
function stringParams(source: unknown): Record<string, string | undefined> {
  const params: Record<string, string | undefined> = Object.create(null);
  if (source && typeof source === 'object') {
    for (const [key, value] of Object.entries(source)) if (typeof value === 'string') params[key] = value;
  }
  return params;
}
