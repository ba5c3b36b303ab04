/**
 * The sample shows Hover webhooks (issue 11, "The sample shows it"): with HOVER_WEBHOOK_URL pointing at
 * the sample's own receiving route, connecting registers the org's webhook and Hover verifies it; a job
 * state change at Hover arrives and `GET /webhooks/events` lists it (JSON for API clients, a page for
 * browsers), newest first, for the signed-in user only; the page redraws itself (real Chromium, under
 * the sample's CSP); the developer panel changes a job's state; without the variable no route is
 * mounted, nothing is registered and the page says how to turn webhooks on. No secret reaches the
 * page, the JSON or the log.
 */
import { execFileSync } from 'node:child_process';
import { HOVER_JOB_STATES, type HoverEmulator } from '@hover-auth/emulator';
import { HoverWebhooksService } from '@hover-auth/nestjs';
import { chromium, type Browser } from 'playwright-core';
import { HoverConnectionRepository } from '../libs/hover-auth/src/testing/internals';
import { startSampleApp, type RunningSample } from '../apps/sample/src/start-sample-app';
import type { WebhookEventsAnswer } from '../apps/sample/src/webhooks.controller';
import { CapturingLogger } from './support/capturing-logger';
import { freePort } from './support/free-port';
import { waitUntil } from './support/hover-host-app';
import { E2E_CLIENT, SAMPLE_CONNECTION_ID, get, runConsent, sampleOnSqliteSuite, signInToSample, startSampleUnderTest, type SampleUnderTest } from './support/sample-harness';
import { createSqliteDatabase, createTestDatabase, e2eDatabaseKinds, type TestDatabase } from './support/test-databases';
import { E2E_ENCRYPTION_KEYS } from './support/test-keys';

const BROWSER = 'text/html,application/xhtml+xml,*/*;q=0.8';
const WEBHOOK_PATH = '/hover/webhooks';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** `GET /webhooks/events` as an API client; fails the test unless it answers 200. */
async function eventsJson(url: string, cookie: string): Promise<WebhookEventsAnswer> {
  const response = await get(`${url}/webhooks/events`, { headers: { cookie, accept: 'application/json' } });
  expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({ status: 200, type: expect.stringContaining('application/json') });
  return JSON.parse(response.text) as WebhookEventsAnswer;
}

/** The events table's rows of the page, in page order. */
function rowsOf(html: string): Array<{ event: string; jobId: number | null; state: string | null; receivedAt: string; cells: string[] }> {
  const body = html.match(/<tbody id="webhook-events-body">([\s\S]*?)<\/tbody>/);
  if (!body) throw new Error('no events table on the page');
  return [...body[1].matchAll(/<tr data-event="([^"]+)"(?: data-job-id="(\d+)")?(?: data-state="([^"]+)")?>([\s\S]*?)<\/tr>/g)].map((row) => ({
    event: row[1],
    jobId: row[2] === undefined ? null : Number(row[2]),
    state: row[3] ?? null,
    receivedAt: row[4].match(/<time datetime="([^"]+)">/)?.[1] ?? '',
    cells: [...row[4].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((cell) => cell[1].replace(/<[^>]+>/g, '')),
  }));
}

/** What a page says in the element with this id (tags removed, entities decoded, whitespace collapsed; '' when absent). */
function textOf(html: string, id: string): string {
  const element = html.match(new RegExp(`<(\\w+)[^>]* id="${id}"[^>]*>([\\s\\S]*?)</\\1>`));
  if (!element) return '';
  const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
  return element[2]
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|#39);/g, (entity) => entities[entity])
    .replace(/\s+/g, ' ')
    .trim();
}

/** A POST as the sample's own page sends it (same origin). */
function postForm(url: string, cookie: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', origin: new URL(url).origin },
    body: new URLSearchParams(fields),
  });
}

/** The session cookie alone, from a Cookie header that also carries the flow's binding cookie. */
const sessionOf = (cookie: string) => cookie.split('; ').find((part) => part.startsWith('sample.sid=')) as string;

describe.each(e2eDatabaseKinds(['sqlite', 'postgres'] as const))('the sample with HOVER_WEBHOOK_URL, Hover as deployed, on %s', (kind) => {
  let database: TestDatabase;
  let target: SampleUnderTest;
  let emulator: HoverEmulator;
  let hookUrl: string;
  let ana: string;
  let authorizationCode: string | null;
  const logger = new CapturingLogger();
  const atHover = () => emulator.registeredWebhooks().filter((webhook) => webhook.url === hookUrl);

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    target = await startSampleUnderTest(database, (port) => ({ HOVER_WEBHOOK_URL: `http://localhost:${port}${WEBHOOK_PATH}` }), logger);
    emulator = target.emulator;
    hookUrl = `${target.url}${WEBHOOK_PATH}`;
  });

  afterAll(async () => {
    await target?.close();
    await database?.drop();
  });

  it('before a connect: webhooks on, nothing registered, no events; signed-in users only', async () => {
    const anonymous = await get(`${target.url}/webhooks/events`, { headers: { accept: 'application/json' } });
    expect({ status: anonymous.status, body: JSON.parse(anonymous.text) }).toEqual({
      status: 401,
      body: { statusCode: 401, code: 'SIGN_IN_REQUIRED', message: 'Sign in first (POST /sign-in).' },
    });
    const browser = await get(`${target.url}/webhooks/events`, { headers: { accept: BROWSER } });
    expect({ status: browser.status, location: browser.location }).toEqual({ status: 303, location: '/sign-in?returnTo=%2Fwebhooks%2Fevents' });

    ana = await target.signIn();
    expect(await eventsJson(target.url, ana)).toEqual({ enabled: true, webhookUrl: hookUrl, webhooks: [], events: [] });
    const page = await get(`${target.url}/webhooks/events`, { headers: { cookie: ana, accept: BROWSER } });
    expect(page.text).toContain('<p id="webhook-status" data-status="not-connected">');
    expect(rowsOf(page.text)).toEqual([]);
    expect(page.text).toContain('<tr id="no-webhook-events"><td colspan="4">No events yet.</td></tr>');
    expect(atHover()).toEqual([]);
  });

  it("connecting registers the org's webhook at the sample's own URL, and Hover verifies it", async () => {
    const run = await runConsent(target, 'allow', { cookie: ana });
    expect(run.callback?.location).toBe('/?connected=1');
    authorizationCode = run.callbackUrl?.searchParams.get('code') ?? null;
    await waitUntil(() => atHover().some((webhook) => webhook.verifiedAt !== null), { timeoutMs: 10_000 });
    await waitUntil(async () => (await eventsJson(target.url, ana)).events.length === 1);

    const [webhook] = atHover();
    expect(atHover()).toEqual([expect.objectContaining({ orgId: 1, url: hookUrl, verifiedAt: expect.any(Number), lastError: null })]);
    const [stored] = await target.sample.app.get(HoverWebhooksService).listStored(SAMPLE_CONNECTION_ID);
    expect(stored).toEqual({ webhookId: String(webhook.id), connectionId: SAMPLE_CONNECTION_ID, hoverOrgId: '1', url: hookUrl, verifiedAt: expect.any(Date), createdAt: expect.any(Date) });
    expect(await eventsJson(target.url, ana)).toEqual({
      enabled: true,
      webhookUrl: hookUrl,
      webhooks: [{ webhookId: String(webhook.id), url: hookUrl, verifiedAt: stored.verifiedAt?.toISOString(), createdAt: stored.createdAt.toISOString() }],
      events: [
        { event: 'verified', connectionId: SAMPLE_CONNECTION_ID, webhookId: String(webhook.id), hoverOrgId: '1', jobId: null, jobExternalIdentifier: null, state: null, receivedAt: expect.stringMatching(ISO) },
      ],
    });
    await emulator.webhookDeliveriesSettled();
    expect(emulator.webhookDeliveries().map((delivery) => [delivery.event, delivery.url, delivery.status])).toEqual([['webhook-verification-code', hookUrl, 200]]);
  });

  it("job state changes at Hover are listed exactly, newest first (emulator's control route, then its API)", async () => {
    const [webhook] = atHover();
    const changed = await fetch(`${emulator.baseUrl}/__emulator/jobs/10003/state`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: 'complete' }) });
    expect(await changed.json()).toEqual({ id: 10003, state: 'complete', webhookIds: [webhook.id] });
    await waitUntil(async () => (await eventsJson(target.url, ana)).events.length === 2);
    expect(emulator.setJobState(10004, 'failed')).toEqual([webhook.id]);
    await waitUntil(async () => (await eventsJson(target.url, ana)).events.length === 3);

    const { events } = await eventsJson(target.url, ana);
    const common = { connectionId: SAMPLE_CONNECTION_ID, webhookId: String(webhook.id), hoverOrgId: '1', receivedAt: expect.stringMatching(ISO) };
    expect(events).toEqual([
      { ...common, event: 'job-state-changed', jobId: 10004, jobExternalIdentifier: 'EMU-1-0004', state: 'failed' },
      { ...common, event: 'job-state-changed', jobId: 10003, jobExternalIdentifier: 'EMU-1-0003', state: 'complete' },
      { ...common, event: 'verified', jobId: null, jobExternalIdentifier: null, state: null },
    ]);
    const times = events.map((event) => Date.parse(event.receivedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    await emulator.webhookDeliveriesSettled();
    expect(emulator.webhookDeliveries().map((delivery) => [delivery.event, delivery.status])).toEqual([
      ['webhook-verification-code', 200],
      ['job-state-changed', 200],
      ['job-state-changed', 200],
    ]);
  });

  it('the page for a browser: webhooks on, the webhook verified, the same events newest first, and the live script', async () => {
    const [webhook] = atHover();
    const { events } = await eventsJson(target.url, ana);
    const page = await get(`${target.url}/webhooks/events`, { headers: { cookie: ana, accept: BROWSER } });
    expect({ status: page.status, type: page.headers.get('content-type') }).toEqual({ status: 200, type: expect.stringContaining('text/html') });
    expect(page.text).toContain('<p id="webhooks-state" data-enabled="true">');
    expect(textOf(page.text, 'webhook-url')).toBe(hookUrl);
    expect(page.text).toContain('<p id="webhook-status" data-status="verified">');
    expect(textOf(page.text, 'webhook-id')).toBe(String(webhook.id));
    expect(rowsOf(page.text)).toEqual(
      events.map((event) => ({
        event: event.event,
        jobId: event.jobId,
        state: event.state,
        receivedAt: event.receivedAt,
        cells: [`${event.receivedAt.replace('T', ' ').slice(0, 19)} UTC`, event.event, event.jobId === null ? '' : String(event.jobId), event.state ?? ''],
      })),
    );
    expect(rowsOf(page.text).map((row) => row.cells.slice(1))).toEqual([
      ['job-state-changed', '10004', 'failed'],
      ['job-state-changed', '10003', 'complete'],
      ['verified', '', ''],
    ]);
    // Live updates come from a script the sample serves: the CSP allows it, and no inline script exists.
    expect(page.text.match(/<script[^>]*>/g)).toEqual(['<script src="/webhooks/live.js" defer>']);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = await get(`${target.url}/webhooks/live.js`);
    expect({ status: script.status, type: script.headers.get('content-type') }).toEqual({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect(script.text).toContain("fetch('/webhooks/events', { headers: { accept: 'application/json' }");

    const home = await get(`${target.url}/`, { headers: { cookie: ana, accept: BROWSER } });
    expect(textOf(home.text, 'webhooks-link')).toBe('Webhook events: the job updates Hover sends this app (webhooks are on).');
    expect(home.text).toContain('<a href="/webhooks/events">Webhook events</a>');
  });

  it("another user sees none of Ana's events", async () => {
    const ben = await signInToSample(target.url, 'ben');
    expect(await eventsJson(target.url, ben)).toEqual({ enabled: true, webhookUrl: hookUrl, webhooks: [], events: [] });
    const page = await get(`${target.url}/webhooks/events`, { headers: { cookie: ben, accept: BROWSER } });
    expect(rowsOf(page.text)).toEqual([]);
  });

  it("a cross-site POST to the webhook route meets the signature check (not the sample's 403); elsewhere it is refused", async () => {
    const before = (await eventsJson(target.url, ana)).events.length;
    const hostile = { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' };
    const forged = await fetch(hookUrl, { method: 'POST', headers: hostile, body: JSON.stringify({ event: 'job-state-changed', job_id: 10001, state: 'cancelled' }) });
    expect({ status: forged.status, code: ((await forged.json()) as { code: string }).code }).toEqual({ status: 401, code: 'HOVER_WEBHOOK_SIGNATURE_MISSING' });
    const disconnect = await fetch(`${target.url}/connection/disconnect`, { method: 'POST', redirect: 'manual', headers: { ...hostile, cookie: sessionOf(ana) } });
    expect({ status: disconnect.status, body: await disconnect.text() }).toEqual({ status: 403, body: 'Refused: this form was sent from another site.' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await eventsJson(target.url, ana)).events.length).toBe(before);
  });

  it('no secret in the page, the JSON or the log; the log names each event', async () => {
    const [webhook] = atHover();
    const connection = await target.sample.app.get(HoverConnectionRepository).findById(SAMPLE_CONNECTION_ID);
    const secrets = [webhook.hmacSecret, connection?.accessToken, connection?.refreshToken, E2E_CLIENT.clientSecret, authorizationCode];
    expect(secrets.every((secret) => typeof secret === 'string' && secret.length >= 8)).toBe(true);
    const json = (await get(`${target.url}/webhooks/events`, { headers: { cookie: ana, accept: 'application/json' } })).text;
    const page = (await get(`${target.url}/webhooks/events`, { headers: { cookie: ana, accept: BROWSER } })).text;
    for (const secret of secrets as string[]) {
      expect({ secret, inJson: json.includes(secret), inPage: page.includes(secret), inLog: logger.text.includes(secret) }).toEqual({ secret, inJson: false, inPage: false, inLog: false });
    }
    expect(logger.lines).toEqual(
      expect.arrayContaining([
        `log Webhooks on: Hover POSTs job updates to ${hookUrl} (HOVER_WEBHOOK_URL); see ${target.url}/webhooks/events. Sample`,
        `log Webhook event job-state-changed for connection "${SAMPLE_CONNECTION_ID}" (webhook ${webhook.id}): job 10003 → complete SampleWebhooks`,
      ]),
    );
  });

  it('a disconnect deletes the webhook at Hover and here; the page says Hover is not connected', async () => {
    expect((await postForm(`${target.url}/connection/disconnect`, sessionOf(ana), {})).status).toBe(303);
    expect(atHover()).toEqual([]);
    expect((await eventsJson(target.url, ana)).webhooks).toEqual([]);
    const page = await get(`${target.url}/webhooks/events`, { headers: { cookie: ana, accept: BROWSER } });
    expect(page.text).toContain('<p id="webhook-status" data-status="not-connected">');
  });
});

describe('the sample without HOVER_WEBHOOK_URL', () => {
  const sample = sampleOnSqliteSuite();

  it('mounts no webhook route: a POST there is a 404', async () => {
    const response = await fetch(`${sample().url}${WEBHOOK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"event":"job-state-changed"}' });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 404, body: { statusCode: 404, error: 'Not Found', message: `Cannot POST ${WEBHOOK_PATH}` } });
  });

  it('registers nothing on connect; the JSON says off; the page says off and how to turn them on', async () => {
    const run = await runConsent(sample(), 'allow');
    expect(run.callback?.location).toBe('/?connected=1');
    const cookie = sessionOf(run.cookie);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sample().emulator.registeredWebhooks()).toEqual([]);
    expect(sample().emulator.apiRequestLog().filter((request) => request.path.includes('webhooks'))).toEqual([]);
    expect(await eventsJson(sample().url, cookie)).toEqual({ enabled: false, webhookUrl: null, webhooks: [], events: [] });

    const page = await get(`${sample().url}/webhooks/events`, { headers: { cookie, accept: BROWSER } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<p id="webhooks-state" data-enabled="false">');
    expect(textOf(page.text, 'webhooks-state')).toBe('Webhooks are off: this app receives no job updates from Hover (no receiving route is mounted, no webhook is registered).');
    expect(textOf(page.text, 'webhooks-how')).toContain(`To turn them on, start the sample with HOVER_WEBHOOK_URL=http://localhost:${new URL(sample().url).port}/hover/webhooks`);
    expect(page.text).not.toContain('<script');
    expect(rowsOf(page.text)).toEqual([]);
    const home = await get(`${sample().url}/`, { headers: { cookie, accept: BROWSER } });
    expect(textOf(home.text, 'webhooks-link')).toBe('Webhook events: the job updates Hover sends this app (webhooks are off: set HOVER_WEBHOOK_URL to turn them on).');
  });
});

describe('the developer panel changes a job state (in-process emulator, HOVER_WEBHOOK_URL set)', () => {
  let database: TestDatabase;
  let sample: RunningSample;
  let target: SampleUnderTest;
  let ana: string;
  let webhookId: number;

  beforeAll(async () => {
    database = createSqliteDatabase();
    const port = await freePort();
    sample = await startSampleApp(
      {
        PORT: String(port),
        DATABASE_URL: database.url,
        HOVER_ENCRYPTION_KEYS: E2E_ENCRYPTION_KEYS.map((entry) => `${entry.id}:${entry.key}`).join(','),
        HOVER_WEBHOOK_URL: `http://localhost:${port}${WEBHOOK_PATH}`,
      },
      false,
    );
    target = { sample, emulator: sample.emulator as HoverEmulator, url: sample.url, signIn: (user = 'ana') => signInToSample(sample.url, user), close: () => sample.close() };
    const run = await runConsent(target, 'allow');
    expect(run.callback?.location).toBe('/?connected=1');
    ana = sessionOf(run.cookie);
    await waitUntil(() => target.emulator.registeredWebhooks().some((webhook) => webhook.verifiedAt !== null), { timeoutMs: 10_000 });
    webhookId = target.emulator.registeredWebhooks()[0].id;
  });

  afterAll(async () => {
    await sample?.close();
    await database?.drop();
  });

  it("the panel offers a job of the user's org and every Hover job state", async () => {
    for (const path of ['/', '/webhooks/events']) {
      const page = await get(`${target.url}${path}`, { headers: { cookie: ana, accept: BROWSER } });
      expect(page.text).toContain('<input type="number" name="jobId" id="dev-job-id" value="10001" min="10001" max="19999" required>');
      expect([...page.text.matchAll(/<option value="([^"]+)"/g)].map((option) => option[1])).toEqual([...HOVER_JOB_STATES]);
    }
  });

  it('changing a job state sends the webhook; the events page says so and lists it first', async () => {
    const response = await postForm(`${target.url}/dev/emulator`, ana, { action: 'job-state', jobId: '10005', state: 'waiting_approval' });
    expect({ status: response.status, location: response.headers.get('location') }).toEqual({ status: 303, location: '/webhooks/events?dev=job-state-sent' });
    await waitUntil(async () => (await eventsJson(target.url, ana)).events.length === 2);
    expect((await eventsJson(target.url, ana)).events.map(({ event, jobId, state, webhookId: id }) => ({ event, jobId, state, id }))).toEqual([
      { event: 'job-state-changed', jobId: 10005, state: 'waiting_approval', id: String(webhookId) },
      { event: 'verified', jobId: null, state: null, id: String(webhookId) },
    ]);
    const page = await get(`${target.url}/webhooks/events?dev=job-state-sent`, { headers: { cookie: ana, accept: BROWSER } });
    expect(textOf(page.text, 'dev-notice')).toBe(
      "Emulator: the job's state changed and Hover sent a job-state-changed webhook to this app. It appears below within a few seconds (no reload needed).",
    );
    expect(rowsOf(page.text)[0]).toMatchObject({ event: 'job-state-changed', jobId: 10005, state: 'waiting_approval' });
  });

  it.each([
    ['a job of another org', { jobId: '20001', state: 'complete' }, 'ana', 'no-such-job'],
    ['a job id not seeded in the org', { jobId: '19999', state: 'complete' }, 'ana', 'no-such-job'],
    ['a job id that is no number', { jobId: '1e4', state: 'complete' }, 'ana', 'no-such-job'],
    ['a state Hover does not send', { jobId: '10001', state: 'exploded' }, 'ana', 'unknown'],
    ['a user who has not connected Hover', { jobId: '10001', state: 'complete' }, 'cy', 'not-connected'],
  ])('refuses %s and sends nothing', async (_case, fields, user, result) => {
    const cookie = user === 'ana' ? ana : await signInToSample(target.url, user);
    await target.emulator.webhookDeliveriesSettled();
    const deliveries = target.emulator.webhookDeliveries().length;
    const response = await postForm(`${target.url}/dev/emulator`, cookie, { action: 'job-state', ...fields });
    expect(response.headers.get('location')).toBe(`/webhooks/events?dev=${result}`);
    await target.emulator.webhookDeliveriesSettled();
    expect(target.emulator.webhookDeliveries().length).toBe(deliveries);
  });

  it('an unknown ?dev= value, also a name of Object.prototype, shows no notice', async () => {
    for (const dev of ['constructor', '__proto__', 'toString', 'job-state-maybe']) {
      const page = await get(`${target.url}/webhooks/events?dev=${dev}`, { headers: { cookie: ana, accept: BROWSER } });
      expect({ dev, status: page.status, notice: page.text.includes('id="dev-notice"') }).toEqual({ dev, status: 200, notice: false });
    }
  });

  it('in Chromium, a new event appears on the open page without a reload, and the CSP lets the script run', async () => {
    const browser: Browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const context = await browser.newContext();
      const [name, value] = ana.split('=');
      await context.addCookies([{ name, value, url: target.url }]);
      const page = await context.newPage();
      const messages: string[] = [];
      page.on('console', (message) => messages.push(message.text()));
      await page.goto(`${target.url}/webhooks/events`);
      expect(await page.locator('#webhook-events-body tr').count()).toBe(2);
      await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));

      target.emulator.setJobState(10006, 'cancelled');
      const row = page.locator('#webhook-events-body tr[data-job-id="10006"]');
      await row.waitFor({ timeout: 10_000 });
      expect(await page.$$eval('#webhook-events-body tr', (rows) => rows.map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent)))).toEqual([
        ['job-state-changed', '10006', 'cancelled'],
        ['job-state-changed', '10005', 'waiting_approval'],
        ['verified', '', ''],
      ]);
      expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      expect(await page.locator('#live-status').textContent()).toMatch(/^Newest first\. Updated by itself every 2 seconds; last checked /);
      expect(messages.filter((text) => /Content Security Policy|Refused/i.test(text))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

/** Debian's chromium, as test/browser-flow.e2e-spec.ts finds it (never downloaded). */
function chromiumPath(): string {
  if (process.env.HOVER_E2E_CHROMIUM) return process.env.HOVER_E2E_CHROMIUM;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Chromium not found: install it with `apt-get install -y chromium` (.ci/run does) or set HOVER_E2E_CHROMIUM.');
  }
}
