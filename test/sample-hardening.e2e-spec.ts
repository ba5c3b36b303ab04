/**
 * The sample as an example people copy, against hostile or odd requests (found by a new-user trial):
 * cross-site form posts refused, no echo of a forged hover_error, returnTo normalized before it is
 * trusted, unknown addresses and panel actions end on a page with a way back.
 */
import { HoverConnectionsService } from '@hover-auth/nestjs';
import { startSampleApp, type RunningSample } from '../apps/sample/src/start-sample-app';
import { freePort } from './support/free-port';
import { SAMPLE_CONNECTION_ID, get, runConsent, sampleOnSqliteSuite, signInToSample } from './support/sample-harness';
import { E2E_ENCRYPTION_KEYS } from './support/test-keys';
import { createSqliteDatabase, type TestDatabase } from './support/test-databases';

const BROWSER = 'text/html,application/xhtml+xml,*/*;q=0.8';

describe('the sample against hostile or odd requests', () => {
  const sample = sampleOnSqliteSuite();

  it('a form posted from another site is refused (Sec-Fetch-Site, else Origin) and changes nothing', async () => {
    const run = await runConsent(sample(), 'allow');
    const session = run.cookie.split('; ').find((cookie) => cookie.startsWith('sample.sid=')) as string;
    const post = (headers: Record<string, string>) =>
      fetch(`${sample().url}/connection/disconnect`, { method: 'POST', redirect: 'manual', headers: { cookie: session, ...headers } });
    const hostile: Array<Record<string, string>> = [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'http://evil.example' }, { origin: 'null' }];
    for (const headers of hostile) {
      const refused = await post(headers);
      expect({ headers, status: refused.status, body: await refused.text() }).toEqual({ headers, status: 403, body: 'Refused: this form was sent from another site.' });
    }
    expect(await sample().sample.app.get(HoverConnectionsService).get(SAMPLE_CONNECTION_ID)).toMatchObject({ status: 'active' });
    const own = await post({ 'sec-fetch-site': 'same-origin', origin: sample().url });
    expect(own.status).toBe(303);
    expect(await sample().sample.app.get(HoverConnectionsService).get(SAMPLE_CONNECTION_ID)).toBeNull();
  });

  it('sign-in from another site is refused too (login CSRF)', async () => {
    const response = await fetch(`${sample().url}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      body: 'user=ana',
    });
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('a forged hover_error is not echoed; a known one is explained', async () => {
    const session = await sample().signIn();
    const forged = await get(`${sample().url}/?hover_error=Call%20555-0100%20now`, { headers: { cookie: session } });
    expect(forged.text).toContain('<p class="error" id="hover-error">Connecting to Hover failed. Please try again.</p>');
    expect(forged.text).not.toContain('555-0100');
    const known = await get(`${sample().url}/?hover_error=access_denied`, { headers: { cookie: session } });
    expect(known.text).toContain('You cancelled the connection on Hover.');
  });

  it('a hover_error or dev value naming a property of every object (constructor, toString…) is unknown, not a 500', async () => {
    const session = await sample().signIn();
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const failure = await get(`${sample().url}/?hover_error=${name}`, { headers: { cookie: session } });
      expect({ name, status: failure.status, shown: failure.text.includes('<p class="error" id="hover-error">Connecting to Hover failed. Please try again.</p>') }).toEqual({ name, status: 200, shown: true });
      const dev = await get(`${sample().url}/?dev=${name}`, { headers: { cookie: session } });
      expect({ name, status: dev.status, notice: dev.text.includes('id="dev-notice"') }).toEqual({ name, status: 200, notice: false });
    }
  });

  it.each([
    ['/jobs?page=2', '/jobs?page=2'],
    ['/..//evil.example', '/'],
    ['/./%2e%2e//evil.example', '/'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example', '/'],
  ])('sign-in returns to %s → %s', async (returnTo, expected) => {
    const response = await fetch(`${sample().url}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user: 'ben', returnTo }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(expected);
  });

  it('an unknown address is a page with a Home link for a browser, JSON for an API client', async () => {
    const session = await signInToSample(sample().url, 'cy');
    const page = await get(`${sample().url}/no-such-page`, { headers: { cookie: session, accept: BROWSER } });
    expect(page.status).toBe(404);
    expect(page.text).toContain('<h1 id="not-found">This page does not exist</h1>');
    expect(page.text).toContain('<a class="button" href="/" id="home">Home</a>');
    expect(page.text).toContain('Signed in as <strong>Cy Cole</strong>');
    const json = await get(`${sample().url}/no-such-page`, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(404);
    expect(JSON.parse(json.text)).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /no-such-page' });
  });
});

describe('the sample on its in-process emulator', () => {
  let sample: RunningSample;
  let database: TestDatabase;

  beforeAll(async () => {
    database = createSqliteDatabase();
    const keys = E2E_ENCRYPTION_KEYS.map((entry) => `${entry.id}:${entry.key}`).join(',');
    sample = await startSampleApp({ PORT: String(await freePort()), DATABASE_URL: database.url, HOVER_ENCRYPTION_KEYS: keys }, false);
  });

  afterAll(async () => {
    await sample?.close();
    await database?.drop();
  });

  it('an unknown developer panel action changes nothing and returns home with a notice', async () => {
    const session = await signInToSample(sample.url, 'ana');
    const faults = JSON.stringify(sample.emulator?.faults);
    const response = await fetch(`${sample.url}/dev/emulator`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=drop-tables',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/?dev=unknown');
    expect(JSON.stringify(sample.emulator?.faults)).toBe(faults);
    const home = await get(`${sample.url}/?dev=unknown`, { headers: { cookie: session } });
    expect(home.text).toContain('Unknown developer panel action: nothing was changed.');
  });
});
