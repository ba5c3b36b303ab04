/**
 * What a new user does, in a real (headless) Chromium: open the sample, click "Connect Hover", click
 * "Allow" on the emulated Hover consent page, and see their jobs. Uses Debian's chromium
 * (`command -v chromium`, or HOVER_E2E_CHROMIUM); never downloads a browser.
 */
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { startSampleUnderTest, type SampleUnderTest } from './support/sample-harness';
import { createSqliteDatabase, type TestDatabase } from './support/test-databases';

function chromiumPath(): string {
  if (process.env.HOVER_E2E_CHROMIUM) return process.env.HOVER_E2E_CHROMIUM;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Chromium not found: install it with `apt-get install -y chromium` (.ci/run does) or set HOVER_E2E_CHROMIUM.');
  }
}

describe('a user connects Hover in a browser', () => {
  let database: TestDatabase;
  let target: SampleUnderTest;
  let browser: Browser;

  beforeAll(async () => {
    database = createSqliteDatabase();
    target = await startSampleUnderTest(database);
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await target?.close();
    await database?.drop();
  });

  it('Connect Hover → Allow → sees the jobs; Deny → sees the cancellation', async () => {
    const page = await browser.newPage();
    await page.goto(target.url);
    expect(await page.textContent('#status')).toContain('not connected');

    await page.click('#connect');
    await page.waitForURL((url) => url.origin === target.emulator.baseUrl);
    expect(await page.textContent('body')).toContain('Alice');
    await page.click('button[value="allow"]');
    await page.waitForURL((url) => url.href.startsWith(`${target.url}/?connected=1`));
    expect(await page.textContent('#status')).toContain('connected (org Acme Roofing)');

    await page.click('#jobs');
    await page.waitForSelector('table#jobs');
    const rows = await page.$$eval('table#jobs tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(rows).toHaveLength(26); // header + 25 jobs of the first page
    expect(rows[1]).toContain('10001');
    if (process.env.HOVER_E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.HOVER_E2E_SCREENSHOTS}/jobs.png`, fullPage: true });

    await page.goto(target.url);
    await page.click('#connect');
    await page.waitForURL((url) => url.origin === target.emulator.baseUrl);
    await page.click('button[value="deny"]');
    await page.waitForURL((url) => url.href.startsWith(target.url));
    expect(await page.textContent('#hover-error')).toBe('You cancelled the connection on Hover.');
    await page.close();
  });

  it('two tabs: starting a second connection does not break the first one', async () => {
    const context = await browser.newContext();
    try {
      const first = await context.newPage();
      const second = await context.newPage();
      await first.goto(`${target.url}/hover/authorize`);
      await first.waitForURL((url) => url.origin === target.emulator.baseUrl);
      await second.goto(`${target.url}/hover/authorize`);
      await second.waitForURL((url) => url.origin === target.emulator.baseUrl);
      await first.click('button[value="allow"]');
      await first.waitForURL((url) => url.href.startsWith(target.url));
      expect(new URL(first.url()).search).toBe('?connected=1');
      await second.click('button[value="allow"]');
      await second.waitForURL((url) => url.href.startsWith(target.url));
      expect(new URL(second.url()).search).toBe('?connected=1');
    } finally {
      await context.close();
    }
  });
});
