import { createHash, createHmac } from 'crypto';
import { HoverEmulator } from '../hover-emulator';
import { apiGet, obtainTokens, request } from '../testing/emulator-spec.helpers';
import { ReceivedRequest, startWebhookReceiver, WebhookReceiver } from '../testing/webhook-receiver';

const WEBHOOKS = '/api/v2/webhooks';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The receiver's side of Hover's signature, written from the reference, not from the emulator's code. */
function expectedSignatures(req: ReceivedRequest, secret: string, contentMd5 = md5(req.rawBody)) {
  const canonical = [req.headers['content-type'], contentMd5, req.url, req.headers['date']].join(',');
  return {
    sha256: createHmac('sha256', secret).update(canonical).digest('base64'),
    sha1: createHmac('sha1', secret).update(canonical).digest('base64'),
  };
}
const md5 = (raw: string) => createHash('md5').update(raw).digest('base64');

describe('/api/v2/webhooks and webhook deliveries', () => {
  const emulator = new HoverEmulator();
  let baseUrl: string;
  let token: string;
  let receiver: WebhookReceiver;
  let hookUrl: string;

  const call = (method: string, path: string, body?: unknown, accessToken = token) =>
    request(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const register = (url = hookUrl, accessToken = token) => call('POST', WEBHOOKS, { webhook: { url, content_type: 'json' } }, accessToken);
  const events = (event: string) => receiver.requests.filter((r) => JSON.parse(r.rawBody).event === event);

  /** Registers and verifies a webhook with the code the receiver got; returns the registration answer. */
  async function registerVerified(url = hookUrl) {
    const created = (await register(url)).json;
    await emulator.webhookDeliveriesSettled();
    const verification = events('webhook-verification-code').find((r) => JSON.parse(r.rawBody).webhook_id === created.id)!;
    expect((await call('PUT', `${WEBHOOKS}/${JSON.parse(verification.rawBody).code}/verify`)).status).toBe(200);
    receiver.requests.length = 0;
    return created;
  }

  beforeAll(async () => {
    baseUrl = await emulator.start();
  });
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    hookUrl = `${receiver.baseUrl}/hooks/hover?src=test`;
    token = (await obtainTokens(baseUrl)).access_token;
  });
  afterEach(async () => {
    emulator.reset();
    await receiver.close();
  });
  afterAll(() => emulator.stop());

  describe('POST /api/v2/webhooks', () => {
    it('201 with Hover\'s webhook shape, then POSTs the verification code to the URL', async () => {
      const res = await register();
      expect(res.status).toBe(201);
      expect(Object.keys(res.json)).toEqual(['id', 'owner_type', 'owner_id', 'url', 'created_at', 'updated_at', 'verified_at', 'hmac_secret', 'last_error', 'content_type']);
      expect(res.json).toEqual({
        id: 1,
        owner_type: 'Org',
        owner_id: 1,
        url: hookUrl,
        created_at: expect.stringMatching(ISO),
        updated_at: res.json.created_at,
        verified_at: null,
        hmac_secret: expect.stringMatching(/^[A-Za-z0-9+/]{86}==$/),
        last_error: null,
        content_type: 'json',
      });

      await emulator.webhookDeliveriesSettled();
      expect(receiver.requests).toHaveLength(1);
      const [verification] = receiver.requests;
      expect(verification.method).toBe('POST');
      expect(verification.url).toBe('/hooks/hover?src=test');
      const body = JSON.parse(verification.rawBody);
      expect(Object.keys(body)).toEqual(['event', 'code', 'webhook_id']);
      expect(body).toEqual({ event: 'webhook-verification-code', code: expect.stringMatching(UUID), webhook_id: 1 });
      // Signed like every delivery.
      const sig = expectedSignatures(verification, res.json.hmac_secret);
      expect(verification.headers['hover-signature-256']).toBe(`sha256=1:${sig.sha256}`);
    });

    it('a flat body → 422, nothing registered, nothing sent', async () => {
      const res = await call('POST', WEBHOOKS, { url: hookUrl, content_type: 'json' });
      expect(res.status).toBe(422);
      expect(res.json).toEqual({ errors: { webhook: ['param is missing or the value is empty'] } });
      expect((await call('GET', WEBHOOKS)).json.pagination.total).toBe(0);
      await emulator.webhookDeliveriesSettled();
      expect(receiver.requests).toEqual([]);
    });

    it.each([
      ['not a URL', { url: 'not a url' }, { url: ['is invalid'] }],
      ['ftp URL', { url: 'ftp://example.com/hook' }, { url: ['is invalid'] }],
      ['no URL', { content_type: 'json' }, { url: ["can't be blank"] }],
      ['another content type', { url: 'https://example.com/hook', content_type: 'form' }, { content_type: ['is not included in the list'] }],
    ])('%s → 422', async (_name, webhook, errors) => {
      const res = await call('POST', WEBHOOKS, { webhook });
      expect(res.status).toBe(422);
      expect(res.json).toEqual({ errors });
    });

    it('a third registration of the same URL by the org → 422; another org or a deleted one frees no slot of the other', async () => {
      expect((await register()).status).toBe(201);
      expect((await register()).status).toBe(201);
      const third = await register();
      expect(third.status).toBe(422);
      expect(third.json).toEqual({ errors: { url: ['has already been registered 2 times'] } });

      emulator.setSignedInUser(3);
      const carol = (await obtainTokens(baseUrl)).access_token;
      expect((await register(hookUrl, carol)).status).toBe(201);

      expect((await call('DELETE', `${WEBHOOKS}/1`)).status).toBe(204);
      expect((await register()).status).toBe(201);
    });

    it('needs the bearer token (401) and the integrations plan (403)', async () => {
      const noToken = await request(`${baseUrl}${WEBHOOKS}`, { method: 'POST' });
      expect(noToken.status).toBe(401);
      emulator.setOrgIntegrations(1, false);
      const res = await register();
      expect(res.status).toBe(403);
      expect(res.json.error).toBe('forbidden');
    });
  });

  describe('GET, DELETE, PUT verify', () => {
    it('registeredWebhooks() and GET /__emulator/webhooks show every org\'s webhooks with their secret and verification', async () => {
      const created = await registerVerified();
      emulator.setSignedInUser(3);
      const carol = (await obtainTokens(baseUrl)).access_token;
      const other = (await register(`${receiver.baseUrl}/carol`, carol)).json;
      const expected = [
        { id: created.id, orgId: 1, url: hookUrl, hmacSecret: created.hmac_secret, verifiedAt: expect.any(Number), createdAt: Date.parse(created.created_at), lastError: null },
        { id: other.id, orgId: 3, url: `${receiver.baseUrl}/carol`, hmacSecret: other.hmac_secret, verifiedAt: null, createdAt: Date.parse(other.created_at), lastError: null },
      ];
      expect(emulator.registeredWebhooks()).toEqual(expected);
      const res = await request(`${baseUrl}/__emulator/webhooks`);
      expect(res.json).toEqual({ webhooks: expected });
    });

    it('GET lists the org\'s webhooks, paginated like /api/v2/jobs, hmac_secret included', async () => {
      const a = (await register()).json;
      const b = (await register(`${receiver.baseUrl}/other`)).json;
      const page1 = await call('GET', `${WEBHOOKS}?per_page=1`);
      expect(page1.status).toBe(200);
      expect(page1.json).toEqual({ pagination: { current_page: 1, total_pages: 2, total: 2 }, results: [a] });
      const page2 = await call('GET', `${WEBHOOKS}?per_page=1&page=2`);
      expect(page2.json.results).toEqual([b]);

      emulator.setSignedInUser(3);
      const carol = (await obtainTokens(baseUrl)).access_token;
      expect((await call('GET', WEBHOOKS, undefined, carol)).json).toEqual({ pagination: { current_page: 1, total_pages: 0, total: 0 }, results: [] });
    });

    it('DELETE → 204 and gone; 404 for an unknown id or another org\'s webhook (which stays)', async () => {
      const mine = (await register()).json;
      emulator.setSignedInUser(3);
      const carol = (await obtainTokens(baseUrl)).access_token;
      const theirs = (await register(hookUrl, carol)).json;

      const deleted = await call('DELETE', `${WEBHOOKS}/${mine.id}`);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect((await call('GET', WEBHOOKS)).json.results).toEqual([]);
      expect((await call('DELETE', `${WEBHOOKS}/${mine.id}`)).json).toEqual({ error: 'not_found' });
      expect((await call('DELETE', `${WEBHOOKS}/999`)).status).toBe(404);
      expect((await call('DELETE', `${WEBHOOKS}/${theirs.id}`)).status).toBe(404);
      expect((await call('GET', WEBHOOKS, undefined, carol)).json.results.map((w: { id: number }) => w.id)).toEqual([theirs.id]);
    });

    it('the logger never gets a verification code (the path is logged as /api/v2/webhooks/[code]/verify)', async () => {
      const lines: string[] = [];
      const logged = new HoverEmulator({ logger: (line) => lines.push(line) });
      const loggedUrl = await logged.start();
      try {
        const accessToken = (await obtainTokens(loggedUrl)).access_token;
        const code = '3f0c2a6e-4b1d-4c8e-9a7f-2d5e6b8c9a01';
        await request(`${loggedUrl}${WEBHOOKS}/${code}/verify`, { method: 'PUT', headers: { authorization: `Bearer ${accessToken}` } });
        expect(lines.join('\n')).not.toContain(code);
        expect(lines).toContain('PUT /api/v2/webhooks/[code]/verify -> 404');
      } finally {
        await logged.stop();
      }
    });

    it('PUT /:code/verify marks it verified (200 with the webhook); unknown code or another org\'s → 404', async () => {
      const created = (await register()).json;
      await emulator.webhookDeliveriesSettled();
      const { code } = JSON.parse(receiver.requests[0].rawBody);

      expect((await call('PUT', `${WEBHOOKS}/00000000-0000-4000-8000-000000000000/verify`)).status).toBe(404);
      emulator.setSignedInUser(3);
      const carol = (await obtainTokens(baseUrl)).access_token;
      expect((await call('PUT', `${WEBHOOKS}/${code}/verify`, undefined, carol)).status).toBe(404);

      const verified = await call('PUT', `${WEBHOOKS}/${code}/verify`);
      expect(verified.status).toBe(200);
      expect(verified.json).toEqual({ ...created, verified_at: expect.stringMatching(ISO), updated_at: verified.json.verified_at });
      expect((await call('GET', WEBHOOKS)).json.results[0].verified_at).toBe(verified.json.verified_at);
    });
  });

  describe('job-state-changed deliveries', () => {
    it('after verify, a state change delivers exactly one signed request that the receiver can verify', async () => {
      const { id, hmac_secret: secret } = await registerVerified();
      expect(emulator.setJobState(10001, 'complete')).toEqual([id]);
      await emulator.webhookDeliveriesSettled();

      expect(receiver.requests).toHaveLength(1);
      const [delivery] = receiver.requests;
      expect(delivery.url).toBe('/hooks/hover?src=test');
      expect(JSON.parse(delivery.rawBody)).toEqual({
        event: 'job-state-changed',
        webhook_id: id,
        job_external_identifier: 'EMU-1-0001',
        job_id: 10001,
        state: 'complete',
        'content-available': 1,
        job_estimated_hours_to_completion: 0,
      });
      expect(delivery.headers['content-type']).toBe('application/json');
      expect(delivery.headers['content-md5']).toBe(md5(delivery.rawBody));
      expect(delivery.headers['date']).toMatch(/^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
      expect(Math.abs(Date.parse(delivery.headers['date']!) - Date.now())).toBeLessThan(5000);
      const sig = expectedSignatures(delivery, secret);
      expect(delivery.headers['hover-signature-256']).toBe(`sha256=${id}:${sig.sha256}`);
      expect(delivery.headers['hover-signature']).toBe(`sha1=${id}:${sig.sha1}`);
      expect(delivery.headers['x-request-id']).toBeUndefined();

      expect((await apiGet(baseUrl, '/api/v3/jobs/10001', token)).json.state).toBe('complete');
      expect(emulator.webhookDeliveries().map((d) => [d.event, d.status, d.error])).toEqual([
        ['webhook-verification-code', 200, null],
        ['job-state-changed', 200, null],
      ]);
    });

    it('unverified webhooks and other orgs\' webhooks get nothing', async () => {
      const verified = await registerVerified();
      await register(`${receiver.baseUrl}/unverified`);
      emulator.setSignedInUser(3);
      const carol = (await obtainTokens(baseUrl)).access_token;
      await register(`${receiver.baseUrl}/carol`, carol);
      await emulator.webhookDeliveriesSettled();
      receiver.requests.length = 0;

      expect(emulator.setJobState(10002, 'failed')).toEqual([verified.id]);
      await emulator.webhookDeliveriesSettled();
      expect(receiver.requests.map((r) => [r.url, JSON.parse(r.rawBody).state])).toEqual([['/hooks/hover?src=test', 'failed']]);
    });

    it('a dead URL or a failing receiver is logged as a failure and sets last_error; the emulator keeps serving', async () => {
      const dead = await startWebhookReceiver();
      const deadUrl = `${dead.baseUrl}/gone`;
      await dead.close();
      const created = (await register(deadUrl)).json;
      await emulator.webhookDeliveriesSettled();
      expect(emulator.webhookDeliveries()).toEqual([
        expect.objectContaining({ webhookId: created.id, event: 'webhook-verification-code', url: deadUrl, status: null, error: 'fetch failed: ECONNREFUSED' }),
      ]);
      expect((await call('GET', WEBHOOKS)).json.results[0].last_error).toBe('fetch failed: ECONNREFUSED');

      receiver.status = 500;
      await register();
      await emulator.webhookDeliveriesSettled();
      expect(emulator.webhookDeliveries()[1]).toMatchObject({ status: 500, error: null });
      expect((await call('GET', WEBHOOKS)).json.results[1].last_error).toBe('HTTP 500');
      expect((await apiGet(baseUrl, '/api/v2/users/profile', token)).status).toBe(200);
    });

    it('setJobState refuses a state Hover does not list and an unknown job', () => {
      expect(() => emulator.setJobState(10001, 'done' as never)).toThrow(TypeError);
      expect(() => emulator.setJobState(999, 'complete')).toThrow('no job 999');
    });
  });

  describe('fault switches', () => {
    async function deliverWith(faults: Parameters<HoverEmulator['setFaults']>[0]) {
      const created = await registerVerified();
      emulator.setFaults(faults);
      emulator.setJobState(10001, 'complete');
      await emulator.webhookDeliveriesSettled();
      return { created, requests: receiver.requests };
    }

    it('webhookSignature: wrong-secret → both signatures fail with hmac_secret; body, MD5, Date intact', async () => {
      const { created, requests } = await deliverWith({ webhookSignature: 'wrong-secret' });
      const [req] = requests;
      const sig = expectedSignatures(req, created.hmac_secret);
      expect(req.headers['content-md5']).toBe(md5(req.rawBody));
      expect(JSON.parse(req.rawBody).state).toBe('complete');
      expect(req.headers['hover-signature-256']).toMatch(new RegExp(`^sha256=${created.id}:[A-Za-z0-9+/]{43}=$`));
      expect(req.headers['hover-signature-256']).not.toBe(`sha256=${created.id}:${sig.sha256}`);
      expect(req.headers['hover-signature']).not.toBe(`sha1=${created.id}:${sig.sha1}`);
    });

    it('webhookSignature: tampered-body → headers of the original body, the body sent differs', async () => {
      const { created, requests } = await deliverWith({ webhookSignature: 'tampered-body' });
      const [req] = requests;
      expect(JSON.parse(req.rawBody)).toMatchObject({ event: 'job-state-changed', tampered: true });
      expect(req.headers['content-md5']).not.toBe(md5(req.rawBody));
      // Signed over the headers as sent, i.e. over the original body: only the body check fails.
      const overHeaders = expectedSignatures(req, created.hmac_secret, req.headers['content-md5'] as string);
      expect(req.headers['hover-signature-256']).toBe(`sha256=${created.id}:${overHeaders.sha256}`);
      const untampered = JSON.stringify({ ...JSON.parse(req.rawBody), tampered: undefined });
      expect(md5(untampered)).toBe(req.headers['content-md5']);
    });

    it('webhookSignature: stale-date → Date one hour old, correctly signed', async () => {
      const { created, requests } = await deliverWith({ webhookSignature: 'stale-date' });
      const [req] = requests;
      const age = Date.now() - Date.parse(req.headers['date']!);
      expect(age).toBeGreaterThanOrEqual(3_600_000 - 1000);
      expect(age).toBeLessThan(3_600_000 + 5000);
      expect(req.headers['hover-signature-256']).toBe(`sha256=${created.id}:${expectedSignatures(req, created.hmac_secret).sha256}`);
    });

    it('webhookSignature: missing → no signature headers, Content-MD5 and Date still sent', async () => {
      const { requests } = await deliverWith({ webhookSignature: 'missing' });
      const [req] = requests;
      expect(req.headers['hover-signature-256']).toBeUndefined();
      expect(req.headers['hover-signature']).toBeUndefined();
      expect(req.headers['content-md5']).toBe(md5(req.rawBody));
      expect(req.headers['date']).toBeDefined();
    });

    it('webhookDuplicateDeliveries → the same request twice (body, Date, signature)', async () => {
      const { requests } = await deliverWith({ webhookDuplicateDeliveries: true });
      expect(requests).toHaveLength(2);
      expect(requests[1].rawBody).toBe(requests[0].rawBody);
      for (const name of ['date', 'content-md5', 'hover-signature-256', 'hover-signature']) expect(requests[1].headers[name]).toBe(requests[0].headers[name]);
      expect(emulator.webhookDeliveries().map((d) => [d.id, d.event])).toEqual([
        [1, 'webhook-verification-code'],
        [2, 'job-state-changed'],
        [3, 'job-state-changed'],
      ]);
    });

    it('webhookDeliveryDelayMs delays the POST after the trigger', async () => {
      emulator.setFaults({ webhookDeliveryDelayMs: 300 });
      const before = Date.now();
      await register();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(receiver.requests).toHaveLength(0);
      await emulator.webhookDeliveriesSettled();
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.requests[0].at - before).toBeGreaterThanOrEqual(290);
    });

    it('are validated like the others and reset by reset()', () => {
      expect(() => emulator.setFaults({ webhookSignature: 'bogus' as never })).toThrow(TypeError);
      expect(() => emulator.setFaults({ webhookDeliveryDelayMs: -1 })).toThrow(TypeError);
      expect(() => emulator.setFaults({ webhookDuplicateDeliveries: 'yes' as never })).toThrow(TypeError);
      emulator.setFaults({ webhookSignature: 'missing', webhookDeliveryDelayMs: 5, webhookDuplicateDeliveries: true });
      emulator.reset();
      expect(emulator.faults).toMatchObject({ webhookSignature: 'valid', webhookDeliveryDelayMs: 0, webhookDuplicateDeliveries: false });
    });
  });

  describe('control routes', () => {
    it('POST /__emulator/jobs/:id/state and GET /__emulator/webhook-deliveries', async () => {
      const { id } = await registerVerified();
      const changed = await request(`${baseUrl}/__emulator/jobs/10003/state`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'working' }),
      });
      expect(changed.status).toBe(200);
      expect(changed.json).toEqual({ id: 10003, state: 'working', webhookIds: [id] });
      await emulator.webhookDeliveriesSettled();

      const log = await request(`${baseUrl}/__emulator/webhook-deliveries`);
      expect(log.json.deliveries.map((d: { event: string; status: number }) => [d.event, d.status])).toEqual([
        ['webhook-verification-code', 200],
        ['job-state-changed', 200],
      ]);
      expect(log.json.deliveries[1].body).toBe(receiver.requests[0].rawBody);
      expect(log.json.deliveries[1].headers['hover-signature-256']).toBe(receiver.requests[0].headers['hover-signature-256']);
    });

    it('400 for an unknown state, 404 for an unknown job', async () => {
      const post = (path: string, body: unknown) =>
        request(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('/__emulator/jobs/10001/state', { state: 'done' })).status).toBe(400);
      expect((await post('/__emulator/jobs/999/state', { state: 'complete' })).status).toBe(404);
    });

    it('reset() forgets webhooks and the delivery log', async () => {
      await register();
      await emulator.webhookDeliveriesSettled();
      emulator.reset();
      expect(emulator.webhookDeliveries()).toEqual([]);
      token = (await obtainTokens(baseUrl)).access_token;
      expect((await call('GET', WEBHOOKS)).json.pagination.total).toBe(0);
    });
  });
});
