/**
 * `mountController: false` with the host's own routes over HoverAuthorizationFlowService, behind the
 * host's own authentication guard: the flow works end to end (own connect route → Hover consent →
 * own callback route), the built-in routes are not mounted, an unauthenticated start stores nothing,
 * and a bad callback is refused with the library's typed 400.
 */
import {
  HoverAuthModule,
  HoverAuthorizationFlowService,
  HoverConnectionsService,
  hoverAuthEntities,
  hoverAuthMigrations,
  type HoverAuthorizationResult,
} from '@hover-auth/nestjs';
import { HoverEmulator } from '@hover-auth/emulator';
import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
  type INestApplication,
  Module,
  Query,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { freePort } from './support/free-port';
import { cookiesOf, formFields, get, type RawResponse } from './support/sample-harness';
import { createSqliteDatabase, type TestDatabase } from './support/test-databases';
import { E2E_ENCRYPTION_KEYS } from './support/test-keys';

const CLIENT = { clientId: 'custom-routes-client', clientSecret: 'custom-routes-secret' };

/** The host's own authentication: a signed-in user is named by the `x-user` header. */
@Injectable()
class SignedInGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request & { user?: string }>();
    const user = request.header('x-user');
    if (!user) throw new UnauthorizedException('Sign in first.');
    request.user = user;
    return true;
  }
}

/** Outcomes the callback route saw, for the assertions. */
const outcomes: HoverAuthorizationResult[] = [];

@Controller('integrations/hover')
class HoverIntegrationController {
  constructor(private readonly flow: HoverAuthorizationFlowService) {}

  @Get('connect')
  @UseGuards(SignedInGuard)
  async connect(@Req() request: Request & { user: string }, @Res() response: Response): Promise<void> {
    const start = await this.flow.start(request, { connectionId: `user:${request.user}`, returnTo: '/settings?tab=hover' });
    response.append('Set-Cookie', start.setCookie).redirect(302, start.authorizationUrl);
  }

  @Get('callback')
  async callback(@Query() query: Record<string, unknown>, @Req() request: Request, @Res() response: Response): Promise<void> {
    const result = await this.flow.complete(query, request);
    outcomes.push(result);
    response.redirect(302, result.redirectUrl);
  }
}

describe('custom routes over HoverAuthorizationFlowService (mountController: false)', () => {
  let emulator: HoverEmulator;
  let database: TestDatabase;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    emulator = new HoverEmulator();
    const baseUrl = await emulator.start(0);
    const port = await freePort();
    url = `http://localhost:${port}`;
    const redirectUri = `${url}/integrations/hover/callback`;
    emulator.registerClient({ ...CLIENT, redirectUris: [redirectUri] });
    database = createSqliteDatabase();

    @Module({
      imports: [
        TypeOrmModule.forRoot({ ...database.options, entities: [...hoverAuthEntities], migrations: [...hoverAuthMigrations], migrationsRun: true } as never),
        HoverAuthModule.forRoot({
          ...CLIENT,
          redirectUri,
          baseUrl,
          encryptionKeys: E2E_ENCRYPTION_KEYS,
          failureRedirect: '/settings?tab=hover',
          mountController: false,
        }),
      ],
      controllers: [HoverIntegrationController],
      providers: [SignedInGuard],
    })
    class HostModule {}

    app = await NestFactory.create(HostModule, { logger: false });
    await app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await emulator?.stop();
    await database?.drop();
  });

  const pendingFlows = () => app.get(DataSource).query('SELECT COUNT(*) AS n FROM hover_authorization_states').then((rows: Array<{ n: number }>) => Number(rows[0].n));

  /** Signed in as `user`: own connect route → consent page → Allow/Deny → own callback route. */
  async function connectAs(user: string, decision: 'allow' | 'deny'): Promise<RawResponse> {
    const start = await get(`${url}/integrations/hover/connect`, { headers: { 'x-user': user } });
    expect(start.status).toBe(302);
    const cookie = cookiesOf(start);
    expect(cookie).toMatch(/^hover_oauth_[A-Za-z0-9_-]{16}=f1\.e2e\.[A-Za-z0-9_.-]+$/);
    const consent = await get(start.location as string);
    const decided = await fetch(new URL('/oauth/authorize', start.location as string), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...formFields(consent.text, `${decision}-form`), decision }),
    });
    const callbackUrl = decided.headers.get('location') as string;
    expect(callbackUrl.startsWith(`${url}/integrations/hover/callback?`)).toBe(true);
    return get(callbackUrl, { headers: { cookie } });
  }

  it('the built-in routes are not mounted', async () => {
    expect((await get(`${url}/hover/authorize`)).status).toBe(404);
    expect((await get(`${url}/hover/callback?state=x&code=y`)).status).toBe(404);
  });

  it("the host's guard stops an anonymous start before anything is stored", async () => {
    const before = await pendingFlows();
    const anonymous = await get(`${url}/integrations/hover/connect`);
    expect(anonymous.status).toBe(401);
    expect(await pendingFlows()).toBe(before);
    expect(emulator.tokenRequestCount()).toBe(0);
  });

  it('a signed-in user connects through the custom routes; the connection is stored under the id the route chose', async () => {
    const callback = await connectAs('alice', 'allow');
    expect([callback.status, callback.location]).toEqual([302, '/settings?tab=hover']);
    expect(emulator.tokenRequestCount('authorization_code')).toBe(1);
    const outcome = outcomes.at(-1);
    expect(outcome).toMatchObject({ outcome: 'connected', connectionId: 'user:alice', redirectUrl: '/settings?tab=hover' });
    const info = await app.get(HoverConnectionsService).get('user:alice');
    expect(info).toMatchObject({ connectionId: 'user:alice', status: 'active', tokensReadable: true, hoverOrgId: '1', hoverOrgName: 'Acme Roofing', integrationsEnabled: true });
    expect(outcome?.outcome === 'connected' && outcome.connection).toEqual(info);
  });

  it('Deny: the callback route gets outcome failed / access_denied and nothing is stored', async () => {
    const callback = await connectAs('bob', 'deny');
    expect([callback.status, callback.location]).toEqual([302, '/settings?tab=hover&hover_error=access_denied']);
    expect(outcomes.at(-1)).toEqual({
      outcome: 'failed',
      connectionId: 'user:bob',
      reason: 'access_denied',
      redirectUrl: '/settings?tab=hover&hover_error=access_denied',
      clearCookie: expect.stringMatching(/^hover_oauth_[A-Za-z0-9_-]{16}=; Max-Age=0; Path=\/; HttpOnly; SameSite=Lax$/),
    });
    expect(await app.get(HoverConnectionsService).get('user:bob')).toBeNull();
  });

  it('a forged callback gets the typed 400 (JSON with a stable code), and Hover is not contacted', async () => {
    const tokenRequests = emulator.tokenRequestCount();
    const forged = await get(`${url}/integrations/hover/callback?state=${'a'.repeat(43)}&code=stolen`);
    expect(forged.status).toBe(400);
    expect(JSON.parse(forged.text)).toEqual({
      statusCode: 400,
      code: 'HOVER_STATE_BROWSER_MISMATCH',
      message: 'This authorization was not started in this browser, or its cookie is gone (blocked, or older than 10 minutes). Start again from the authorize route in this browser.',
    });
    expect(emulator.tokenRequestCount()).toBe(tokenRequests);
  });
});
