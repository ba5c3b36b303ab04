import { randomBytes, randomUUID } from 'crypto';
import express, { Request, Response, Router } from 'express';
import { EmulatorContext } from '../emulator-context.interface';
import { TokenRecord, WebhookRecord } from '../store/emulator-records.interface';
import { requireBearerToken, TOKEN_LOCAL } from './bearer-auth';
import { requireIntegrations } from './require-integrations';

const DEFAULT_PER_PAGE = 25;
const MAX_PER_PAGE = 100;
/** Hover refuses a third registration of the same URL by one org (reference, issue 11). */
export const MAX_WEBHOOKS_PER_URL = 2;

/**
 * Hover's webhook endpoints, mounted at `/api/v2/webhooks` behind the API gateway (count, delay, rate
 * limit, `apiStatus`), the bearer token (401) and the integrations plan gate (403), like the jobs
 * endpoints: webhooks are an integration feature. Shapes from developers.hover.to ("Register
 * Webhook", "List Webhooks", "Verify Webhook", "Webhook Signature Verification"):
 * - `POST /` `{"webhook":{"url","content_type":"json"}}` → 201 webhook JSON (with `hmac_secret`), then
 *   the `webhook-verification-code` event is POSTed to the URL; 422 `{"errors":{field:[message]}}`
 *   for a flat body, a missing or non-http(s) URL, another `content_type`, or a third registration of
 *   the URL by the org;
 * - `GET /?page=&per_page=` → `{ pagination: { current_page, total_pages, total }, results }` (the
 *   org's webhooks, `hmac_secret` included as in Hover's "List Webhooks" sample);
 * - `DELETE /:id` → 204; 404 `{"error":"not_found"}` for an unknown id or another org's webhook;
 * - `PUT /:code/verify` → 200 webhook JSON with `verified_at` set (idempotent); 404 when the code is
 *   no pending code of the token's org.
 * The 422 body shapes are the emulator's choice (Rails' `errors` hash); Hover's are [open].
 */
export function createWebhooksRouter(ctx: EmulatorContext): Router {
  const router = express.Router();
  const guards = [requireBearerToken(ctx), requireIntegrations(ctx)];

  router.post('/', ...guards, express.json({ limit: '100kb' }), (req, res) => {
    const orgId = tokenOf(res).orgId;
    const params: unknown = req.body?.webhook;
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      unprocessable(res, 'webhook', 'param is missing or the value is empty');
      return;
    }
    const { url, content_type: contentType = 'json' } = params as Record<string, unknown>;
    if (typeof url !== 'string' || url === '') return unprocessable(res, 'url', "can't be blank");
    if (!isHttpUrl(url)) return unprocessable(res, 'url', 'is invalid');
    if (contentType !== 'json') return unprocessable(res, 'content_type', 'is not included in the list');
    if (ctx.store.listWebhooks(orgId).filter((w) => w.url === url).length >= MAX_WEBHOOKS_PER_URL) {
      return unprocessable(res, 'url', `has already been registered ${MAX_WEBHOOKS_PER_URL} times`);
    }
    const now = ctx.now();
    const webhook = ctx.store.addWebhook({
      orgId,
      url,
      contentType: 'json',
      hmacSecret: randomBytes(64).toString('base64'),
      verificationCode: randomUUID(),
      createdAt: now,
      updatedAt: now,
      verifiedAt: null,
      lastError: null,
    });
    // After the 201 is on the wire, as Hover does: the event may reach the receiver before the client
    // has stored the answer (see fault webhookDeliveryDelayMs).
    res.on('finish', () => ctx.webhooks.send(webhook, { event: 'webhook-verification-code', code: webhook.verificationCode, webhook_id: webhook.id }));
    res.status(201).json(webhookJson(webhook));
  });

  router.get('/', ...guards, (req, res) => {
    const webhooks = ctx.store.listWebhooks(tokenOf(res).orgId);
    const page = positiveInt(req.query.page, 1);
    const perPage = Math.min(positiveInt(req.query.per_page, DEFAULT_PER_PAGE), MAX_PER_PAGE);
    res.json({
      pagination: { current_page: page, total_pages: Math.ceil(webhooks.length / perPage), total: webhooks.length },
      results: webhooks.slice((page - 1) * perPage, page * perPage).map(webhookJson),
    });
  });

  router.delete('/:id', ...guards, (req: Request<{ id: string }>, res) => {
    const id = /^\d+$/.test(req.params.id) ? Number(req.params.id) : NaN;
    if (!ctx.store.deleteWebhook(tokenOf(res).orgId, id)) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    res.status(204).end();
  });

  router.put('/:code/verify', ...guards, (req: Request<{ code: string }>, res) => {
    const webhook = ctx.store.findWebhookByCode(req.params.code);
    if (!webhook || webhook.orgId !== tokenOf(res).orgId) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    if (webhook.verifiedAt === null) {
      webhook.verifiedAt = ctx.now();
      webhook.updatedAt = webhook.verifiedAt;
    }
    res.json(webhookJson(webhook));
  });

  return router;
}

/** Hover's webhook JSON (key order of its docs' sample); times ISO-8601 UTC. */
function webhookJson(w: WebhookRecord) {
  return {
    id: w.id,
    owner_type: 'Org',
    owner_id: w.orgId,
    url: w.url,
    created_at: new Date(w.createdAt).toISOString(),
    updated_at: new Date(w.updatedAt).toISOString(),
    verified_at: w.verifiedAt === null ? null : new Date(w.verifiedAt).toISOString(),
    hmac_secret: w.hmacSecret,
    last_error: w.lastError,
    content_type: w.contentType,
  };
}

function unprocessable(res: Response, field: string, message: string): void {
  res.status(422).json({ errors: { [field]: [message] } });
}

/** An absolute http(s) URL with a host. http is allowed so local receivers work (Hover may require https: [open]). */
function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function tokenOf(res: Response): TokenRecord {
  return res.locals[TOKEN_LOCAL] as TokenRecord;
}

function positiveInt(value: unknown, fallback: number): number {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return fallback;
  const n = Number(value);
  return n >= 1 ? n : fallback;
}
