import { startHoverEmulator, type RunningHoverEmulator } from '@hover-auth/emulator';
import { HoverHttpService } from '@hover-auth/nestjs';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { AppModule } from '../src/app.module';
import type { HoverJobsPage } from '../src/jobs.controller';

describe('Hover integration (against the local emulator)', () => {
  let hover: RunningHoverEmulator;
  let app: INestApplication;
  let appUrl: string;

  beforeAll(async () => {
    // The redirect URI names the app's port, so choose the port before anything starts.
    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    const client = { clientId: 'my-app-test', clientSecret: 'my-app-test-secret', redirectUris: [`${appUrl}/hover/callback`] };
    hover = await startHoverEmulator({ client });

    // AppModule reads its settings from the environment; DATABASE_URL names a throwaway test database.
    process.env.HOVER_BASE_URL = hover.baseUrl;
    process.env.HOVER_CLIENT_ID = client.clientId;
    process.env.HOVER_CLIENT_SECRET = client.clientSecret;
    process.env.HOVER_REDIRECT_URI = client.redirectUris[0];
    process.env.HOVER_TOKEN_KEY = randomBytes(32).toString('base64');

    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication();
    await app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await hover?.stop();
  });

  it('connects an account through the consent page, then reads its Hover jobs', async () => {
    // Your authorize route → the emulator's consent page → Allow → your callback, cookies kept like a browser.
    const consent = await hover.completeConsent({
      authorizeUrl: `${appUrl}/hover/authorize`,
      headers: { 'x-account-id': 'acme' }, // what resolveConnectionId reads
    });
    expect(consent.status).toBe(302);
    expect(consent.location).toBe('/hover/connected');
    expect(hover.emulator.tokenRequestCount('authorization_code')).toBe(1);

    // Through your HTTP route: the emulator's default org "Acme Roofing" has 30 jobs, ids 10001…10030.
    const response = await fetch(`${appUrl}/jobs`, { headers: { 'x-account-id': 'acme' } });
    expect(response.status).toBe(200);
    const page = (await response.json()) as HoverJobsPage;
    expect(page.pagination).toEqual({ current_page: 1, next_page: 2, total: 30 });
    expect(page.results.map((job) => job.id)).toEqual([10001, 10002, 10003, 10004, 10005]);

    // Through the injected service, as your own providers call Hover.
    const job = await app.get(HoverHttpService).forConnection('acme').getData<{ name: string }>('/v3/jobs/10001');
    expect(job.name).toBe('137 Maple Ave');
  });

  it('answers 401 HOVER_NOT_CONNECTED for an account that never connected', async () => {
    const response = await fetch(`${appUrl}/jobs`, { headers: { 'x-account-id': 'globex' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'HOVER_NOT_CONNECTED' });
  });
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
