import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { resolveHoverAuthOptions } from './config/resolve-hover-auth-options';
import { HOVER_AUTH_RESOLVED_OPTIONS } from './hover-auth.constants';
import { HOVER_AUTH_MODULE_OPTIONS, HoverAuthConfigurableModuleClass } from './hover-auth.module-definition';
import { HoverIntegrationGuard } from './guards/hover-integration.guard';
import { HoverAxiosHooks } from './http/hover-axios-hooks';
import { HoverHttpService } from './http/hover-http.service';
import { AuthorizationStateStore } from './oauth/authorization-state.store';
import { HoverAuthorizationFlowService } from './oauth/hover-authorization-flow.service';
import { TokenEndpointClient } from './token-endpoint/token-endpoint.client';
import { HoverConnectionRepository } from './tokens/hover-connection.repository';
import { HoverConnectionsService } from './tokens/hover-connections.service';
import { HoverAuthSchemaCheck } from './tokens/hover-auth-schema.check';
import { HoverTokenManager } from './tokens/hover-token-manager.service';
import { TokenCipher } from './tokens/token-cipher';
import { HoverEventPublisher } from './events/hover-event-publisher';
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
 * {@link HoverIntegrationGuard}.
 *
 * @throws {HoverAuthConfigurationError} at bootstrap when the options are invalid
 */
@Module({
  imports: [HttpModule.register({ maxRedirects: 0 })],
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
    HoverTokenManager,
    HoverConnectionsService,
    HoverAuthorizationFlowService,
    HoverAxiosHooks,
    HoverHttpService,
    HoverIntegrationGuard,
  ],
  // What host modules may inject. HoverTokenManager is exported for the DI graph only (subclasses of
  // HoverIntegrationGuard declared in a host module resolve it); it is not part of the package's API.
  exports: [
    HOVER_AUTH_RESOLVED_OPTIONS,
    HoverHttpService,
    HoverIntegrationGuard,
    HoverConnectionsService,
    HoverAuthorizationFlowService,
    HoverTokenManager,
  ],
})
export class HoverAuthModule extends HoverAuthConfigurableModuleClass {}
