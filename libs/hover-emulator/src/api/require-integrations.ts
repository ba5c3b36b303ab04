import { NextFunction, Request, Response } from 'express';
import { EmulatorContext } from '../emulator-context.interface';
import { INTEGRATIONS_FORBIDDEN_BODY } from '../hover-emulator.constants';
import { TokenRecord } from '../store/emulator-records.interface';
import { TOKEN_LOCAL } from './bearer-auth';

/**
 * Express middleware, after `requireBearerToken`: Hover's plan gate. When the token's org has no
 * `integrations` feature (seeded so, or switched off by `setOrgIntegrations` after it connected) →
 * 403 `{"error":"forbidden","message":"Third-party integrations are not available on your plan.
 * Upgrade or contact us to enable integrations."}`.
 *
 * Hover documents only that an API call for a plan-gated feature answers 403; its body is unknown
 * (the reference marks it [open]), so this one is the emulator's choice: Hover's own consent-page
 * wording under Rails' usual `error` key. Clients should decide by the status, not the text. The
 * profile endpoint is not gated (it is how an integration reads `feature_access`), nor is the token
 * endpoint.
 */
export function requireIntegrations(ctx: EmulatorContext) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const org = ctx.store.findOrg((res.locals[TOKEN_LOCAL] as TokenRecord).orgId);
    if (org && !org.integrations) {
      res.status(403).json(INTEGRATIONS_FORBIDDEN_BODY);
      return;
    }
    next();
  };
}
