import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { resolveHoverAuthOptions } from './config/resolve-hover-auth-options';
import { HOVER_AUTH_RESOLVED_OPTIONS } from './hover-auth.constants';
import { HOVER_AUTH_MODULE_OPTIONS, HoverAuthConfigurableModuleClass } from './hover-auth.module-definition';
import { HoverIntegrationGuard } from './guards/hover-integration.guard';
import { HoverHealthIndicator } from './health/hover-health.indicator';
import { HoverAxiosHooks } from './http/hover-axios-hooks';
import { HoverHttpService } from './http/hover-http.service';
import { HoverIntegrationsMonitor } from './http/hover-integrations-monitor';
import { HoverRateLimiter } from './http/hover-rate-limiter';
import { AuthorizationStateStore } from './oauth/authorization-state.store';
import { HoverAuthorizationFlowService } from './oauth/hover-authorization-flow.service';
import { TokenEndpointClient } from './token-endpoint/token-endpoint.client';
import { HoverConnectionRepository } from './tokens/hover-connection.repository';
import { HoverConnectionsService } from './tokens/hover-connections.service';
import { HoverAuthSchemaCheck } from './tokens/hover-auth-schema.check';
import { HoverTokenManager } from './tokens/hover-token-manager.service';
import { TokenCipher } from './tokens/token-cipher';
import { HoverEventPublisher } from './events/hover-event-publisher';
import { ConnectionLifecycle } from './events/connection-lifecycle';
import { HoverWebhookRepository } from './tokens/hover-webhook.repository';
import { HoverWebhookReceiver } from './webhooks/hover-webhook-receiver';
import { HoverWebhookRoute } from './webhooks/hover-webhook.route';
import { HoverWebhooksService } from './webhooks/hover-webhooks.service';
import type { ResolvedHoverAuthOptions } from './hover-auth-options.interface';

/**
 * Connects a NestJS app to Hover's API with OAuth 2.0 (authorization code grant).
 *
 * @example
 * HoverAuthModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({
 *     clientId: config.getOrThrow('HOVER_CLIENT_ID'),
 *     clientSecret: config.getOrThrow('HOVER_CLIENT_SECRET'),
 *     redirectUri: config.getOrThrow('HOVER_REDIRECT_URI'),
 *   }),
 * })
 *
 * Requires a TypeORM DataSource in the host (`TypeOrmModule.forRoot`) containing
 * {@link hoverAuthEntities} and migrated with {@link hoverAuthMigrations}.
 *
 * Provides (inject them in the module that imports this one, or anywhere with `isGlobal: true`):
 * {@link HoverHttpService}, {@link HoverConnectionsService}, {@link HoverAuthorizationFlowService},
 * {@link HoverIntegrationGuard}, {@link HoverHealthIndicator} (for `@nestjs/terminus`),
 * {@link HoverWebhooksService}. Emits {@link HOVER_EVENTS} when the host has `@nestjs/event-emitter`;
 * with the `webhook` option, mounts the webhook route and dispatches {@link HOVER_WEBHOOK_EVENTS}.
 *
 * @throws {HoverAuthConfigurationError} at bootstrap when the options are invalid
 */
@Module({
  // registerAsync: the factory runs per application, so each app gets its own axios instance (and its own
  // hooks, defaults and tokens). `register()` would build one instance when this file loads, shared by every
  // HoverAuthModule in the process (two apps, or a test's apps, would send each other's tokens).
  imports: [HttpModule.registerAsync({ useFactory: () => ({ maxRedirects: 0 }) })],
  providers: [
    {
      provide: HOVER_AUTH_RESOLVED_OPTIONS,
      useFactory: resolveHoverAuthOptions,
      inject: [HOVER_AUTH_MODULE_OPTIONS],
    },
    {
      provide: TokenCipher,
      useFactory: (options: ResolvedHoverAuthOptions) => new TokenCipher(options.encryptionKeys),
      inject: [HOVER_AUTH_RESOLVED_OPTIONS],
    },
    HoverAuthSchemaCheck,
    HoverConnectionRepository,
    AuthorizationStateStore,
    TokenEndpointClient,
    HoverEventPublisher,
    ConnectionLifecycle,
    HoverWebhookRepository,
    HoverTokenManager,
    HoverConnectionsService,
    HoverAuthorizationFlowService,
    HoverIntegrationsMonitor,
    {
      provide: HoverRateLimiter,
      useFactory: (options: ResolvedHoverAuthOptions) =>
        options.rateLimit
          ? new HoverRateLimiter({
              windows: [
                { limit: options.rateLimit.requestsPerMinute, windowMs: 60_000 },
                { limit: options.rateLimit.requestsPerHour, windowMs: 3_600_000 },
              ],
              maxQueue: options.rateLimit.maxQueue,
              maxWaitMs: options.rateLimit.maxWaitMs,
            })
          : null,
      inject: [HOVER_AUTH_RESOLVED_OPTIONS],
    },
    HoverAxiosHooks,
    HoverHttpService,
    HoverIntegrationGuard,
    HoverHealthIndicator,
    HoverWebhooksService,
    HoverWebhookReceiver,
    HoverWebhookRoute,
  ],
  // What host modules may inject. HoverTokenManager is exported for the DI graph only (subclasses of
  // HoverIntegrationGuard declared in a host module resolve it); it is not part of the package's API.
  exports: [
    HOVER_AUTH_RESOLVED_OPTIONS,
    HoverHttpService,
    HoverIntegrationGuard,
    HoverHealthIndicator,
    HoverConnectionsService,
    HoverAuthorizationFlowService,
    HoverTokenManager,
    HoverIntegrationsMonitor,
    HoverWebhooksService,
  ],
})
export class HoverAuthModule extends HoverAuthConfigurableModuleClass {}
