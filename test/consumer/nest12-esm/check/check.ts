/**
 * Consumer check of the installed tarballs on NestJS 12, as an ES module (run by
 * scripts/test-packages.mjs as `node dist/check/check.js` with DATABASE_URL set): boots this app
 * against an in-process emulator, connects account "acme" through the consent flow, and asserts what
 * GET /jobs and the guard answer, and that a job state change arrives as a webhook event. Exits 1 on
 * any failure.
 */
import 'reflect-metadata';
import { completeConsent, startHoverEmulator, type RunningHoverEmulator } from '@hover-auth/emulator';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { HoverWebhooksService } from '@hover-auth/nestjs';
import { ACCOUNT_HEADER, AppModule } from '../src/app.module.js';
import { HoverEventLog } from '../src/hover-events.js';
import type { HoverJobsPage } from '../src/jobs.controller.js';

/** The emulator's default world: org 1 "Acme Roofing", jobs `orgId * 10000 + n`, 30 of them. */
const EXPECTED_ROWS = [
  [10001, '137 Maple Ave', 'complete', 'Denver'],
  [10002, '174 Oak St', 'processing', 'Austin'],
  [10003, '211 Pine Rd', 'complete', 'Portland'],
  [10004, '248 Cedar Ln', 'uploading', 'Raleigh'],
  [10005, '285 Elm Dr', 'complete', 'Madison'],
];
const EXPECTED_FIRST_JOB = {
  id: 10001,
  name: '137 Maple Ave',
  external_identifier: 'EMU-1-0001',
  state: 'complete',
  created_at: '2024-01-02T15:00:00.000Z',
  location: { line_1: '137 Maple Ave', city: 'Denver', region: 'CO', postal_code: '80201' },
};
const CLIENT = { clientId: 'consumer-check', clientSecret: 'consumer-check-secret' };

async function main(): Promise<void> {
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const redirectUri = `${appUrl}/hover/callback`;
  let hover: RunningHoverEmulator | undefined;
  let app: INestApplication | undefined;
  try {
    hover = await startHoverEmulator({ client: { ...CLIENT, redirectUris: [redirectUri] } });
    Object.assign(process.env, {
      HOVER_BASE_URL: hover.baseUrl,
      HOVER_CLIENT_ID: CLIENT.clientId,
      HOVER_CLIENT_SECRET: CLIENT.clientSecret,
      HOVER_REDIRECT_URI: redirectUri,
      HOVER_TOKEN_KEY: randomBytes(32).toString('base64'),
      APP_WEBHOOK_URL: `${appUrl}/hover/webhooks`,
    });
    app = await NestFactory.create(AppModule, { logger: ['error', 'warn'], rawBody: true });
    await app.listen(port, '127.0.0.1');
    pass(`app listening on ${appUrl}, emulator on ${hover.baseUrl}`);

    const consent = await completeConsent({
      emulator: hover.emulator,
      authorizeUrl: `${appUrl}/hover/authorize`,
      headers: { [ACCOUNT_HEADER]: 'acme' },
    });
    assert.equal(consent.status, 302, `callback status (body: ${consent.body.slice(0, 300)})`);
    assert.equal(consent.location, '/hover/connected');
    pass('authorize -> Allow -> callback redirected to /hover/connected');

    const jobs = await getJson(`${appUrl}/jobs`, 'acme');
    assert.equal(jobs.status, 200, `GET /jobs as acme: ${JSON.stringify(jobs.body)}`);
    const page = jobs.body as HoverJobsPage;
    assert.deepEqual(page.pagination, { current_page: 1, next_page: 2, total: 30 });
    assert.equal(page.results.length, 5);
    assert.deepEqual(
      page.results.map((job) => [job.id, job.name, job.state, job.location.city]),
      EXPECTED_ROWS,
    );
    assert.deepEqual(page.results[0], EXPECTED_FIRST_JOB);
    pass('GET /jobs as acme: 5 jobs 10001-10005 with the emulator values, pagination 1 -> 2 of 30');

    const events = app.get(HoverEventLog).connected;
    assert.equal(events.length, 1, 'hover.connection.connected events');
    assert.deepEqual(
      { connectionId: events[0].connectionId, hoverOrgId: events[0].hoverOrgId, hoverOrgName: events[0].hoverOrgName, previousHoverOrgId: events[0].previousHoverOrgId },
      { connectionId: 'acme', hoverOrgId: '1', hoverOrgName: 'Acme Roofing', previousHoverOrgId: null },
    );
    pass('@nestjs/event-emitter 12 (optional peer) received one hover.connection.connected for acme, org 1 Acme Roofing');

    // Webhooks: registered on connect, verified through Hover's code, then one event per state change.
    const webhooks = app.get(HoverWebhooksService);
    await waitFor(async () => (await webhooks.listStored('acme'))[0]?.verifiedAt != null, 'the webhook of acme verified');
    const [webhook] = await webhooks.listStored('acme');
    assert.equal(webhook.url, `${appUrl}/hover/webhooks`);
    assert.deepEqual(hover.emulator.registeredWebhooks().map((w) => [String(w.id), w.orgId, w.verifiedAt !== null]), [[webhook.webhookId, 1, true]]);
    hover.emulator.setJobState(10004, 'processing');
    await hover.emulator.webhookDeliveriesSettled();
    const changes = app.get(HoverEventLog).jobStateChanges;
    await waitFor(async () => changes.length > 0, 'a job-state-changed event');
    assert.equal(changes.length, 1, 'hover.webhook.job-state-changed events');
    assert.deepEqual(
      { connectionId: changes[0].connectionId, webhookId: changes[0].webhookId, jobId: changes[0].payload.job_id, state: changes[0].payload.state },
      { connectionId: 'acme', webhookId: webhook.webhookId, jobId: 10004, state: 'processing' },
    );
    const lastDelivery = hover.emulator.webhookDeliveries().at(-1)!;
    const replay = await fetch(lastDelivery.url, { method: 'POST', headers: { 'content-type': lastDelivery.headers['content-type'], 'content-md5': lastDelivery.headers['content-md5'], date: lastDelivery.headers.date, 'hover-signature-256': lastDelivery.headers['hover-signature-256'] }, body: lastDelivery.body });
    assert.equal(replay.status, 400, 'the same delivery sent again');
    assert.equal(((await replay.json()) as { code: string }).code, 'HOVER_WEBHOOK_REPLAYED');
    assert.equal(changes.length, 1, 'events after the replay');
    pass('webhooks: registered and verified on connect, 1 job-state-changed event (job 10004 processing) for acme, a replay refused with HOVER_WEBHOOK_REPLAYED');

    const other = await getJson(`${appUrl}/jobs`, 'globex');
    assert.equal(other.status, 401, `GET /jobs as globex: ${JSON.stringify(other.body)}`);
    assert.equal((other.body as { code?: string }).code, 'HOVER_NOT_CONNECTED');
    pass('GET /jobs as globex: 401 HOVER_NOT_CONNECTED');

    // A browser (Accept: text/html) gets HoverErrorPageFilter's page with the Connect link instead.
    const browser = await fetch(`${appUrl}/jobs`, { headers: { [ACCOUNT_HEADER]: 'globex', accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    const html = await browser.text();
    assert.equal(browser.status, 401, 'GET /jobs as globex from a browser');
    assert.match(browser.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(html, /<h1 id="hover-title">Connect Hover<\/h1>/);
    assert.match(html, /id="hover-action" href="\/hover\/authorize\?returnTo=%2Fjobs">Connect Hover<\/a>/);
    pass('GET /jobs as globex from a browser: 401 page "Connect Hover" linking to /hover/authorize?returnTo=%2Fjobs');

    assert.equal(hover.emulator.tokenRequestCount('authorization_code'), 1, 'authorization_code token requests');
    assert.equal(hover.emulator.tokenRequestCount(), 1, 'token requests of any grant type');
    assert.equal(hover.emulator.apiRequestCount('/api/v3/jobs'), 1, 'GET /api/v3/jobs requests (the 401 must not reach Hover)');
    pass('emulator counted exactly 1 authorization_code token request and 1 jobs request');

    const health = await getJson(`${appUrl}/health`, 'acme');
    assert.equal(health.status, 200, `GET /health: ${JSON.stringify(health.body)}`);
    const hoverHealth = (health.body as { info: { hover: { status: string; connections: unknown; tokenEndpoint: { reachable: boolean } } } }).info.hover;
    assert.equal(hoverHealth.status, 'up');
    assert.equal(hoverHealth.tokenEndpoint.reachable, true);
    assert.deepEqual(hoverHealth.connections, { active: 1, reauthorizationRequired: 0 });
    // The probe is one POST to the token endpoint without credentials, answered with an OAuth error.
    assert.equal(hover.emulator.tokenRequestCount(), 2, 'token requests after the health probe');
    assert.equal(hover.emulator.tokenRequestCount('refresh_token'), 0, 'refresh grants');
    pass('@nestjs/terminus 12 (optional peer): GET /health up, token endpoint reachable (1 probe, no grant spent), 1 active connection');
  } finally {
    await app?.close();
    await hover?.stop();
  }
}

async function getJson(url: string, account: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers: { [ACCOUNT_HEADER]: account } });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function pass(what: string): void {
  console.log(`  ok - ${what}`);
}

try {
  await main();
  console.log('consumer check passed');
} catch (error) {
  console.error('consumer check FAILED:', error);
  process.exitCode = 1;
}
