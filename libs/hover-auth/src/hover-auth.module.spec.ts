import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { HoverAuthorizationState } from './tokens/hover-authorization-state.entity';
import { FlowCookieSealer, flowCookieName, type SealedFlow } from './oauth/flow-cookie';
import { HoverAuthConfigurationError } from './exceptions/hover-auth-configuration.error';
import { HoverIntegrationGuard } from './guards/hover-integration.guard';
import { HOVER_AUTH_RESOLVED_OPTIONS } from './hover-auth.constants';
import { HoverAuthModule } from './hover-auth.module';
import type { HoverAuthModuleOptions, ResolvedHoverAuthOptions } from './hover-auth-options.interface';
import { HoverHttpService } from './http/hover-http.service';
import { hoverAuthEntities } from './tokens';
import { HoverConnectionRepository } from './tokens/hover-connection.repository';
import { hoverAuthMigrations } from './tokens/migrations';

const OPTIONS: HoverAuthModuleOptions = {
  clientId: 'wiring-client',
  clientSecret: 'wiring-secret-value',
  redirectUri: 'http://localhost:3999/hover/callback',
  baseUrl: 'http://127.0.0.1:9',
  encryptionKeys: [{ id: 'wiring', key: Buffer.alloc(32, 3).toString('base64') }],
};

const sqlite = (name?: string) =>
  TypeOrmModule.forRoot({
    name,
    type: 'better-sqlite3',
    database: ':memory:',
    entities: [...hoverAuthEntities],
    migrations: [...hoverAuthMigrations],
    migrationsRun: true,
  });

@Injectable()
class OptionsFactory {
  createHoverAuthOptions(): HoverAuthModuleOptions {
    return { ...OPTIONS, clientId: 'from-use-class' };
  }
}

@Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
class OptionsFactoryModule {}

@Injectable()
class NeedsHover {
  constructor(readonly hover: HoverHttpService) {}
}

@Module({ providers: [NeedsHover] })
class FeatureModule {}

describe('HoverAuthModule wiring', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function boot(imports: any[]): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({ imports }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return app;
  }

  async function authorizeLocation(instance: INestApplication): Promise<URL> {
    const response = await request(instance.getHttpServer()).get('/hover/authorize').expect(302);
    return new URL(response.headers.location);
  }

  it('forRoot: resolves options, provides the services and mounts the controller', async () => {
    const instance = await boot([sqlite(), HoverAuthModule.forRoot(OPTIONS)]);
    const options = instance.get<ResolvedHoverAuthOptions>(HOVER_AUTH_RESOLVED_OPTIONS);
    expect(options.tokenEndpoint).toBe('http://127.0.0.1:9/oauth/token');
    expect(options.refreshMarginSeconds).toBe(300);
    expect(instance.get(HoverHttpService).connectionId).toBe('default');
    expect(instance.get(HoverIntegrationGuard)).toBeInstanceOf(HoverIntegrationGuard);
    const location = await authorizeLocation(instance);
    expect(location.origin + location.pathname).toBe('http://127.0.0.1:9/oauth/authorize');
    expect(location.searchParams.get('client_id')).toBe('wiring-client');
    expect(location.searchParams.get('response_type')).toBe('code');
    expect(location.searchParams.get('redirect_uri')).toBe(OPTIONS.redirectUri);
    expect(location.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  /** The flow sealed in the cookie the authorize route set. */
  async function startedFlow(instance: INestApplication): Promise<{ location: URL; flow: SealedFlow | null; rows: number }> {
    const response = await request(instance.getHttpServer()).get('/hover/authorize').expect(302);
    const location = new URL(response.headers.location);
    const state = location.searchParams.get('state') as string;
    const cookie = ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((line) => line.startsWith(`${flowCookieName(state)}=`));
    const sealed = cookie?.split(';')[0].split('=')[1] ?? '';
    const options = instance.get<ResolvedHoverAuthOptions>(HOVER_AUTH_RESOLVED_OPTIONS);
    const rows = await instance.get(DataSource).getRepository(HoverAuthorizationState).count();
    return { location, flow: new FlowCookieSealer(options.encryptionKeys).open(sealed, state), rows };
  }

  it('PKCE S256 by default: the challenge is the SHA-256 of the code verifier sealed in the flow cookie; pkce: false sends none', async () => {
    const instance = await boot([sqlite(), HoverAuthModule.forRoot(OPTIONS)]);
    const { location, flow, rows } = await startedFlow(instance);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(flow?.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('code_challenge')).toBe(createHash('sha256').update(flow?.codeVerifier as string).digest('base64url'));
    expect(rows).toBe(0); // starting a flow stores nothing
    await instance.close();
    app = undefined;

    const withoutPkce = await boot([sqlite(), HoverAuthModule.forRoot({ ...OPTIONS, pkce: false })]);
    const plain = await startedFlow(withoutPkce);
    expect(plain.location.searchParams.has('code_challenge')).toBe(false);
    expect(plain.location.searchParams.has('code_challenge_method')).toBe(false);
    expect(plain.flow).toMatchObject({ connectionId: 'default', codeVerifier: null });
  });

  it('forRootAsync useFactory: reads ConfigService', async () => {
    const instance = await boot([
      sqlite(),
      HoverAuthModule.forRootAsync({
        imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ HOVER_CLIENT_ID: 'from-config' })] })],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({ ...OPTIONS, clientId: config.getOrThrow<string>('HOVER_CLIENT_ID') }),
      }),
    ]);
    expect((await authorizeLocation(instance)).searchParams.get('client_id')).toBe('from-config');
  });

  it('forRootAsync useClass: calls createHoverAuthOptions()', async () => {
    const instance = await boot([sqlite(), HoverAuthModule.forRootAsync({ useClass: OptionsFactory })]);
    expect(instance.get<ResolvedHoverAuthOptions>(HOVER_AUTH_RESOLVED_OPTIONS).clientId).toBe('from-use-class');
  });

  it('forRootAsync useExisting: reuses a provider of an imported module', async () => {
    const instance = await boot([
      sqlite(),
      HoverAuthModule.forRootAsync({ imports: [OptionsFactoryModule], useExisting: OptionsFactory }),
    ]);
    expect(instance.get<ResolvedHoverAuthOptions>(HOVER_AUTH_RESOLVED_OPTIONS).clientId).toBe('from-use-class');
  });

  it('isGlobal: feature modules inject HoverHttpService without importing the module', async () => {
    const instance = await boot([sqlite(), HoverAuthModule.forRoot({ ...OPTIONS, isGlobal: true }), FeatureModule]);
    expect(instance.get(NeedsHover).hover).toBe(instance.get(HoverHttpService));
  });

  it('without isGlobal: a feature module that does not import it cannot inject HoverHttpService', async () => {
    await expect(
      Test.createTestingModule({ imports: [sqlite(), HoverAuthModule.forRoot(OPTIONS), FeatureModule] }).compile(),
    ).rejects.toThrow(/HoverHttpService/);
  });

  it('mountController: false leaves the routes to the host', async () => {
    const instance = await boot([sqlite(), HoverAuthModule.forRoot({ ...OPTIONS, mountController: false })]);
    await request(instance.getHttpServer()).get('/hover/authorize').expect(404);
  });

  it('dataSource: uses a named DataSource', async () => {
    const instance = await boot([sqlite('hover'), HoverAuthModule.forRoot({ ...OPTIONS, dataSource: 'hover' })]);
    await authorizeLocation(instance);
    expect(await instance.get(HoverConnectionRepository).findById('default')).toBeNull();
  });

  it('stops bootstrap on invalid options, naming the option and never echoing the secret', async () => {
    const failure = Test.createTestingModule({
      imports: [
        sqlite(),
        HoverAuthModule.forRootAsync({ useFactory: () => ({ ...OPTIONS, redirectUri: 'http://app.example.com/cb' }) }),
      ],
    }).compile();
    await expect(failure).rejects.toBeInstanceOf(HoverAuthConfigurationError);
    await expect(failure).rejects.toThrow(/`redirectUri` must be an absolute https:\/\/ URL/);
    const error = await failure.catch((e: Error) => e);
    expect(String((error as Error).message)).not.toContain(OPTIONS.clientSecret);
  });

  describe('startup schema check', () => {
    it('a DataSource without hoverAuthEntities stops the bootstrap with a fix, not a raw TypeORM error at the first request', async () => {
      const attempt = boot([
        TypeOrmModule.forRoot({ type: 'better-sqlite3', database: ':memory:', entities: [] }),
        HoverAuthModule.forRoot(OPTIONS),
      ]);
      await expect(attempt).rejects.toBeInstanceOf(HoverAuthConfigurationError);
      await expect(attempt).rejects.toThrow(/The DataSource has no entity HoverConnection\. Add hover-auth's entities to your DataSource/);
    });

    it('entities without the migrations having run stop the bootstrap, naming the table and the fix', async () => {
      const attempt = boot([
        TypeOrmModule.forRoot({ type: 'better-sqlite3', database: ':memory:', entities: [...hoverAuthEntities] }),
        HoverAuthModule.forRoot(OPTIONS),
      ]);
      await expect(attempt).rejects.toThrow(/The table hover_connections is missing or out of date\. Add hover-auth's migrations/);
      await expect(attempt).rejects.toThrow(/The table hover_authorization_states is missing or out of date/);
    });

    it.each([
      ['a column missing', 2, /The table hover_connections is missing or out of date/],
      ['the webhook tables missing', 1, /The table hover_webhooks is missing or out of date/],
    ])('a schema migrations behind (%s) is caught too', async (_name, behind, message) => {
      const attempt = boot([
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: ':memory:',
          entities: [...hoverAuthEntities],
          migrations: hoverAuthMigrations.slice(0, -behind),
          migrationsRun: true,
        }),
        HoverAuthModule.forRoot(OPTIONS),
      ]);
      await expect(attempt).rejects.toThrow(message);
    });
  });
});
