import express, { Request, Response, Router } from 'express';
import { EmulatorContext } from '../emulator-context.interface';
import { JobRecord, OrgRecord, TokenRecord } from '../store/emulator-records.interface';
import { createApiGateway } from './api-gateway';
import { requireBearerToken, TOKEN_LOCAL } from './bearer-auth';
import { requireIntegrations } from './require-integrations';
import { createWebhooksRouter } from './webhooks.routes';

const DEFAULT_PER_PAGE = 25;
const MAX_PER_PAGE = 100;

/**
 * The Hover API subset, mounted at `/api` (shapes from developers.hover.to):
 * - `GET /api/v2/users/profile` → `{ id, email, first_name, last_name, orgs: [{ id, name,
 *   plan: { name, tier }, feature_access: { integrations?: true, measurements: true, … } }] }`
 *   (the org is the one the token was issued for; `integrations` is absent when the plan lacks it,
 *   and the profile still answers 200 then);
 * - `GET /api/v2/jobs?page=&per_page=` (default 25, max 100) →
 *   `{ pagination: { current_page, total_pages, total }, results: Job[] }`;
 * - `GET /api/v3/jobs?page=&per=` (default 25, clamped to 100) →
 *   `{ pagination: { current_page, next_page (null on the last page), total }, results: Job[] }`;
 * - `GET /api/v3/jobs/:id` → the job when it belongs to the token's org, else 404 `{"error":"not_found"}`;
 * - `POST|GET /api/v2/webhooks`, `DELETE /api/v2/webhooks/:id`, `PUT /api/v2/webhooks/:code/verify`
 *   (see `createWebhooksRouter`);
 * - anything else under `/api` → 404 `{"error":"not_found"}` (no auth check, like a Rails routing miss).
 *
 * Order for every request: count and log → `apiDelayMs` → `apiRateLimit` (429) → `apiStatus`
 * (see `createApiGateway`, which explains why these come before the token check) → bearer token
 * (401) → the org's integrations, on every endpoint but the profile (403, see
 * `requireIntegrations`) → the answer.
 */
export function createApiRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  const auth = requireBearerToken(ctx);
  const integrations = requireIntegrations(ctx);

  router.use(createApiGateway(ctx));

  router.get('/v2/users/profile', auth, (_req, res) => {
    const token = tokenOf(res);
    const user = ctx.store.findUser(token.userId);
    const org = ctx.store.findOrg(token.orgId);
    if (!user) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    res.json({
      id: user.id,
      email: user.email,
      first_name: user.firstName,
      last_name: user.lastName,
      orgs: org ? [orgJson(org)] : [],
    });
  });

  router.get('/v2/jobs', auth, integrations, (req, res) => {
    const jobs = ctx.store.listJobs(tokenOf(res).orgId);
    const page = positiveInt(req.query.page, 1);
    const perPage = Math.min(positiveInt(req.query.per_page, DEFAULT_PER_PAGE), MAX_PER_PAGE);
    res.json({
      pagination: { current_page: page, total_pages: Math.ceil(jobs.length / perPage), total: jobs.length },
      results: slice(jobs, page, perPage),
    });
  });

  router.get('/v3/jobs', auth, integrations, (req, res) => {
    const jobs = ctx.store.listJobs(tokenOf(res).orgId);
    const page = positiveInt(req.query.page, 1);
    const per = Math.min(positiveInt(req.query.per, DEFAULT_PER_PAGE), MAX_PER_PAGE);
    const totalPages = Math.ceil(jobs.length / per);
    res.json({
      pagination: { current_page: page, next_page: page < totalPages ? page + 1 : null, total: jobs.length },
      results: slice(jobs, page, per),
    });
  });

  router.get('/v3/jobs/:id', auth, integrations, (req: Request<{ id: string }>, res) => {
    const id = Number(req.params.id);
    const job = ctx.store.listJobs(tokenOf(res).orgId).find((j) => j.id === id);
    if (!job) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    res.json(job);
  });

  router.use('/v2/webhooks', createWebhooksRouter(ctx));

  router.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });

  return router;
}

function tokenOf(res: Response): TokenRecord {
  return res.locals[TOKEN_LOCAL] as TokenRecord;
}

function orgJson(org: OrgRecord) {
  return {
    id: org.id,
    name: org.name,
    plan: { name: org.planName, tier: org.planName.toLowerCase().replace(/[^a-z0-9]+/g, '_') },
    feature_access: { ...(org.integrations ? { integrations: true } : {}), measurements: true, design_tools: true, photos: true },
  };
}

function positiveInt(value: unknown, fallback: number): number {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return fallback;
  const n = Number(value);
  return n >= 1 ? n : fallback;
}

function slice(jobs: readonly JobRecord[], page: number, perPage: number): JobRecord[] {
  return jobs.slice((page - 1) * perPage, page * perPage);
}
