import {
  HoverAuthModule,
  HoverConnectionsService,
  HoverHealthIndicator,
  HoverHttpService,
  HoverIntegrationGuard,
  hoverAuthEntities,
  hoverAuthMigrations,
  type HoverAuthModuleOptions,
  type HoverIncomingRequest,
} from '@hover-auth/nestjs';
import { completeConsent, type CompletedConsent, type HoverEmulator } from '@hover-auth/emulator';
import { Controller, type DynamicModule, Get, type INestApplication, type LoggerService, Module, Req, type Type, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import { HoverConnectionRepository, type HoverConnection } from '../../libs/hover-auth/src/testing/internals';
import { HoverEventPublisher } from '../../libs/hover-auth/src/events/hover-event-publisher';
import { freePort } from './free-port';
import { E2E_ENCRYPTION_KEYS } from './test-keys';

/** Header the host apps of these suites read the connection id from (default `'default'`). */
export const CONNECTION_HEADER = 'x-connection';

/** One hover-auth lifecycle event as a host listener saw it. */
export interface RecordedEvent {
  /** Which app instance emitted it (the `name` given at start). */
  instance: string;
  event: string;
  payload: Record<string, unknown>;
}

/** What {@link startHoverHostApp} builds into the host app besides TypeORM and HoverAuthModule. */
export interface HoverHostAppSetup {
  /** Label of this app instance in {@link RecordedEvent.instance}. Default `'app'`. */
  name?: string;
  database: DataSourceOptions;
  emulator: HoverEmulator;
  /** The OAuth client; registered at the emulator (with this app's redirect URI added) by the start. */
  client: { clientId: string; clientSecret: string };
  /** Further module options (the client, redirect URI, base URL and keys are filled in). */
  hover?: Partial<HoverAuthModuleOptions>;
  /** Import `EventEmitterModule.forRoot()` and record every event. Default false. */
  events?: boolean;
  /** Import `TerminusModule` and mount `GET /health` (`isHealthy('hover')`) and `GET /health/ids` (with ids). Default false. */
  terminus?: boolean;
  /**
   * Receive webhooks at `{this app's URL}{path}` (option `webhook`, with `url` filled in unless given:
   * instances behind one public URL share it); implies `events`. Default: off.
   */
  webhook?: { path?: string; url?: string } & Record<string, unknown>;
  /** `rawBody` of `NestFactory.create` (the webhook route needs it). Default true. */
  rawBody?: boolean;
  /** Import `EventEmitterModule.forRoot()` even without `events` (default: with `events` or `webhook`). */
  eventEmitter?: boolean;
  /** Run hover-auth's migrations at start (the first instance on a fresh database). Default true. */
  runMigrations?: boolean;
  logger?: LoggerService | false;
}

/** A running host app: HTTP on 127.0.0.1, the built-in authorize/callback routes and a guarded route. */
export interface HoverHostApp {
  name: string;
  app: INestApplication;
  /** `http://localhost:<port>` */
  url: string;
  hover: HoverHttpService;
  connections: HoverConnectionRepository;
  connectionsService: HoverConnectionsService;
  /** Events this instance emitted, in order (empty without `events`). */
  events: RecordedEvent[];
  /** Whether hover-auth found the host's EventEmitter2 (its event publisher is on). */
  eventsEnabled: boolean;
  /** The stored row of a connection, tokens decrypted (null when none). */
  stored(connectionId?: string): Promise<HoverConnection | null>;
  /** `GET /guarded` (behind HoverIntegrationGuard) as connection `connectionId`: status and JSON body. */
  guarded(connectionId?: string): Promise<{ status: number; body: any }>;
  /** Connects `connectionId` through this app's authorize route, the emulator's consent page (as `userId`) and its callback. */
  connect(connectionId?: string, userId?: number): Promise<CompletedConsent>;
  close(): Promise<void>;
}

/**
 * Redirect URIs registered so far per emulator and client id. Kept on `globalThis`, so copies of this
 * module loaded by {@link isolatedStartHoverHostApp} share it.
 */
const redirectUrisByEmulator: WeakMap<HoverEmulator, Map<string, string[]>> = ((globalThis as Record<string, any>).__hoverHostAppRedirectUris ??= new WeakMap());

@Controller('guarded')
@UseGuards(HoverIntegrationGuard)
class GuardedController {
  @Get()
  get(@Req() request: HoverIncomingRequest): { connectionId: string } {
    return { connectionId: request.hoverConnectionId };
  }
}

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly hover: HoverHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.hover.isHealthy('hover')]);
  }

  @Get('ids')
  @HealthCheck()
  checkWithIds() {
    return this.health.check([() => this.hover.isHealthy('hover', { includeConnectionIds: true })]);
  }
}

/**
 * Boots a host app the way a user wires hover-auth (its own `TypeOrmModule.forRoot` with hover-auth's
 * entities and migrations, `HoverAuthModule.forRoot`, optionally `EventEmitterModule` and
 * `TerminusModule`), listening on a free port of 127.0.0.1. Connection ids come from the
 * `x-connection` header. Several instances may share one database (pass `runMigrations: false` to all
 * but the first).
 */
export async function startHoverHostApp(setup: HoverHostAppSetup): Promise<HoverHostApp> {
  const name = setup.name ?? 'app';
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const redirectUri = `${url}/hover/callback`;
  // Several instances of one client each add their own redirect URI.
  const registered = redirectUrisByEmulator.get(setup.emulator) ?? new Map<string, string[]>();
  redirectUrisByEmulator.set(setup.emulator, registered);
  const redirectUris = [...(registered.get(setup.client.clientId) ?? []), redirectUri];
  registered.set(setup.client.clientId, redirectUris);
  setup.emulator.registerClient({ ...setup.client, redirectUris });

  const imports: Array<DynamicModule | Type<unknown>> = [
    TypeOrmModule.forRoot({
      ...setup.database,
      entities: [...hoverAuthEntities],
      migrations: [...hoverAuthMigrations],
      migrationsRun: setup.runMigrations ?? true,
      synchronize: false,
    } as DataSourceOptions),
    HoverAuthModule.forRoot({
      ...setup.client,
      redirectUri,
      baseUrl: setup.emulator.baseUrl,
      encryptionKeys: E2E_ENCRYPTION_KEYS,
      resolveConnectionId: (request) => {
        const header = request.headers?.[CONNECTION_HEADER];
        return typeof header === 'string' && header !== '' ? header : 'default';
      },
      ...(setup.webhook ? { webhook: { ...setup.webhook, path: undefined, url: setup.webhook.url ?? `${url}${setup.webhook.path ?? '/hover/webhooks'}` } } : {}),
      ...setup.hover,
    }),
  ];
  const controllers: Array<Type<unknown>> = [GuardedController];
  const events = setup.eventEmitter ?? (setup.events || setup.webhook !== undefined);
  if (events) imports.push(EventEmitterModule.forRoot());
  if (setup.terminus) {
    imports.push(TerminusModule.forRoot({ logger: false }));
    controllers.push(HealthController);
  }

  @Module({ imports, controllers })
  class HostModule {}

  // rawBody: the webhook route checks signatures over the body as received (harmless otherwise).
  const app = await NestFactory.create(HostModule, { logger: setup.logger ?? false, rawBody: setup.rawBody ?? true });
  await app.listen(port, '127.0.0.1');
  const recorded: RecordedEvent[] = [];
  if (events) {
    app.get(EventEmitter2).onAny((event, payload) => {
      recorded.push({ instance: name, event: String(event), payload: payload as Record<string, unknown> });
    });
  }
  const connections = app.get(HoverConnectionRepository);
  return {
    name,
    app,
    url,
    hover: app.get(HoverHttpService),
    connections,
    connectionsService: app.get(HoverConnectionsService),
    events: recorded,
    eventsEnabled: app.get(HoverEventPublisher).enabled,
    stored: (connectionId = 'default') => connections.findById(connectionId),
    guarded: async (connectionId = 'default') => {
      const response = await fetch(`${url}/guarded`, { headers: { [CONNECTION_HEADER]: connectionId } });
      return { status: response.status, body: await response.json() };
    },
    connect: (connectionId = 'default', userId?: number) =>
      completeConsent({ emulator: setup.emulator, authorizeUrl: `${url}/hover/authorize`, headers: { [CONNECTION_HEADER]: connectionId }, userId }),
    close: () => app.close(),
  };
}

/**
 * Every access and refresh token the emulator ever issued (and has not forgotten), read from its
 * in-memory store: for checking that no event payload, health answer or log line carries one. Test-only
 * access to the emulator's internals.
 */
export function tokensKnownToEmulator(emulator: HoverEmulator): string[] {
  const store = (emulator as unknown as { store: { tokensByAccess: Map<string, unknown>; tokensByRefresh: Map<string, unknown> } }).store;
  return [...store.tokensByAccess.keys(), ...store.tokensByRefresh.keys()];
}

/** Polls `probe` every `everyMs` until it returns true or `timeoutMs` passed; resolves to the elapsed milliseconds, or rejects. */
export async function waitUntil(probe: () => boolean | Promise<boolean>, { timeoutMs = 5000, everyMs = 25 } = {}): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Starts a host app from a fresh copy of this module and of everything it loads (hover-auth, Nest,
 * TypeORM, axios), as a separate process would have it: every `HoverAuthModule` loaded once per process
 * shares one axios instance (`HttpModule.register` runs when the module class is declared), so two app
 * instances built from the same copy would run each other's request hooks. The app is started inside
 * the isolated module registry, so what hover-auth requires at bootstrap (the host's
 * `@nestjs/event-emitter`) comes from the same copy. Errors thrown by the app are of that copy's
 * classes: compare them by `code`, not `instanceof`. Start isolated apps one after the other.
 */
export async function startIsolatedHoverHostApp(setup: HoverHostAppSetup): Promise<HoverHostApp> {
  let started: HoverHostApp | undefined;
  await jest.isolateModulesAsync(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const copy: typeof import('./hover-host-app') = require('./hover-host-app');
    started = await copy.startHoverHostApp(setup);
  });
  return started as HoverHostApp;
}
