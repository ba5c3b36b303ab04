/**
 * Proof in a real (headless) Chromium: every page state of the sample app, as a person sees it. Each
 * scenario asserts the visible text, the target of the one action link or button, and the values
 * behind the page (the stored connection row, the emulator's grant counters, job ids on the page).
 *
 * Two samples, each started once for its describe (one browser for the file, a fresh browser
 * context per scenario):
 * - "as deployed": the sample talks to a separately started emulator (`startSampleUnderTest`), no
 *   developer panel;
 * - "developer panel": the sample runs its in-process emulator (HOVER_BASE_URL unset) and the tests
 *   drive the emulator through the panel's buttons, as a developer would.
 *
 * Uses Debian's chromium (`command -v chromium`, or HOVER_E2E_CHROMIUM); never downloads a browser.
 * With HOVER_E2E_SCREENSHOTS=<dir>, every page state is saved there as a PNG.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HoverEmulator } from '@hover-auth/emulator';
import { HoverConnectionsService, type HoverConnectionInfo } from '@hover-auth/nestjs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startSampleApp, type RunningSample } from '../apps/sample/src/start-sample-app';
import { freePort } from './support/free-port';
import { get, sampleOnSqliteSuite } from './support/sample-harness';
import { createSqliteDatabase, type TestDatabase } from './support/test-databases';
import { E2E_ENCRYPTION_KEYS } from './support/test-keys';

function chromiumPath(): string {
  if (process.env.HOVER_E2E_CHROMIUM) return process.env.HOVER_E2E_CHROMIUM;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Chromium not found: install it with `apt-get install -y chromium` (.ci/run does) or set HOVER_E2E_CHROMIUM.');
  }
}

/** The emulator's default seed: Hover users by id and their org (Budget Gutters has no integrations). */
const HOVER_USERS = {
  1: { name: 'Alice', org: 'Acme Roofing' },
  2: { name: 'Bob', org: 'Budget Gutters' },
  3: { name: 'Carol', org: 'Coastal Claims' },
} as const;
type HoverUserId = keyof typeof HOVER_USERS;

/** What the helpers need of a running sample, whichever way it was started. */
interface World {
  url: string;
  emulator: HoverEmulator;
  app: RunningSample['app'];
}

let browser: Browser;
let contexts: BrowserContext[] = [];
/** Content-Security-Policy violations Chromium reported on any page (inline styles blocked, …). */
let cspViolations: string[] = [];

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    // One renderer process for both sites (sample and emulator): cross-site navigations and new pages
    // cost a process start otherwise. The pages never run scripts, so isolation buys nothing here.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-extensions',
      '--disable-site-isolation-trials',
      '--disable-features=site-per-process,IsolateOrigins',
      '--renderer-process-limit=1',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  contexts = [];
  const violations = cspViolations;
  cspViolations = [];
  expect(violations).toEqual([]);
});

/** A fresh browser (cookie jar) for one scenario; closed after the test. */
async function newBrowser(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  context.setDefaultTimeout(10_000);
  context.on('page', (page) =>
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(`${page.url()}: ${message.text()}`);
    }),
  );
  contexts.push(context);
  return context;
}

/** Saves the page to HOVER_E2E_SCREENSHOTS/<name>.png when that variable is set. */
async function shot(page: Page, name: string): Promise<void> {
  const folder = process.env.HOVER_E2E_SCREENSHOTS;
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
}

/** The element's text with whitespace collapsed ('' when absent). */
async function textOf(page: Page, selector: string): Promise<string> {
  const element = page.locator(selector);
  if ((await element.count()) === 0) return '';
  return ((await element.first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

async function hrefOf(page: Page, selector: string): Promise<string | null> {
  return page.locator(selector).getAttribute('href');
}

/** The library's error page (HoverErrorPageFilter) as a person reads it. */
async function hoverErrorPage(page: Page) {
  return {
    title: await textOf(page, '#hover-title'),
    message: await textOf(page, '#hover-message'),
    action: (await page.locator('#hover-action').count()) ? { label: await textOf(page, '#hover-action'), href: await hrefOf(page, '#hover-action') } : null,
    code: await textOf(page, '#hover-code'),
  };
}

/** Job ids in the jobs table, in page order. */
async function jobIdsOn(page: Page): Promise<number[]> {
  return page.$$eval('table#jobs tr td:first-child', (cells) => cells.map((cell) => Number(cell.textContent)));
}

const path = (page: Page) => {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
};

function onSample(world: World, pathAndQuery?: string) {
  return (url: URL) => url.origin === new URL(world.url).origin && (pathAndQuery === undefined || `${url.pathname}${url.search}` === pathAndQuery);
}

const onHover = (world: World) => (url: URL) => url.origin === world.emulator.baseUrl;

const stored = (world: World, connectionId: string): Promise<HoverConnectionInfo | null> => world.app.get(HoverConnectionsService).get(connectionId);

/** Signs in to the sample in `context` with the sign-in page's button; resolves on the home page. */
async function signIn(world: World, context: BrowserContext, user: 'ana' | 'ben' | 'cy'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${world.url}/sign-in`);
  await page.click(`#sign-in-${user}`);
  await page.waitForURL(onSample(world, '/'));
  return page;
}

/**
 * On the emulator's consent page: makes `hoverUser` the Hover user of this browser with the page's
 * "Not you? Sign in to Hover as" switcher (a cookie of this browser only), as a person would.
 */
async function actAsHoverUser(page: Page, hoverUser: HoverUserId): Promise<void> {
  const { name } = HOVER_USERS[hoverUser];
  if ((await textOf(page, '#signed-in-as')).includes(name)) return;
  expect(await textOf(page, 'form:has(#switch-user)')).toContain('Not you? Sign in to Hover as');
  await page.locator('#switch-user').selectOption(String(hoverUser));
  await page.click('#switch-user-button');
  await page.locator('#signed-in-as').filter({ hasText: name }).waitFor();
}

/**
 * From the emulator's consent page (the browser is on its way there): as `hoverUser`, clicks
 * `decision`; resolves once the browser is back on the sample.
 */
async function decideOnHover(world: World, page: Page, { hoverUser = 1, decision = 'allow', screenshot }: { hoverUser?: HoverUserId; decision?: 'allow' | 'deny'; screenshot?: string } = {}) {
  await page.waitForURL(onHover(world));
  await actAsHoverUser(page, hoverUser);
  expect(await textOf(page, '#org-name')).toBe(HOVER_USERS[hoverUser].org);
  if (screenshot) await shot(page, screenshot);
  await page.click(`button[value="${decision}"]`);
  await page.waitForURL(onSample(world));
}

/** Home → Connect → consent as `hoverUser` → Allow; resolves on the sample's home page. */
async function connectFromHome(world: World, page: Page, hoverUser: HoverUserId = 1): Promise<void> {
  if (!onSample(world, '/')(new URL(page.url()))) await page.goto(`${world.url}/`);
  await page.click('#connect');
  await decideOnHover(world, page, { hoverUser });
}

/** Returns the emulator and the sample's connections to the seed state between scenarios. */
async function resetWorld(world: World): Promise<void> {
  world.emulator.setFaults({ consentWithoutIntegrations: 'block', tokenEndpointStatus: null });
  world.emulator.setOrgIntegrations(1, true);
  world.emulator.setOrgIntegrations(2, false);
  world.emulator.setOrgIntegrations(3, true);
  world.emulator.setSignedInUser(1);
  const connections = world.app.get(HoverConnectionsService);
  for (const user of ['ana', 'ben', 'cy']) await connections.disconnect(`user:${user}`);
  world.emulator.resetCounters();
}

describe('the sample in a browser, on a separately started Hover (as deployed)', () => {
  const sample = sampleOnSqliteSuite();
  let world: World;

  beforeAll(() => {
    const target = sample();
    world = { url: target.url, emulator: target.emulator, app: target.sample.app };
  });

  beforeEach(() => resetWorld(world));

  it('anonymous: / shows the sign-in page; /jobs signs in and comes back to /jobs; /hover/authorize never reaches Hover', async () => {
    const context = await newBrowser();
    const requested: string[] = [];
    context.on('request', (request) => requested.push(request.url()));
    const page = await context.newPage();

    await page.goto(`${world.url}/`);
    expect(path(page)).toBe('/sign-in');
    expect(await textOf(page, 'h1')).toBe('Sign in to the sample app');
    expect(await textOf(page, '#sign-in-ana')).toBe('Ana Alvarez');
    expect(await textOf(page, '#sign-in-ben')).toBe('Ben Brooks');
    expect(await textOf(page, '#sign-in-cy')).toBe('Cy Cole');
    expect(await page.locator('form:has(#sign-in-ana)').getAttribute('action')).toBe('/sign-in');
    expect(await page.locator('#signed-in').count()).toBe(0);
    await shot(page, '01-sign-in');

    await page.goto(`${world.url}/jobs`);
    expect(path(page)).toBe('/sign-in?returnTo=%2Fjobs');
    expect(await page.locator('input[name="returnTo"]').getAttribute('value')).toBe('/jobs');
    await page.click('#sign-in-ana');
    await page.waitForURL(onSample(world, '/jobs'));
    // ana has no connection yet: the library's Connect page, on /jobs, for ana
    expect(await hoverErrorPage(page)).toMatchObject({ title: 'Connect Hover', code: 'HOVER_NOT_CONNECTED' });
    await shot(page, '01-jobs-after-sign-in');

    const anonymous = await newBrowser();
    const requestedAnonymously: string[] = [];
    anonymous.on('request', (request) => requestedAnonymously.push(request.url()));
    const stranger = await anonymous.newPage();
    const response = await stranger.goto(`${world.url}/hover/authorize`);
    expect(path(stranger)).toBe('/sign-in?returnTo=%2Fhover%2Fauthorize');
    expect(response?.status()).toBe(200);
    expect(await textOf(stranger, 'h1')).toBe('Sign in to the sample app');
    expect([...requested, ...requestedAnonymously].filter((url) => url.startsWith(world.emulator.baseUrl))).toEqual([]);
    expect(await anonymous.cookies(world.url)).toEqual([]); // no session, no flow cookie was handed out
    expect(await stored(world, 'user:ana')).toBeNull();
  });

  it('signed in, not connected: home offers Connect; /jobs shows the Connect page whose link comes back to /jobs after Allow', async () => {
    const context = await newBrowser();
    const page = await signIn(world, context, 'cy');
    expect(await textOf(page, '#signed-in')).toBe('Signed in as Cy Cole');
    expect(await textOf(page, '#status')).toBe('Hover is not connected.');
    expect(await textOf(page, '#connect')).toBe('Connect Hover');
    expect(await hrefOf(page, '#connect')).toBe('/hover/authorize');
    expect(await page.locator('#jobs, #disconnect, #org-name, #dev-panel').count()).toBe(0);
    await shot(page, '02-home-not-connected');

    const response = await page.goto(`${world.url}/jobs`);
    expect(response?.status()).toBe(401);
    expect(await hoverErrorPage(page)).toEqual({
      title: 'Connect Hover',
      message: 'This page shows data from your Hover account, and Hover is not connected yet. Connect it to continue.',
      action: { label: 'Connect Hover', href: '/hover/authorize?returnTo=%2Fjobs' },
      code: 'HOVER_NOT_CONNECTED',
    });
    await shot(page, '02-jobs-connect-hover');

    await page.click('#hover-action');
    await decideOnHover(world, page, { screenshot: '02-consent' });
    expect(path(page)).toBe('/jobs');
    expect((await jobIdsOn(page)).slice(0, 3)).toEqual([10001, 10002, 10003]);
    expect(await textOf(page, '#page-info')).toBe('Page 1 of 2 · 30 jobs');
    expect(world.emulator.tokenRequestCount('authorization_code')).toBe(1);
    expect(await stored(world, 'user:cy')).toMatchObject({ status: 'active', hoverOrgId: '1', hoverOrgName: 'Acme Roofing' });
  });

  it('Connect → Allow: home shows org, active status and token expiry; jobs page 1 of 2, Next and Previous', async () => {
    const context = await newBrowser();
    const page = await signIn(world, context, 'ana');
    await page.click('#connect');
    await page.waitForURL(onHover(world));
    expect(await textOf(page, '#signed-in-as')).toContain('Alice');
    expect(await textOf(page, '#org-name')).toBe('Acme Roofing');
    await decideOnHover(world, page);

    expect(path(page)).toBe('/?connected=1');
    expect(await textOf(page, '#hover-connected')).toBe('Hover is now connected.');
    expect(await textOf(page, '#status')).toBe('Hover is connected (org Acme Roofing).');
    expect(await textOf(page, '#org-name')).toBe('Acme Roofing');
    expect(await textOf(page, '#connection-status')).toBe('active');
    expect(await textOf(page, '#token-expiry')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in 1[12]\d minutes\) \(renewed automatically\)$/);
    expect(await textOf(page, '#jobs')).toBe('Show my Hover jobs');
    expect(await hrefOf(page, '#jobs')).toBe('/jobs');
    expect(await textOf(page, '#connect')).toBe('Reconnect');
    expect(await hrefOf(page, '#connect')).toBe('/hover/authorize');
    expect(await textOf(page, '#disconnect')).toBe('Disconnect');
    expect(await page.locator('form:has(#disconnect)').getAttribute('action')).toBe('/connection/disconnect');
    expect(await page.locator('#dev-panel').count()).toBe(0); // a separate Hover: no developer panel
    await shot(page, '03-home-connected');

    const row = await stored(world, 'user:ana');
    expect(row).toMatchObject({ status: 'active', hoverOrgId: '1', hoverOrgName: 'Acme Roofing', integrationsEnabled: true, tokensReadable: true });
    expect(await page.locator('#token-expiry time').getAttribute('datetime')).toBe(row?.accessTokenExpiresAt.toISOString());
    expect(world.emulator.tokenRequestCount('authorization_code')).toBe(1);

    await page.click('#jobs');
    await page.waitForURL(onSample(world, '/jobs'));
    expect(await textOf(page, 'h1')).toBe('Your Hover jobs');
    expect(await jobIdsOn(page)).toEqual(Array.from({ length: 25 }, (_, i) => 10001 + i));
    expect(await textOf(page, '#page-info')).toBe('Page 1 of 2 · 30 jobs');
    expect(await page.locator('#previous').count()).toBe(0);
    expect(await hrefOf(page, '#next')).toBe('/jobs?page=2');
    await shot(page, '03-jobs-page-1');

    await page.click('#next');
    await page.waitForURL(onSample(world, '/jobs?page=2'));
    expect(await textOf(page, '#page-info')).toBe('Page 2 of 2 · 30 jobs');
    expect(await jobIdsOn(page)).toEqual([10026, 10027, 10028, 10029, 10030]);
    expect(await page.locator('#next').count()).toBe(0);
    expect(await hrefOf(page, '#previous')).toBe('/jobs?page=1');
    await shot(page, '03-jobs-page-2');

    await page.click('#previous');
    await page.waitForURL(onSample(world, '/jobs?page=1'));
    expect(await textOf(page, '#page-info')).toBe('Page 1 of 2 · 30 jobs');
    expect((await jobIdsOn(page))[0]).toBe(10001);
    expect(world.emulator.tokenRequestCount('refresh_token')).toBe(0);
  });

  it('Deny: home says the connection was cancelled and offers Connect; nothing stored', async () => {
    const context = await newBrowser();
    const page = await signIn(world, context, 'ana');
    await page.click('#connect');
    await decideOnHover(world, page, { decision: 'deny' });
    expect(path(page)).toBe('/?hover_error=access_denied');
    expect(await textOf(page, '#hover-error')).toBe('You cancelled the connection on Hover.');
    expect(await textOf(page, '#status')).toBe('Hover is not connected.');
    expect(await textOf(page, '#connect')).toBe('Connect Hover');
    expect(await hrefOf(page, '#connect')).toBe('/hover/authorize');
    await shot(page, '04-home-denied');
    expect(await stored(world, 'user:ana')).toBeNull();
    expect(world.emulator.tokenRequestCount()).toBe(0);
  });

  it('a callback with a bad state: the "cannot be completed" page with Start again, nothing stored; JSON for an API client', async () => {
    const context = await newBrowser();
    const page = await signIn(world, context, 'ana');
    const response = await page.goto(`${world.url}/hover/callback?state=bogus&code=x`);
    expect(response?.status()).toBe(400);
    const shown = await hoverErrorPage(page);
    expect(shown.title).toBe('This Hover connection cannot be completed');
    expect(shown.message).toMatch(/Start again/);
    expect(shown.action).toEqual({ label: 'Start again', href: '/hover/authorize' });
    expect(['HOVER_STATE_BROWSER_MISMATCH', 'HOVER_INVALID_STATE']).toContain(shown.code);
    await shot(page, '05-callback-bad-state');

    const api = await context.request.get(`${world.url}/hover/callback?state=bogus&code=x`, { headers: { Accept: 'application/json' }, maxRedirects: 0 });
    expect(api.headers()['content-type']).toMatch(/^application\/json/);
    const body = await api.json();
    expect(['HOVER_STATE_BROWSER_MISMATCH', 'HOVER_INVALID_STATE']).toContain(body.code);
    expect(api.status()).toBe(response?.status());

    await page.click('#hover-action');
    await page.waitForURL(onHover(world)); // "Start again" starts a fresh flow at Hover
    expect(await stored(world, 'user:ana')).toBeNull();
    expect(world.emulator.tokenRequestCount()).toBe(0);
  });

  it('a plan without integrations that Hover lets through (consentWithoutIntegrations: allow), as Bob: home and /jobs give the account-manager advice', async () => {
    world.emulator.setFaults({ consentWithoutIntegrations: 'allow' });
    const context = await newBrowser();
    const page = await signIn(world, context, 'ana');
    await connectFromHome(world, page, 2);
    expect(path(page)).toBe('/?connected=1');
    expect(await textOf(page, '#status')).toBe(
      'Hover is connected to Budget Gutters, but its plan has no third-party integrations. Integrations must be enabled on the organization: talk to your Hover account manager, then reconnect.',
    );
    expect(await textOf(page, '#org-name')).toBe('Budget Gutters');
    expect(await textOf(page, '#connect')).toBe('Reconnect Hover');
    expect(await hrefOf(page, '#connect')).toBe('/hover/authorize');
    expect(await page.locator('#jobs').count()).toBe(0);
    await shot(page, '06a-home-no-integrations');
    expect(await stored(world, 'user:ana')).toMatchObject({ status: 'active', hoverOrgId: '2', hoverOrgName: 'Budget Gutters', integrationsEnabled: false });

    const response = await page.goto(`${world.url}/jobs`);
    expect(response?.status()).toBe(403);
    const shown = await hoverErrorPage(page);
    expect(shown.title).toBe('Hover integrations are not enabled');
    expect(shown.message).toContain('talk to your Hover account manager');
    expect(shown.action).toEqual({ label: 'Reconnect Hover', href: '/hover/authorize?returnTo=%2Fjobs' });
    expect(shown.code).toBe('HOVER_INTEGRATIONS_UNAVAILABLE');
    await shot(page, '06a-jobs-integrations-not-enabled');
    expect(world.emulator.apiRequestCount('/api/v3/jobs')).toBe(0); // the guard answered from the stored flag
  });

  it('a plan without integrations with the default consentWithoutIntegrations: block, as Bob: consent stops on Hover', async () => {
    const context = await newBrowser();
    const page = await signIn(world, context, 'ana');
    await page.click('#connect');
    await page.waitForURL(onHover(world));
    await actAsHoverUser(page, 2);
    expect(await textOf(page, '#org-name')).toBe('Budget Gutters');
    expect(await textOf(page, '#integrations-unavailable')).toBe(
      'Third-party integrations are not available on your plan. Upgrade or contact us to enable integrations.',
    );
    expect(await page.locator('button[value="allow"], button[value="deny"]').count()).toBe(0);
    expect(onHover(world)(new URL(page.url()))).toBe(true);
    await shot(page, '06b-consent-blocked');
    expect(await stored(world, 'user:ana')).toBeNull();
    expect(world.emulator.tokenRequestCount()).toBe(0);
  });

  it('two users side by side: ana connects Acme Roofing (Alice), ben connects Coastal Claims (Carol); each sees only their own org', async () => {
    const anaBrowser = await newBrowser();
    const benBrowser = await newBrowser();
    const ana = await signIn(world, anaBrowser, 'ana');
    const ben = await signIn(world, benBrowser, 'ben');

    // Both consent pages open at once; ben switches his browser to Carol, ana's stays Alice.
    await ana.click('#connect');
    await ana.waitForURL(onHover(world));
    await ben.click('#connect');
    await ben.waitForURL(onHover(world));
    await actAsHoverUser(ben, 3);
    await shot(ben, '10-consent-ben-as-carol');
    await ana.reload();
    expect(await textOf(ana, '#signed-in-as')).toContain('Alice'); // the choice is per browser
    expect(await textOf(ana, '#org-name')).toBe('Acme Roofing');
    await decideOnHover(world, ben, { hoverUser: 3 });
    await decideOnHover(world, ana, { hoverUser: 1 });

    expect(await textOf(ana, '#org-name')).toBe('Acme Roofing');
    expect(await textOf(ben, '#org-name')).toBe('Coastal Claims');
    expect(await textOf(ben, '#signed-in')).toBe('Signed in as Ben Brooks');
    await shot(ben, '10-home-ben');

    await ana.click('#jobs');
    await ana.waitForURL(onSample(world, '/jobs'));
    await ben.click('#jobs');
    await ben.waitForURL(onSample(world, '/jobs'));
    const anaJobs = await jobIdsOn(ana);
    const benJobs = await jobIdsOn(ben);
    expect(anaJobs[0]).toBe(10001);
    expect(anaJobs.every((id) => id > 10000 && id < 20000)).toBe(true);
    expect(benJobs).toEqual(Array.from({ length: 12 }, (_, i) => 30001 + i));
    expect(await textOf(ben, '#page-info')).toBe('Page 1 of 1 · 12 jobs');
    expect(await ben.locator('#next, #previous').count()).toBe(0);
    await shot(ben, '10-jobs-ben');

    const [anaRow, benRow] = await Promise.all([stored(world, 'user:ana'), stored(world, 'user:ben')]);
    expect(anaRow).toMatchObject({ hoverOrgId: '1', hoverOrgName: 'Acme Roofing', status: 'active' });
    expect(benRow).toMatchObject({ hoverOrgId: '3', hoverOrgName: 'Coastal Claims', status: 'active' });
    expect(world.emulator.tokenRequestCount('authorization_code')).toBe(2);
  });

  it('reconnecting as a Hover user of another org: home names the new org in a notice', async () => {
    const context = await newBrowser();
    const page = await signIn(world, context, 'ana');
    await connectFromHome(world, page, 1);
    expect(await textOf(page, '#org-name')).toBe('Acme Roofing');

    await page.click('#connect'); // "Reconnect"
    await decideOnHover(world, page, { hoverUser: 3 });
    expect(path(page)).toBe('/?connected=1&hover_notice=reconnected_to_different_org');
    expect(await textOf(page, '#hover-notice')).toBe('You connected a different Hover organization than before: this account now uses Coastal Claims.');
    expect(await page.locator('#hover-connected').count()).toBe(0);
    expect(await textOf(page, '#org-name')).toBe('Coastal Claims');
    await shot(page, '11-home-reconnected-other-org');
    expect(await stored(world, 'user:ana')).toMatchObject({ hoverOrgId: '3', hoverOrgName: 'Coastal Claims', status: 'active' });

    await page.click('#jobs');
    await page.waitForURL(onSample(world, '/jobs'));
    expect((await jobIdsOn(page))[0]).toBe(30001);
  });

  it('two tabs of one browser: starting a second connection does not break the first one', async () => {
    const context = await newBrowser();
    const first = await signIn(world, context, 'ana');
    const second = await context.newPage();
    await first.goto(`${world.url}/hover/authorize`);
    await first.waitForURL(onHover(world));
    await second.goto(`${world.url}/hover/authorize`);
    await second.waitForURL(onHover(world));
    await first.click('button[value="allow"]');
    await first.waitForURL(onSample(world));
    expect(path(first)).toBe('/?connected=1');
    await second.click('button[value="allow"]');
    await second.waitForURL(onSample(world));
    expect(path(second)).toBe('/?connected=1');
    expect(world.emulator.tokenRequestCount('authorization_code')).toBe(2);
  });

  it('API clients still get JSON with the session cookie: 401 HOVER_NOT_CONNECTED, then Hover\'s jobs page', async () => {
    const context = await newBrowser();
    const page = await signIn(world, context, 'ana');
    const json = { Accept: 'application/json' };

    const notConnected = await context.request.get(`${world.url}/jobs`, { headers: json });
    expect(notConnected.status()).toBe(401);
    expect(notConnected.headers()['content-type']).toMatch(/^application\/json/);
    expect(await notConnected.json()).toMatchObject({ code: 'HOVER_NOT_CONNECTED', authorizeUrl: '/hover/authorize', connectionId: 'user:ana' });

    const anonymous = await get(`${world.url}/jobs`, { headers: json });
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.text)).toMatchObject({ code: 'SIGN_IN_REQUIRED' });

    await connectFromHome(world, page);
    const connected = await context.request.get(`${world.url}/jobs?page=2`, { headers: json });
    expect(connected.status()).toBe(200);
    const body = await connected.json();
    expect(body.pagination).toMatchObject({ current_page: 2, total: 30 });
    expect(body.results.map((job: { id: number }) => job.id)).toEqual([10026, 10027, 10028, 10029, 10030]);
  });

  it('security headers: helmet on every page, no X-Powered-By; the session cookie is HttpOnly and SameSite=Lax', async () => {
    const context = await newBrowser();
    const page = await context.newPage();
    const home = await page.goto(`${world.url}/`);
    const redirect = await home?.request().redirectedFrom()?.response();
    for (const response of [redirect, home]) {
      const headers = await response!.allHeaders();
      expect(headers['content-security-policy']).toContain("default-src 'self'");
      expect(headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(headers['x-powered-by']).toBeUndefined();
    }
    expect(redirect?.status()).toBe(303);

    const signedIn = await signIn(world, context, 'ana');
    const [cookie] = (await context.cookies(world.url)).filter((c) => c.name === 'sample.sid');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });
    expect(await signedIn.evaluate('document.cookie')).toBe(''); // not readable by scripts

    const raw = await fetch(`${world.url}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user: 'ben' }),
    });
    const setCookie = raw.headers.getSetCookie().find((header) => header.startsWith('sample.sid='));
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Lax/i);
    expect(raw.headers.get('x-powered-by')).toBeNull();

    // The library's error pages go through the same middleware.
    const errorPage = await signedIn.goto(`${world.url}/jobs`);
    expect((await errorPage!.allHeaders())['content-security-policy']).toContain("default-src 'self'");
    expect(await errorPage!.headerValue('x-powered-by')).toBeNull();
  });
});

describe('the sample in a browser, driven through its developer panel (in-process emulator)', () => {
  let database: TestDatabase;
  let sample: RunningSample;
  let world: World;

  beforeAll(async () => {
    database = createSqliteDatabase();
    sample = await startSampleApp(
      {
        PORT: String(await freePort()),
        DATABASE_URL: database.url,
        HOVER_ENCRYPTION_KEYS: E2E_ENCRYPTION_KEYS.map((entry) => `${entry.id}:${entry.key}`).join(','),
      },
      false,
    );
    if (!sample.emulator) throw new Error('startSampleApp without HOVER_BASE_URL should start its in-process emulator');
    world = { url: sample.url, emulator: sample.emulator, app: sample.app };
  });

  afterAll(async () => {
    await sample?.close();
    await database?.drop();
  });

  beforeEach(() => resetWorld(world));

  /** Clicks a developer panel button on the home page; resolves on the home page with its notice. */
  async function devSwitch(page: Page, action: string): Promise<string> {
    if (!onSample(world)(new URL(page.url())) || new URL(page.url()).pathname !== '/') await page.goto(`${world.url}/`);
    expect(await page.locator('#dev-panel').isVisible()).toBe(true);
    await page.click(`#dev-${action}`);
    await page.waitForURL(onSample(world, `/?dev=${action}`));
    return textOf(page, '#dev-notice');
  }

  it('the panel: shown with the emulator address; plan without integrations let through at consent (Bob) → home advice, /jobs the integrations page', async () => {
    const context = await newBrowser();
    const page = await signIn(world, context, 'ana');
    expect(await textOf(page, '#dev-panel h2')).toBe('Developer panel');
    expect(await textOf(page, '#dev-panel .where')).toBe(`Local Hover emulator at ${world.emulator.baseUrl}`);
    expect(await page.locator('#dev-integrations-off, #dev-integrations-on').count()).toBe(0); // not connected: no org to switch
    expect(await textOf(page, '#dev-consent-allows')).toBe('Plan without integrations: let consent come back to the app');
    await shot(page, '06a-dev-panel-not-connected');

    expect(await devSwitch(page, 'consent-allows')).toBe('Emulator: consent for a plan without integrations now comes back to this app.');
    expect(world.emulator.faults.consentWithoutIntegrations).toBe('allow');
    expect(await textOf(page, '#dev-consent-blocks')).toBe('Plan without integrations: stop on Hover at consent');

    await connectFromHome(world, page, 2);
    expect(await textOf(page, '#status')).toContain('its plan has no third-party integrations');
    expect(await textOf(page, '#status')).toContain('talk to your Hover account manager');
    expect(await textOf(page, '#dev-integrations-on')).toBe('Turn integrations on for Budget Gutters');
    const response = await page.goto(`${world.url}/jobs`);
    expect(response?.status()).toBe(403);
    expect(await hoverErrorPage(page)).toMatchObject({
      title: 'Hover integrations are not enabled',
      action: { label: 'Reconnect Hover', href: '/hover/authorize?returnTo=%2Fjobs' },
      code: 'HOVER_INTEGRATIONS_UNAVAILABLE',
    });
    expect(await stored(world, 'user:ana')).toMatchObject({ hoverOrgId: '2', integrationsEnabled: false });
  });

  /** What /jobs showed first after the panel turned integrations off (filled by the test below). */
  let firstJobsAfterIntegrationsOff: { status: number | undefined; page: Awaited<ReturnType<typeof hoverErrorPage>> } | null = null;
  /** The panel's integrations switch right after "Turn integrations off" (filled by the test below). */
  let integrationsSwitchAfterOff: string | null = null;

  it('integrations turned off after connecting (panel): /jobs shows the integrations page (403), home the advice, and the stored flag follows', async () => {
    const context = await newBrowser();
    const page = await signIn(world, context, 'ana');
    await connectFromHome(world, page, 1);
    expect(await textOf(page, '#dev-integrations-off')).toBe('Turn integrations off for Acme Roofing');
    await shot(page, '06c-home-dev-panel-connected');

    expect(await devSwitch(page, 'integrations-off')).toBe('Emulator: integrations are now OFF for your Hover org. Open your jobs to see what happens.');
    integrationsSwitchAfterOff = await textOf(page, '#dev-integrations-on, #dev-integrations-off');
    const [first] = await Promise.all([page.waitForResponse((r) => r.url() === `${world.url}/jobs`), page.click('#jobs')]);
    await page.waitForURL(onSample(world, '/jobs'));
    firstJobsAfterIntegrationsOff = { status: first.status(), page: await hoverErrorPage(page) };
    await shot(page, '06c-jobs-first-visit-after-integrations-off');
    expect(firstJobsAfterIntegrationsOff.status).toBe(403);

    // Hover's 403 makes the library re-read the org's plan; from then on the guard answers.
    let response = await page.reload();
    for (let tries = 0; tries < 10 && (await textOf(page, '#hover-code')) !== 'HOVER_INTEGRATIONS_UNAVAILABLE'; tries++) {
      await page.waitForTimeout(300);
      response = await page.reload();
    }
    expect(response?.status()).toBe(403);
    expect(await hoverErrorPage(page)).toEqual({
      title: 'Hover integrations are not enabled',
      message:
        "Your Hover organization's plan does not include third-party integrations, so this app cannot use its Hover data. Integrations must be enabled on the organization: talk to your Hover account manager (Hover's FAQ). Once they are enabled, reconnect.",
      action: { label: 'Reconnect Hover', href: '/hover/authorize?returnTo=%2Fjobs' },
      code: 'HOVER_INTEGRATIONS_UNAVAILABLE',
    });
    expect(await textOf(page, '.code')).toBe('Error code: HOVER_INTEGRATIONS_UNAVAILABLE (HTTP 403)');
    await shot(page, '06c-jobs-integrations-off');
    expect(await stored(world, 'user:ana')).toMatchObject({ hoverOrgId: '1', integrationsEnabled: false, status: 'active' });

    await page.goto(`${world.url}/`);
    expect(await textOf(page, '#status')).toContain('its plan has no third-party integrations');
    expect(await textOf(page, '#status')).toContain('talk to your Hover account manager');
    expect(await textOf(page, '#dev-integrations-on')).toBe('Turn integrations on for Acme Roofing');
    await shot(page, '06c-home-integrations-off');

    expect(await devSwitch(page, 'integrations-on')).toBe('Emulator: integrations are ON again for your Hover org. Reconnect (or wait for the re-check) to see it.');
    expect(world.emulator.orgs().find((org) => org.id === 1)?.integrations).toBe(true);
  });

  it('integrations turned off after connecting (panel): right after "Turn integrations off" the panel offers "Turn integrations on"', () => {
    expect(integrationsSwitchAfterOff).not.toBeNull(); // recorded by the test above
    expect(integrationsSwitchAfterOff).toBe('Turn integrations on for Acme Roofing');
  });

  it('integrations turned off after connecting (panel): already the FIRST /jobs shows the integrations page, not "Hover could not complete this request"', () => {
    // The README's tour: "panel Turn integrations off for …, then /jobs → the same integrations page (403)".
    expect(firstJobsAfterIntegrationsOff).not.toBeNull(); // recorded by the test above
    expect(firstJobsAfterIntegrationsOff?.page).toMatchObject({
      title: 'Hover integrations are not enabled',
      action: { label: 'Reconnect Hover', href: '/hover/authorize?returnTo=%2Fjobs' },
      code: 'HOVER_INTEGRATIONS_UNAVAILABLE',
    });
  });

  /** The expiry text a person read on the home page before and after the refresh (filled by the test below). */
  let expiryText: { before: string; after: string } | null = null;

  it('expire tokens now (panel): /jobs still works with exactly one refresh grant, and the stored token expiry on the home page moves', async () => {
    const context = await newBrowser();
    const page = await signIn(world, context, 'ana');
    await connectFromHome(world, page, 1);
    const before = await stored(world, 'user:ana');
    const expiryBefore = await page.locator('#token-expiry time').getAttribute('datetime');
    const expiryTextBefore = await textOf(page, '#token-expiry');
    expect(expiryBefore).toBe(before?.accessTokenExpiresAt.toISOString());
    world.emulator.resetCounters();
    // The page shows the expiry to the second: a person never refreshes within the second they connected.
    await new Promise((resolve) => setTimeout(resolve, 1100));

    expect(await devSwitch(page, 'expire-tokens')).toBe(
      'Emulator: every access token has expired. Your next Hover call refreshes it (watch the expiry change).',
    );
    await page.click('#jobs');
    await page.waitForURL(onSample(world, '/jobs'));
    expect((await jobIdsOn(page))[0]).toBe(10001);
    expect(world.emulator.tokenRequestCount('refresh_token')).toBe(1);
    expect(world.emulator.tokenRequestCount('authorization_code')).toBe(0);

    await page.goto(`${world.url}/`);
    const after = await stored(world, 'user:ana');
    const expiryAfter = await page.locator('#token-expiry time').getAttribute('datetime');
    expect(expiryAfter).toBe(after?.accessTokenExpiresAt.toISOString());
    expect(Date.parse(expiryAfter as string)).toBeGreaterThan(Date.parse(expiryBefore as string));
    await shot(page, '07-home-after-refresh');
    expiryText = { before: expiryTextBefore, after: await textOf(page, '#token-expiry') };
  });

  it('expire tokens now (panel): the token expiry a person reads on the home page changes after the refresh (the notice says "watch the expiry change")', () => {
    expect(expiryText).not.toBeNull(); // recorded by the test above
    expect(expiryText?.after).not.toBe(expiryText?.before);
  });

  it('revoke tokens (panel): /jobs shows the Reconnect page; Reconnect → Allow → the jobs again', async () => {
    const context = await newBrowser();
    const page = await signIn(world, context, 'ana');
    await connectFromHome(world, page, 1);
    expect(await devSwitch(page, 'revoke-tokens')).toBe('Emulator: every token is revoked. Your next Hover call finds the grant gone: reconnect needed.');
    await shot(page, '08-home-revoked-notice');

    const response = await page.goto(`${world.url}/jobs`);
    expect(response?.status()).toBe(401);
    expect(await hoverErrorPage(page)).toEqual({
      title: 'Reconnect Hover',
      message: "Hover no longer accepts this app's access to your organization (it was revoked or has expired). Reconnect to continue.",
      action: { label: 'Reconnect Hover', href: '/hover/authorize?returnTo=%2Fjobs' },
      code: 'HOVER_REAUTHORIZATION_REQUIRED',
    });
    await shot(page, '08-jobs-reconnect');
    expect(await stored(world, 'user:ana')).toMatchObject({ status: 'reauthorization_required' });

    const home = await context.newPage();
    await home.goto(`${world.url}/`);
    expect(await textOf(home, '#status')).toBe("Hover needs to be reconnected: it no longer accepts this app's access to Acme Roofing.");
    expect(await textOf(home, '#connect')).toBe('Reconnect Hover');
    expect(await hrefOf(home, '#connect')).toBe('/hover/authorize');
    await shot(home, '08-home-needs-reconnect');
    await home.close();

    world.emulator.resetCounters();
    await page.click('#hover-action');
    await decideOnHover(world, page);
    expect(path(page)).toBe('/jobs');
    expect((await jobIdsOn(page))[0]).toBe(10001);
    expect(world.emulator.tokenRequestCount('authorization_code')).toBe(1);
    expect(await stored(world, 'user:ana')).toMatchObject({ status: 'active', hoverOrgId: '1' });
  });

  it('token endpoint failing (panel) + expired tokens: /jobs shows "Hover is not answering" with Try again; after switching back, Try again works', async () => {
    const context = await newBrowser();
    const page = await signIn(world, context, 'ana');
    await connectFromHome(world, page, 1);
    expect(await devSwitch(page, 'token-endpoint-failing')).toBe('Emulator: the token endpoint now answers 503 to every grant.');
    expect(await textOf(page, '#dev-token-endpoint-ok')).toBe('Token endpoint: work again');
    await devSwitch(page, 'expire-tokens');

    const response = await page.goto(`${world.url}/jobs`);
    expect(response?.status()).toBe(503);
    const shown = await hoverErrorPage(page);
    expect(shown).toMatchObject({ title: 'Hover is not answering right now', action: { label: 'Try again', href: '/jobs' } });
    expect(shown.message).toContain('Nothing was lost: try again in a moment.');
    expect(['HOVER_TOKEN_ENDPOINT_UNAVAILABLE', 'HOVER_REFRESH_TIMEOUT']).toContain(shown.code);
    await shot(page, '09-jobs-hover-not-answering');
    expect(world.emulator.tokenRequestCount('refresh_token')).toBeGreaterThanOrEqual(1);
    expect(await stored(world, 'user:ana')).toMatchObject({ status: 'active' }); // not a reason to reconnect

    // In another tab: switch the token endpoint back; then "Try again" on the error page.
    const panel = await context.newPage();
    expect(await devSwitch(panel, 'token-endpoint-ok')).toBe('Emulator: the token endpoint works again.');
    await panel.close();
    // The library backs off after a failed refresh (1 s, doubling): Try again until it has passed.
    const deadline = Date.now() + 8000;
    for (;;) {
      await Promise.all([page.waitForEvent('framenavigated'), page.click('#hover-action')]);
      await page.waitForLoadState();
      if ((await page.locator('table#jobs').count()) > 0 || Date.now() > deadline) break;
      await page.waitForTimeout(500);
    }
    expect(path(page)).toBe('/jobs');
    expect((await jobIdsOn(page))[0]).toBe(10001);
    await shot(page, '09-jobs-after-try-again');
  });
});
