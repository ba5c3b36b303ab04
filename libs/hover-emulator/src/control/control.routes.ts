import express, { NextFunction, Request, Response, Router } from 'express';
import type { HoverEmulator } from '../hover-emulator';
import type { HoverEmulatorJobState } from '../hover-emulator-job-state';

/**
 * The HTTP control surface under `/__emulator` (JSON in, JSON out), mirroring the programmatic
 * control methods of `HoverEmulator` for tests that run the emulator in another process:
 * - `POST /__emulator/reset` → `{ ok: true }`;
 * - `POST /__emulator/reset-counters` → `{ ok: true }`;
 * - `POST /__emulator/expire-tokens` → `{ expired: n }`;
 * - `POST /__emulator/revoke-tokens` → `{ ok: true }`;
 * - `GET /__emulator/faults` → faults; `POST /__emulator/faults` (partial faults) → merged faults,
 *   400 `{ error: 'invalid_faults', message }` on an unknown key or bad value;
 * - `GET /__emulator/stats` → `{ tokenRequests: { authorization_code, refresh_token, total },
 *   apiRequests, apiRequestsByPath: { [path]: n } }`;
 * - `GET /__emulator/api-requests` → `{ requests: [{ at (epoch ms), method, path, status, clientId }] }`,
 *   the API request log, oldest first (last 100,000 requests);
 * - `POST /__emulator/orgs/:id/integrations` `{ enabled: boolean }` → `{ id, integrations }`; with
 *   `false` the org's API calls but the profile answer 403 (see `HoverEmulator.setOrgIntegrations`);
 * - `GET /__emulator/users` → `{ users: [{ id, email, name, orgId, orgName, integrations }] }` (see
 *   `HoverEmulator.users`); `GET /__emulator/orgs` → `{ orgs: [{ id, name, planName, integrations }] }`;
 * - `POST /__emulator/signed-in-user` `{ userId: number }` → `{ userId }`;
 * - `POST /__emulator/clients` `{ clientId, clientSecret, redirectUris, name? }` → 201 `{ clientId }`;
 * - `POST /__emulator/jobs/:id/state` `{ state }` → `{ id, state, webhookIds }` (see
 *   `HoverEmulator.setJobState`); 400 for a state Hover does not list, 404 for an unknown job;
 * - `GET /__emulator/webhook-deliveries` → `{ deliveries: [...] }` (see `HoverEmulator.webhookDeliveries`);
 * - `GET /__emulator/webhooks` → `{ webhooks: [...] }` (see `HoverEmulator.registeredWebhooks`);
 * - anything else under `/__emulator` → 404 `{ error: 'not_found' }`.
 * Not here: `POST /__emulator/sign-in`, the consent page's HTML "Not you?" form, lives with the
 * consent page in oauth/authorize.routes.ts.
 */
export function createControlRouter(emulator: HoverEmulator): Router {
  const router = express.Router();
  router.use(express.json({ limit: '100kb' }));

  router.post('/reset', (_req, res) => {
    emulator.reset();
    res.json({ ok: true });
  });

  router.post('/reset-counters', (_req, res) => {
    emulator.resetCounters();
    res.json({ ok: true });
  });

  router.post('/expire-tokens', (_req, res) => {
    res.json({ expired: emulator.expireAccessTokens() });
  });

  router.post('/revoke-tokens', (_req, res) => {
    emulator.revokeAllTokens();
    res.json({ ok: true });
  });

  router.get('/faults', (_req, res) => {
    res.json(emulator.faults);
  });

  router.post('/faults', (req, res) => {
    try {
      emulator.setFaults(req.body ?? {});
    } catch (err) {
      res.status(400).json({ error: 'invalid_faults', message: (err as Error).message });
      return;
    }
    res.json(emulator.faults);
  });

  router.get('/stats', (_req, res) => {
    res.json({
      tokenRequests: {
        authorization_code: emulator.tokenRequestCount('authorization_code'),
        refresh_token: emulator.tokenRequestCount('refresh_token'),
        total: emulator.tokenRequestCount(),
      },
      apiRequests: emulator.apiRequestCount(),
      apiRequestsByPath: emulator.apiRequestsByPath(),
    });
  });

  router.get('/api-requests', (_req, res) => {
    res.json({ requests: emulator.apiRequestLog() });
  });

  router.get('/users', (_req, res) => {
    res.json({ users: emulator.users() });
  });

  router.get('/orgs', (_req, res) => {
    res.json({ orgs: emulator.orgs() });
  });

  router.post('/orgs/:id/integrations', (req: Request<{ id: string }>, res) => {
    const enabled: unknown = req.body?.enabled;
    if (typeof enabled !== 'boolean') {
      res.status(400).json({ error: 'invalid_request', message: 'Body must be {"enabled": true|false}.' });
      return;
    }
    const id = Number(req.params.id);
    respondOrNotFound(res, () => emulator.setOrgIntegrations(id, enabled), { id, integrations: enabled });
  });

  router.post('/signed-in-user', (req, res) => {
    const userId: unknown = req.body?.userId;
    if (typeof userId !== 'number') {
      res.status(400).json({ error: 'invalid_request', message: 'Body must be {"userId": <number>}.' });
      return;
    }
    respondOrNotFound(res, () => emulator.setSignedInUser(userId), { userId });
  });

  router.post('/clients', (req, res) => {
    try {
      emulator.registerClient(req.body ?? {});
    } catch (err) {
      res.status(400).json({ error: 'invalid_request', message: (err as Error).message });
      return;
    }
    res.status(201).json({ clientId: req.body.clientId });
  });

  router.post('/jobs/:id/state', (req: Request<{ id: string }>, res) => {
    const id = Number(req.params.id);
    const state: unknown = req.body?.state;
    let webhookIds: number[];
    try {
      webhookIds = emulator.setJobState(id, state as HoverEmulatorJobState);
    } catch (err) {
      const invalid = err instanceof TypeError;
      res.status(invalid ? 400 : 404).json({ error: invalid ? 'invalid_request' : 'not_found', message: (err as Error).message });
      return;
    }
    res.json({ id, state, webhookIds });
  });

  router.get('/webhook-deliveries', (_req, res) => {
    res.json({ deliveries: emulator.webhookDeliveries() });
  });

  router.get('/webhooks', (_req, res) => {
    res.json({ webhooks: emulator.registeredWebhooks() });
  });

  router.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });

  // Malformed JSON bodies: a bad request is never a 500.
  router.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status && err.status < 500 ? err.status : 400).json({ error: 'invalid_request', message: err.message });
  });

  return router;
}

function respondOrNotFound(res: Response, action: () => void, body: object): void {
  try {
    action();
  } catch (err) {
    res.status(404).json({ error: 'not_found', message: (err as Error).message });
    return;
  }
  res.json(body);
}
