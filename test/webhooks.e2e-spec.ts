/**
 * Hover webhooks end to end (issue 11): register on connect → Hover's verification POST → PUT verify →
 * verified; a job state change → the handler runs once with the typed payload; every bad input of the
 * issue refused with its status and code, nothing dispatched and nothing stored; two app instances
 * receiving the same delivery dispatch it once; disconnect deletes the webhooks at Hover and here.
 * Against the emulator, on SQLite and PostgreSQL. The signatures of forged deliveries are computed here
 * from the reference (shared/hover-reference.md, "Webhooks"), not with hover-auth's code.
 */
import { HoverEmulator, type HoverEmulatorWebhookDelivery } from '@hover-auth/emulator';
import { HOVER_EVENTS, HOVER_WEBHOOK_EVENTS, HoverWebhooksService } from '@hover-auth/nestjs';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { HoverWebhookRepository } from '../libs/hover-auth/src/tokens/hover-webhook.repository';
import { startHoverHostApp, waitUntil, type HoverHostApp } from './support/hover-host-app';
import { createTestDatabase, e2eDatabaseKinds, type TestDatabase } from './support/test-databases';

const CLIENT = { clientId: 'webhooks-client', clientSecret: 'webhooks-client-secret' };
const PATH = '/hover/webhooks';

/** Hover's signature: HMAC-SHA256 keyed with the secret string over `content-type,content-md5,path,date`. */
function signedHeaders(body: string, secret: string, webhookId: number | string, options: { path?: string; date?: Date; contentType?: string } = {}) {
  const contentType = options.contentType ?? 'application/json';
  const md5 = createHash('md5').update(body).digest('base64');
  const date = (options.date ?? new Date()).toUTCString();
  const canonical = [contentType, md5, options.path ?? PATH, date].join(',');
  const signature = createHmac('sha256', secret).update(canonical).digest('base64');
  return { 'content-type': contentType, 'content-md5': md5, date, 'hover-signature-256': `sha256=${webhookId}:${signature}` };
}

async function post(url: string, body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; json: any }> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json };
}

/** Sends a recorded delivery again, exactly as the emulator sent it (headers and raw body). */
function resend(url: string, delivery: HoverEmulatorWebhookDelivery, change: (headers: Record<string, string>) => Record<string, string> = (h) => h) {
  const headers = Object.fromEntries(Object.entries(delivery.headers).filter(([name]) => !['content-length', 'host', 'connection'].includes(name)));
  return post(url, delivery.body, change(headers as Record<string, string>));
}

describe.each(e2eDatabaseKinds(['sqlite', 'postgres'] as const))('webhooks on %s', (kind) => {
  let emulator: HoverEmulator;
  let database: TestDatabase;
  let app: HoverHostApp;
  let hookUrl: string;

  const webhookEvents = (host: HoverHostApp = app) => host.events.filter((event) => event.event.startsWith('hover.webhook.'));
  const count = async (table: string) => Number((await app.app.get(DataSource).query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  const lastJobDelivery = () => emulator.webhookDeliveries().filter((d) => d.event === 'job-state-changed').at(-1)!;
  /** Registers a webhook at the emulator with the stored token of 'acme', bypassing hover-auth (nothing stored here). */
  async function registerAtHover(url: string): Promise<{ id: number; hmac_secret: string }> {
    const stored = await app.stored('acme');
    const response = await fetch(`${emulator.baseUrl}/api/v2/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stored!.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ webhook: { url, content_type: 'json' } }),
    });
    return (await response.json()) as { id: number; hmac_secret: string };
  }
  const webhookAtEmulator = (connectionOrg = 1) => emulator.registeredWebhooks().find((w) => w.orgId === connectionOrg && w.url === hookUrl)!;

  beforeAll(async () => {
    emulator = new HoverEmulator();
    await emulator.start();
    database = await createTestDatabase(kind);
    app = await startHoverHostApp({ database: database.options, emulator, client: CLIENT, webhook: {} });
    hookUrl = `${app.url}${PATH}`;
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
    await emulator?.stop();
  });

  it('connect → registered → Hover POSTs the code → PUT verify → verified; the secret is stored encrypted', async () => {
    const verifyCalls = () => emulator.apiRequestLog().filter((r) => r.method === 'PUT' && /\/api\/v2\/webhooks\/[^/]+\/verify$/.test(r.path)).length;
    await app.connect('acme', 1);
    const service = app.app.get(HoverWebhooksService);
    await waitUntil(async () => (await service.listStored('acme'))[0]?.verifiedAt != null, { timeoutMs: 10_000 });

    const [stored] = await service.listStored('acme');
    const atHover = webhookAtEmulator();
    expect(stored).toEqual({ webhookId: String(atHover.id), connectionId: 'acme', hoverOrgId: '1', url: hookUrl, verifiedAt: expect.any(Date), createdAt: expect.any(Date) });
    expect(atHover.verifiedAt).not.toBeNull();
    expect(verifyCalls()).toBe(1);
    await emulator.webhookDeliveriesSettled();
    expect(emulator.webhookDeliveries().map((d) => [d.event, d.status])).toEqual([['webhook-verification-code', 200]]);

    const [row] = await app.app.get(DataSource).query('SELECT hmac_secret FROM hover_webhooks');
    expect(row.hmac_secret).toMatch(/^hvr1\./);
    expect(row.hmac_secret).not.toContain(atHover.hmacSecret);
    expect(app.events.filter((e) => e.event === HOVER_EVENTS.WEBHOOK_VERIFIED).map((e) => e.payload)).toEqual([
      { connectionId: 'acme', at: expect.any(Number), webhookId: String(atHover.id), hoverOrgId: '1' },
    ]);
    // A second connect of the same org registers nothing more.
    await app.connect('acme', 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(emulator.registeredWebhooks().filter((w) => w.orgId === 1)).toHaveLength(1);
  });

  it('a job state change → the handler is called once with the typed payload; the delivery is answered 200', async () => {
    const before = webhookEvents().length;
    emulator.setJobState(10001, 'complete');
    await emulator.webhookDeliveriesSettled();
    await waitUntil(() => webhookEvents().length > before);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const atHover = webhookAtEmulator();
    expect(webhookEvents().slice(before)).toEqual([
      {
        instance: 'app',
        event: HOVER_WEBHOOK_EVENTS.JOB_STATE_CHANGED,
        payload: {
          event: 'job-state-changed',
          webhookId: String(atHover.id),
          connectionId: 'acme',
          hoverOrgId: '1',
          receivedAt: expect.any(Number),
          deliveryKey: expect.stringMatching(/^[0-9a-f]{64}$/),
          payload: {
            event: 'job-state-changed',
            webhook_id: atHover.id,
            job_external_identifier: 'EMU-1-0001',
            job_id: 10001,
            state: 'complete',
            'content-available': 1,
            job_estimated_hours_to_completion: 0,
          },
        },
      },
    ]);
    expect(lastJobDelivery().status).toBe(200);
    expect(await count('hover_webhook_deliveries')).toBe(1);
  });

  describe('bad input: refused with a stable code, nothing dispatched, nothing stored', () => {
    let secret: string;
    let webhookId: number;
    let eventsBefore: number;
    let deliveriesBefore: number;
    const body = () => JSON.stringify({ event: 'job-state-changed', webhook_id: webhookId, job_id: 10001, job_external_identifier: null, state: `working-${randomUUID()}` });

    beforeAll(() => {
      ({ hmacSecret: secret, id: webhookId } = webhookAtEmulator());
    });
    beforeEach(async () => {
      eventsBefore = webhookEvents().length;
      deliveriesBefore = await count('hover_webhook_deliveries');
    });
    afterEach(async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(webhookEvents().length).toBe(eventsBefore);
      expect(await count('hover_webhook_deliveries')).toBe(deliveriesBefore);
    });

    it('a correctly signed forged delivery is accepted (the control case of the ones below)', async () => {
      const text = body();
      expect(await post(hookUrl, text, signedHeaders(text, secret, webhookId))).toEqual({ status: 200, json: { status: 'accepted' } });
      await waitUntil(() => webhookEvents().length === eventsBefore + 1);
      // Counted as accepted: let the afterEach expect the new state.
      eventsBefore += 1;
      deliveriesBefore += 1;
    });

    it.each([
      ['no signature header', (h: Record<string, string>) => { const { 'hover-signature-256': _drop, ...rest } = h; return rest; }, 'HOVER_WEBHOOK_SIGNATURE_MISSING'],
      ['a malformed signature header', (h: Record<string, string>) => ({ ...h, 'hover-signature-256': 'sha256=not base64!' }), 'HOVER_WEBHOOK_SIGNATURE_MALFORMED'],
      ['only the legacy SHA-1 header (not allowed by default)', (h: Record<string, string>) => { const { 'hover-signature-256': _drop, ...rest } = h; return { ...rest, 'hover-signature': 'sha1=1:AAAA' }; }, 'HOVER_WEBHOOK_SIGNATURE_MISSING'],
    ])('%s → 401', async (_name, change, code) => {
      const text = body();
      const res = await post(hookUrl, text, change(signedHeaders(text, secret, webhookId)));
      expect(res).toEqual({ status: 401, json: { statusCode: 401, code, message: expect.any(String) } });
    });

    it("a signature made with another webhook's secret → 401 HOVER_WEBHOOK_SIGNATURE_INVALID", async () => {
      // A second, real webhook of another org (Carol, org 3), registered through the service.
      await app.connect('coastal', 3);
      await waitUntil(async () => (await app.app.get(HoverWebhooksService).listStored('coastal'))[0]?.verifiedAt != null, { timeoutMs: 10_000 });
      const other = webhookAtEmulator(3);
      const text = body();
      const res = await post(hookUrl, text, signedHeaders(text, other.hmacSecret, webhookId));
      expect(res.status).toBe(401);
      expect(res.json.code).toBe('HOVER_WEBHOOK_SIGNATURE_INVALID');
    });

    it('an unknown webhook id → 401 HOVER_WEBHOOK_UNKNOWN', async () => {
      const text = body();
      const res = await post(hookUrl, text, signedHeaders(text, secret, 987654));
      expect(res.status).toBe(401);
      expect(res.json.code).toBe('HOVER_WEBHOOK_UNKNOWN');
    });

    it('the body changed after signing → 401 (digest mismatch; without Content-MD5, signature invalid)', async () => {
      const text = body();
      const headers = signedHeaders(text, secret, webhookId);
      const tampered = text.replace('10001', '10002');
      expect((await post(hookUrl, tampered, headers)).json.code).toBe('HOVER_WEBHOOK_BODY_DIGEST_MISMATCH');
      const { 'content-md5': _md5, ...withoutMd5 } = headers;
      const res = await post(hookUrl, tampered, withoutMd5);
      expect(res.status).toBe(401);
      expect(res.json.code).toBe('HOVER_WEBHOOK_SIGNATURE_INVALID');
    });

    it.each([
      ['10 minutes old', -600_000],
      ['10 minutes in the future', 600_000],
    ])('a Date %s (correctly signed) → 401 HOVER_WEBHOOK_DATE_OUT_OF_RANGE', async (_name, offset) => {
      const text = body();
      const res = await post(hookUrl, text, signedHeaders(text, secret, webhookId, { date: new Date(Date.now() + offset) }));
      expect(res.status).toBe(401);
      expect(res.json.code).toBe('HOVER_WEBHOOK_DATE_OUT_OF_RANGE');
    });

    it('a replayed delivery (the emulator\'s last one, sent again byte for byte) → 400 HOVER_WEBHOOK_REPLAYED', async () => {
      const res = await resend(hookUrl, lastJobDelivery());
      expect(res).toEqual({ status: 400, json: { statusCode: 400, code: 'HOVER_WEBHOOK_REPLAYED', message: expect.any(String), webhookId: String(webhookId) } });
    });

    it('a non-JSON body, correctly signed → 400 HOVER_WEBHOOK_INVALID_BODY (also as text/plain, and a JSON array)', async () => {
      for (const [text, contentType] of [['{"event": "job-state-changed",', 'application/json'], ['hello', 'text/plain'], ['[1,2]', 'application/json'], ['{"event": 42}', 'application/json']]) {
        const res = await post(hookUrl, text, signedHeaders(text, secret, webhookId, { contentType }));
        expect([text, res.status, res.json.code]).toEqual([text, 400, 'HOVER_WEBHOOK_INVALID_BODY']);
      }
    });

    it('a body over the cap (64 KiB) → 413 HOVER_WEBHOOK_BODY_TOO_LARGE; over the body parser\'s 100 kB → 413 too', async () => {
      const big = JSON.stringify({ event: 'job-state-changed', padding: 'x'.repeat(70_000) });
      const res = await post(hookUrl, big, signedHeaders(big, secret, webhookId));
      expect(res.status).toBe(413);
      expect(res.json.code).toBe('HOVER_WEBHOOK_BODY_TOO_LARGE');
      const huge = JSON.stringify({ event: 'job-state-changed', padding: 'x'.repeat(200_000) });
      expect((await post(hookUrl, huge, signedHeaders(huge, secret, webhookId))).status).toBe(413);
      const hugeText = 'y'.repeat(200_000);
      const asText = await post(hookUrl, hugeText, signedHeaders(hugeText, secret, webhookId, { contentType: 'text/plain' }));
      expect([asText.status, asText.json.code]).toEqual([413, 'HOVER_WEBHOOK_BODY_TOO_LARGE']);
    });

    it('a verification code for an unknown webhook → 401 HOVER_WEBHOOK_UNKNOWN (after waiting for a late row, at most 16 waits at once), and no verify call', async () => {
      const puts = () => emulator.apiRequestLog().filter((r) => r.method === 'PUT').length;
      const putsBefore = puts();
      // 20 at once: 16 wait for a late row (5 s), the rest are refused at once (a flood cannot pile up waits).
      const answers = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const started = Date.now();
          const res = await post(hookUrl, JSON.stringify({ event: 'webhook-verification-code', code: randomUUID(), webhook_id: 987654 }), { 'content-type': 'application/json' });
          return { status: res.status, code: res.json.code, ms: Date.now() - started };
        }),
      );
      expect(new Set(answers.map((answer) => `${answer.status} ${answer.code}`))).toEqual(new Set(['401 HOVER_WEBHOOK_UNKNOWN']));
      expect(answers.filter((answer) => answer.ms >= 4500)).toHaveLength(16);
      expect(answers.filter((answer) => answer.ms < 2000)).toHaveLength(4);
      expect(puts()).toBe(putsBefore);
    });

    it('a verification code for a webhook already verified → 200, and Hover is not asked again', async () => {
      const puts = () => emulator.apiRequestLog().filter((r) => r.method === 'PUT').length;
      const putsBefore = puts();
      const res = await post(hookUrl, JSON.stringify({ event: 'webhook-verification-code', code: randomUUID(), webhook_id: webhookId }), { 'content-type': 'application/json' });
      expect(res).toEqual({ status: 200, json: { status: 'already_verified', webhookId: String(webhookId) } });
      expect(puts()).toBe(putsBefore);
    });

    it('a wrong verification code for a webhook not verified yet → 400 HOVER_WEBHOOK_VERIFICATION_FAILED (Hover refused it); it stays unverified', async () => {
      // Registered straight at Hover for a URL nobody listens on, so Hover's own verification POST fails.
      const deadUrl = 'http://127.0.0.1:9/nobody';
      const created = await registerAtHover(deadUrl);
      await emulator.webhookDeliveriesSettled();
      const repository = app.app.get(HoverWebhookRepository);
      await repository.insert({ webhookId: String(created.id), connectionId: 'acme', hoverOrgId: '1', url: deadUrl, hmacSecret: created.hmac_secret, verifiedAt: null });
      try {
        const res = await post(hookUrl, JSON.stringify({ event: 'webhook-verification-code', code: randomUUID(), webhook_id: created.id }), { 'content-type': 'application/json' });
        expect(res).toEqual({ status: 400, json: { statusCode: 400, code: 'HOVER_WEBHOOK_VERIFICATION_FAILED', message: 'Hover refused this verification code.', webhookId: String(created.id) } });
        expect((await repository.findById(String(created.id)))?.verifiedAt).toBeNull();
        expect(emulator.registeredWebhooks().find((w) => w.id === created.id)?.verifiedAt).toBeNull();
      } finally {
        await app.app.get(HoverWebhooksService).delete('acme', String(created.id));
      }
    });

    it('the emulator\'s own bad signatures (fault webhookSignature) are refused too', async () => {
      for (const fault of ['wrong-secret', 'tampered-body', 'stale-date', 'missing'] as const) {
        emulator.setFaults({ webhookSignature: fault });
        emulator.setJobState(10002, 'working');
        await emulator.webhookDeliveriesSettled();
        expect([fault, lastJobDelivery().status]).toEqual([fault, 401]);
      }
      emulator.setFaults({ webhookSignature: 'valid' });
    });
  });

  it('a verification POST that arrives before the registration row is committed is confirmed once the row appears', async () => {
    // Registered straight at Hover (the emulator), so no row exists here when Hover POSTs the code.
    const url = `${app.url}${PATH}?late=1`;
    const created = await registerAtHover(url);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(emulator.registeredWebhooks().find((w) => w.id === created.id)!.verifiedAt).toBeNull();
    await app.app.get(HoverWebhookRepository).insert({ webhookId: String(created.id), connectionId: 'acme', hoverOrgId: '1', url, hmacSecret: created.hmac_secret, verifiedAt: null });
    await emulator.webhookDeliveriesSettled();
    expect(emulator.registeredWebhooks().find((w) => w.id === created.id)!.verifiedAt).not.toBeNull();
    expect(emulator.webhookDeliveries().filter((d) => d.webhookId === created.id).map((d) => d.status)).toEqual([200]);
    await app.app.get(HoverWebhooksService).delete('acme', String(created.id));
    expect(emulator.registeredWebhooks().find((w) => w.id === created.id)).toBeUndefined();
  });

  it('two app instances receiving the same delivery dispatch it once', async () => {
    const second = await startHoverHostApp({ name: 'second', database: database.options, emulator, client: CLIENT, webhook: {}, runMigrations: false });
    // A load balancer that hands every delivery to both instances at once (as a retry racing the first try would).
    const answers: number[] = [];
    const fanOut: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !['content-length', 'host', 'connection'].includes(name))) as Record<string, string>;
        const body = Buffer.concat(chunks);
        const results = await Promise.all([app, second].map((host) => post(`${host.url}${request.url}`, body, headers)));
        answers.push(...results.map((r) => r.status));
        response.writeHead(results.some((r) => r.status === 200) ? 200 : 502).end();
      });
    });
    await new Promise<void>((resolve) => fanOut.listen(0, '127.0.0.1', resolve));
    try {
      const fanOutUrl = `http://127.0.0.1:${(fanOut.address() as AddressInfo).port}${PATH}`;
      const webhook = await second.app.get(HoverWebhooksService).register('acme', { url: fanOutUrl });
      await emulator.webhookDeliveriesSettled();
      expect((await second.app.get(HoverWebhooksService).get(webhook.webhookId))?.verifiedAt).not.toBeNull();

      const before = [webhookEvents(app).length, webhookEvents(second).length];
      answers.length = 0;
      for (const state of ['working', 'processing', 'complete'] as const) emulator.setJobState(10003, state);
      await emulator.webhookDeliveriesSettled();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const dispatched = [...webhookEvents(app).slice(before[0]), ...webhookEvents(second).slice(before[1])].filter((e) => e.payload.webhookId === webhook.webhookId);
      expect(dispatched.map((e) => (e.payload.payload as { state: string }).state).sort()).toEqual(['complete', 'processing', 'working']);
      // Per delivery: one instance accepted (200), the other saw a repeat (400).
      expect(answers.sort()).toEqual([200, 200, 200, 400, 400, 400]);
      await second.app.get(HoverWebhooksService).delete('acme', webhook.webhookId);
    } finally {
      fanOut.close();
      await second.close();
    }
  });

  it('delete: another connection\'s webhook is refused (404, kept at Hover and here); an id nobody has is 404', async () => {
    const service = app.app.get(HoverWebhooksService);
    const [coastal] = await service.listStored('coastal');
    const deletesBefore = emulator.apiRequestLog().filter((r) => r.method === 'DELETE').length;
    await expect(service.delete('acme', coastal.webhookId)).rejects.toMatchObject({ code: 'HOVER_WEBHOOK_NOT_FOUND', status: 404 });
    expect(emulator.apiRequestLog().filter((r) => r.method === 'DELETE').length).toBe(deletesBefore);
    expect(await service.listStored('coastal')).toEqual([coastal]);
    await expect(service.delete('acme', '424242')).rejects.toMatchObject({ code: 'HOVER_WEBHOOK_NOT_FOUND' });
    await expect(service.delete('acme', '../1')).rejects.toMatchObject({ code: 'HOVER_WEBHOOK_NOT_FOUND' });
  });

  it('disconnect deletes the connection\'s webhooks at Hover and here; its later deliveries are refused', async () => {
    const [mine] = await app.app.get(HoverWebhooksService).listStored('acme');
    expect(mine).toBeDefined();
    expect(await app.connectionsService.disconnect('acme')).toBe(true);
    expect(await app.app.get(HoverWebhooksService).listStored('acme')).toEqual([]);
    expect(emulator.registeredWebhooks().filter((w) => w.orgId === 1)).toEqual([]);
    // Another connection's webhook is untouched.
    expect(await app.app.get(HoverWebhooksService).listStored('coastal')).toHaveLength(1);
    const text = JSON.stringify({ event: 'job-state-changed', job_id: 10001 });
    const res = await post(hookUrl, text, signedHeaders(text, 'any-secret', mine.webhookId));
    expect(res.json.code).toBe('HOVER_WEBHOOK_UNKNOWN');
  });
});

describe('webhooks: wiring mistakes and odd requests get clear answers (SQLite)', () => {
  let emulator: HoverEmulator;
  const databases: TestDatabase[] = [];

  beforeAll(async () => {
    emulator = new HoverEmulator();
    await emulator.start();
  });
  afterAll(async () => {
    for (const database of databases) await database.drop();
    await emulator?.stop();
  });
  const database = async () => {
    const created = await createTestDatabase('sqlite');
    databases.push(created);
    return created.options;
  };

  it('without @nestjs/event-emitter the app does not start, and the error says how to fix it', async () => {
    const start = startHoverHostApp({ database: await database(), emulator, client: CLIENT, webhook: {}, eventEmitter: false });
    await expect(start).rejects.toThrow(/`webhook` option dispatches Hover webhook events through @nestjs\/event-emitter.*EventEmitterModule\.forRoot\(\)/);
  });

  it('an app created without rawBody answers 500 HOVER_WEBHOOK_RAW_BODY_UNAVAILABLE naming the fix (and logs it once); an empty body is a 400', async () => {
    const errors: string[] = [];
    const logger = { log() {}, warn() {}, debug() {}, verbose() {}, error: (message: unknown) => void errors.push(String(message)) };
    const app = await startHoverHostApp({ database: await database(), emulator, client: CLIENT, webhook: {}, rawBody: false, logger });
    try {
      const url = `${app.url}${PATH}`;
      for (let i = 0; i < 2; i++) {
        const res = await post(url, JSON.stringify({ event: 'job-state-changed' }), { 'content-type': 'application/json' });
        expect(res).toEqual({ status: 500, json: { statusCode: 500, code: 'HOVER_WEBHOOK_RAW_BODY_UNAVAILABLE', message: expect.stringContaining('NestFactory.create(AppModule, { rawBody: true })') } });
      }
      expect(errors.filter((line) => line.includes('rawBody: true'))).toHaveLength(1);
      const empty = await post(url, '', { 'content-type': 'application/json' });
      expect([empty.status, empty.json.code]).toEqual([400, 'HOVER_WEBHOOK_INVALID_BODY']);
      // A content type no parser reads is read by the route itself, rawBody or not.
      const text = 'x';
      expect((await post(url, text, signedHeaders(text, 's', 1, { contentType: 'text/plain' }))).json.code).toBe('HOVER_WEBHOOK_INVALID_BODY');
    } finally {
      await app.close();
    }
  });

  it('refusals are logged (throttled: one line per code a minute, with a count); a body that does not decompress is a coded 400', async () => {
    const warnings: string[] = [];
    const logs: string[] = [];
    const logger = { log: (message: unknown) => void logs.push(String(message)), warn: (message: unknown) => void warnings.push(String(message)), error() {}, debug() {}, verbose() {} };
    const app = await startHoverHostApp({ database: await database(), emulator, client: CLIENT, webhook: {}, logger });
    try {
      expect(logs).toContain(`Receiving Hover webhooks at POST ${PATH} (registered URL ${app.url}${PATH}).`);
      const text = JSON.stringify({ event: 'job-state-changed' });
      for (let i = 0; i < 3; i++) expect((await post(`${app.url}${PATH}`, text, { 'content-type': 'application/json' })).json.code).toBe('HOVER_WEBHOOK_SIGNATURE_MISSING');
      expect(warnings.filter((line) => line.startsWith('Refused a Hover webhook delivery'))).toEqual([
        'Refused a Hover webhook delivery: 401 HOVER_WEBHOOK_SIGNATURE_MISSING: The webhook delivery has no Hover-Signature-256 header.',
      ]);
      const gzip = await post(`${app.url}${PATH}`, 'not gzip at all', { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      expect([gzip.status, gzip.json.code]).toEqual([400, 'HOVER_WEBHOOK_INVALID_BODY']);
      expect(warnings).toContain('Refused a Hover webhook delivery: 400 HOVER_WEBHOOK_INVALID_BODY: The webhook body could not be read.');
    } finally {
      await app.close();
    }
  });

  it('other methods on the path are not webhooks (404), and the route is absent without the option', async () => {
    const withRoute = await startHoverHostApp({ database: await database(), emulator, client: CLIENT, webhook: { path: '/in/hover' } });
    const without = await startHoverHostApp({ database: await database(), emulator, client: CLIENT });
    try {
      expect((await fetch(`${withRoute.url}/in/hover`)).status).toBe(404);
      expect((await post(`${withRoute.url}/in/hover`, '{}', { 'content-type': 'application/json' })).json.code).toBe('HOVER_WEBHOOK_INVALID_BODY');
      expect((await post(`${without.url}${PATH}`, '{}', { 'content-type': 'application/json' })).status).toBe(404);
    } finally {
      await withRoute.close();
      await without.close();
    }
  });
});

describe.each(e2eDatabaseKinds(['sqlite', 'postgres'] as const))("the lifecycle of an org's webhook on %s", (kind) => {
  let emulator: HoverEmulator;
  let database: TestDatabase;
  let app: HoverHostApp;
  let service: HoverWebhooksService;
  let hookUrl: string;

  const atHover = (orgId: number) => emulator.registeredWebhooks().filter((w) => w.orgId === orgId && w.url === hookUrl);
  const rows = () => app.app.get(DataSource).query('SELECT webhook_id, connection_id, hover_org_id, verified_at FROM hover_webhooks ORDER BY webhook_id');
  const jobEvents = () => app.events.filter((event) => event.event === HOVER_WEBHOOK_EVENTS.JOB_STATE_CHANGED);
  /** Waits until the connection is served by a verified webhook other than `previous`; resolves to its id. */
  async function verifiedFor(connectionId: string, previous?: string): Promise<string> {
    const current = async () => (await service.listStored(connectionId)).find((w) => w.verifiedAt !== null && w.webhookId !== previous);
    await waitUntil(async () => (await current()) !== undefined, { timeoutMs: 10_000 });
    return (await current())!.webhookId;
  }
  /** One job state change of org 1; resolves to the dispatched events it caused. */
  async function changeJob(state: 'working' | 'processing' | 'complete') {
    const before = jobEvents().length;
    emulator.setJobState(10001, state);
    await emulator.webhookDeliveriesSettled();
    await new Promise((resolve) => setTimeout(resolve, 200));
    return jobEvents().slice(before).map((event) => ({ connectionId: event.payload.connectionId, webhookId: event.payload.webhookId }));
  }

  beforeAll(async () => {
    emulator = new HoverEmulator();
    await emulator.start();
    database = await createTestDatabase(kind);
    app = await startHoverHostApp({ database: database.options, emulator, client: CLIENT, webhook: {} });
    service = app.app.get(HoverWebhooksService);
    hookUrl = `${app.url}${PATH}`;
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
    await emulator?.stop();
  });

  it('three connections of one org share one webhook (Hover allows two per URL): each event once; a disconnect hands it on', async () => {
    await app.connect('a1', 1);
    const webhookId = await verifiedFor('a1');
    await app.connect('a2', 1);
    await app.connect('a3', 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(atHover(1).map((w) => String(w.id))).toEqual([webhookId]);
    expect((await service.listStored('a3')).map((w) => [w.webhookId, w.connectionId])).toEqual([[webhookId, 'a1']]);
    expect(await changeJob('working')).toEqual([{ connectionId: 'a1', webhookId }]);

    // The holder leaves: the webhook passes to another connection of the org, still at Hover, still delivering.
    await app.connectionsService.disconnect('a1');
    expect(await rows()).toEqual([expect.objectContaining({ webhook_id: webhookId, connection_id: 'a2' })]);
    expect(atHover(1)).toHaveLength(1);
    expect(await changeJob('processing')).toEqual([{ connectionId: 'a2', webhookId }]);
    await app.connectionsService.disconnect('a2');
    expect(await changeJob('complete')).toEqual([{ connectionId: 'a3', webhookId }]);
    // The last connection of the org leaves: deleted at Hover and here.
    await app.connectionsService.disconnect('a3');
    expect(atHover(1)).toEqual([]);
    expect(await rows()).toEqual([]);
  });

  it('a disconnect whose tokens are dead leaves an orphan at Hover; the org\'s next connect deletes it and registers afresh', async () => {
    await app.connect('b1', 1);
    const first = await verifiedFor('b1');
    emulator.revokeAllTokens();
    await app.connectionsService.disconnect('b1');
    expect(await rows()).toEqual([]);
    expect(atHover(1).map((w) => String(w.id))).toEqual([first]);

    await app.connect('b1', 1);
    const second = await verifiedFor('b1', first);
    expect(second).not.toBe(first);
    expect(atHover(1).map((w) => String(w.id))).toEqual([second]);
    expect(await changeJob('working')).toEqual([{ connectionId: 'b1', webhookId: second }]);
    await app.connectionsService.disconnect('b1');
  });

  it('a webhook whose verification never completed, or whose secret no longer decrypts, is replaced by the next connect', async () => {
    await app.connect('c1', 1);
    const first = await verifiedFor('c1');
    // As if its verification had failed a while ago.
    await app.app.get(DataSource).query(`UPDATE hover_webhooks SET verified_at = NULL, created_at = ${Date.now() - 120_000} WHERE webhook_id = '${first}'`);
    await app.connect('c1', 1);
    const second = await verifiedFor('c1', first);
    expect(second).not.toBe(first);
    expect(atHover(1).map((w) => String(w.id))).toEqual([second]);

    // A secret that does not decrypt (bound to another connection): deliveries get a 500 naming no connection.
    const repository = app.app.get(HoverWebhookRepository);
    const row = (await repository.findById(second))!;
    const moved = await repository.transfer(row, 'someone-else');
    expect(moved).toBe(true);
    await app.app.get(DataSource).query(`UPDATE hover_webhooks SET connection_id = 'c1' WHERE webhook_id = '${second}'`);
    emulator.setJobState(10001, 'working');
    await emulator.webhookDeliveriesSettled();
    const refused = emulator.webhookDeliveries().at(-1)!;
    expect(refused.status).toBe(500);
    const replay = await resend(hookUrl, refused);
    expect(replay.json).toEqual({ statusCode: 500, code: 'HOVER_WEBHOOK_SECRET_UNREADABLE', message: expect.stringContaining('next connect registers a new webhook') });
    await app.connect('c1', 1);
    const third = await verifiedFor('c1', second);
    expect(third).not.toBe(second);
    expect(atHover(1).map((w) => String(w.id))).toEqual([third]);
    await app.connectionsService.disconnect('c1');
  });

  it('a webhook of an earlier webhook.url is deleted at Hover and here by the next ensureRegistered (no event twice)', async () => {
    await app.connect('e1', 1);
    const current = await verifiedFor('e1');
    const old = await service.register('e1', { url: `${app.url}${PATH}?old=1` });
    await emulator.webhookDeliveriesSettled();
    expect(emulator.registeredWebhooks().filter((w) => w.orgId === 1)).toHaveLength(2);
    expect((await service.ensureRegistered('e1')).webhookId).toBe(current);
    expect(emulator.registeredWebhooks().filter((w) => w.orgId === 1).map((w) => String(w.id))).toEqual([current]);
    expect((await service.listStored('e1')).map((w) => w.webhookId)).toEqual([current]);
    expect(old.webhookId).not.toBe(current);
    await app.connectionsService.disconnect('e1');
  });

  it('the two connections of an org disconnecting at the same moment leave no webhook here (no event dispatched); the next connect leaves exactly one at Hover', async () => {
    await app.connect('f1', 1);
    await app.connect('f2', 1);
    await verifiedFor('f1');
    await Promise.all([app.connectionsService.disconnect('f1'), app.connectionsService.disconnect('f2')]);
    expect(await rows()).toEqual([]);
    expect(await changeJob('working')).toEqual([]);
    await app.connect('f3', 1);
    const webhookId = await verifiedFor('f3');
    // Hover's copy left by the race (verified, not stored: an orphan) was deleted by that connect.
    expect(atHover(1).map((w) => String(w.id))).toEqual([webhookId]);
    expect(await changeJob('processing')).toEqual([{ connectionId: 'f3', webhookId }]);
    await app.connectionsService.disconnect('f3');
  });

  it('two instances connecting one org at the same moment store one webhook, and each event is dispatched once', async () => {
    const second = await startHoverHostApp({ name: 'second', database: database.options, emulator, client: CLIENT, webhook: { url: hookUrl }, runMigrations: false });
    try {
      for (let round = 0; round < 3; round++) {
        await Promise.all([app.connect(`g${round}a`, 1), second.connect(`g${round}b`, 1)]);
        await waitUntil(async () => (await rows()).length === 1 && (await rows())[0].verified_at !== null, { timeoutMs: 10_000 });
        await emulator.webhookDeliveriesSettled();
        await new Promise((resolve) => setTimeout(resolve, 300));
        const [row] = await rows();
        // A duplicate registered by the race was deleted at Hover again.
        expect(atHover(1).map((w) => String(w.id))).toEqual([row.webhook_id]);
        const before = second.events.filter((event) => event.event === HOVER_WEBHOOK_EVENTS.JOB_STATE_CHANGED).length;
        const dispatched = await changeJob('complete');
        const onSecond = second.events.filter((event) => event.event === HOVER_WEBHOOK_EVENTS.JOB_STATE_CHANGED).length - before;
        expect(dispatched.length + onSecond).toBe(1);
        await app.connectionsService.disconnect(`g${round}a`);
        await second.connectionsService.disconnect(`g${round}b`);
        expect(await rows()).toEqual([]);
      }
    } finally {
      await second.close();
    }
  });

  it('a reconnect to another org deletes the old org\'s webhook at Hover (no other connection holds it) and registers one for the new org', async () => {
    await app.connect('d1', 1);
    await verifiedFor('d1');
    await app.connect('d1', 3);
    await waitUntil(() => emulator.registeredWebhooks().some((w) => w.orgId === 3 && w.verifiedAt !== null), { timeoutMs: 10_000 });
    expect(atHover(1)).toEqual([]);
    expect((await rows()).map((row: { hover_org_id: string; connection_id: string }) => [row.hover_org_id, row.connection_id])).toEqual([['3', 'd1']]);
  });
});
