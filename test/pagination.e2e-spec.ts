/**
 * Typed paging over Hover's job lists (issue 9, item 4): against the emulator (30 jobs in org 1,
 * ids 10001–10030), and against a stand-in Hover whose pagination misbehaves (a next_page that does
 * not move forward, a total_pages that grows while the list is read), where the iterators must stop
 * instead of looping. Counts the API requests each iteration made.
 */
import { HoverInvalidArgumentException, type HoverJob } from '@hover-auth/nestjs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tokenSetFor } from './support/emulator-grant';
import { connectedSampleSuite } from './support/sample-harness';
import { startHoverClientApp, type HoverClientApp } from './support/hover-client-app';
import { createSqliteDatabase, type TestDatabase } from './support/test-databases';
import { E2E_ENCRYPTION_KEYS } from './support/test-keys';

const ids = (jobs: HoverJob[]) => jobs.map((job) => job.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterator) items.push(item);
  return items;
}

describe('paging through jobs (emulator)', () => {
  const suite = connectedSampleSuite({});
  const emulator = () => suite.target().emulator;

  it('jobsV3 reads every job once, one request per page, and stops after next_page null', async () => {
    expect(ids(await collect(suite.hover().jobsV3({ perPage: 7 })))).toEqual(range(10001, 10030));
    expect(emulator().apiRequestCount('/api/v3/jobs')).toBe(5);
  });

  it('jobsV2 reads every job once over pages 1…total_pages', async () => {
    expect(ids(await collect(suite.hover().jobsV2({ perPage: 7 })))).toEqual(range(10001, 10030));
    expect(emulator().apiRequestCount('/api/v2/jobs')).toBe(5);
  });

  it('startPage, and pages with their pagination', async () => {
    expect(ids(await collect(suite.hover().jobsV3({ perPage: 7, startPage: 3 })))).toEqual(range(10015, 10030));
    const pages = await collect(suite.hover().jobPagesV3({ perPage: 10 }));
    expect(pages.map((page) => page.pagination)).toEqual([
      { current_page: 1, next_page: 2, total: 30 },
      { current_page: 2, next_page: 3, total: 30 },
      { current_page: 3, next_page: null, total: 30 },
    ]);
  });

  it('a loop can stop early: only the pages it needed are requested', async () => {
    const first: HoverJob[] = [];
    for await (const job of suite.hover().jobsV3({ perPage: 5 })) {
      first.push(job);
      if (first.length === 7) break;
    }
    expect(ids(first)).toEqual(range(10001, 10007));
    expect(emulator().apiRequestCount('/api/v3/jobs')).toBe(2);
  });

  it('typed profile and job', async () => {
    const profile = await suite.hover().getProfile();
    expect([profile.id, profile.orgs[0].name, 'integrations' in (profile.orgs[0].feature_access ?? {})]).toEqual([1, 'Acme Roofing', true]);
    const job = await suite.hover().getJob(10001);
    expect([job.id, job.name, job.location?.city]).toEqual([10001, '137 Maple Ave', 'Denver']);
  });

  it.each([
    [{ perPage: 0 }, '`perPage` must be an integer from 1 to 100 (Hover serves at most 100 jobs per page).'],
    [{ perPage: 101 }, '`perPage` must be an integer from 1 to 100 (Hover serves at most 100 jobs per page).'],
    [{ startPage: 0 }, '`startPage` must be an integer of 1 or more.'],
  ])('bad options %p → HOVER_INVALID_ARGUMENT, nothing requested', async (options, message) => {
    const failure = await collect(suite.hover().jobsV3(options)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HoverInvalidArgumentException);
    expect((failure as Error).message).toBe(message);
    expect(emulator().apiRequestCount()).toBe(0);
    await expect(suite.hover().getJob(-1)).rejects.toBeInstanceOf(HoverInvalidArgumentException);
  });
});

describe('paging through jobs (a Hover whose pagination misbehaves)', () => {
  let server: Server;
  let database: TestDatabase;
  let client: HoverClientApp;
  const requested: string[] = [];

  beforeAll(async () => {
    let v2Calls = 0;
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://stand-in');
      requested.push(`${url.pathname}?${url.searchParams}`);
      const page = Number(url.searchParams.get('page'));
      const job = { id: page, name: `job on page ${page}` };
      const body =
        url.pathname === '/api/v3/jobs'
          ? { pagination: { current_page: page, next_page: 1, total: 99 }, results: [job] } // next_page never moves forward
          : { pagination: { current_page: page, total_pages: 3 + v2Calls++, total: 99 }, results: [job] }; // grows on every call
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    database = createSqliteDatabase();
    client = await startHoverClientApp(
      database.options,
      { clientId: 'c', clientSecret: 's', redirectUri: 'http://localhost:3996/hover/callback', baseUrl, encryptionKeys: E2E_ENCRYPTION_KEYS },
      { runMigrations: true },
    );
    await client.connections.saveAuthorizedConnection('default', tokenSetFor('stand-in-access-token', 'stand-in-refresh-token'), {
      hoverUserId: '1',
      hoverOrgId: '1',
      hoverOrgName: null,
      integrationsEnabled: true,
    });
  });

  afterAll(async () => {
    await client?.close();
    await database?.drop();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    requested.length = 0;
  });

  it('jobsV3 stops when next_page does not move forward (no loop): one page, one request', async () => {
    expect(ids(await collect(client.hover.jobsV3({ perPage: 1 })))).toEqual([1]);
    expect(requested).toEqual(['/api/v3/jobs?page=1&per=1']);
  });

  it('jobsV2 stops at the total_pages the first page stated, even as it grows', async () => {
    expect(ids(await collect(client.hover.jobsV2({ perPage: 1 })))).toEqual([1, 2, 3]);
    expect(requested).toHaveLength(3);
  });
});
