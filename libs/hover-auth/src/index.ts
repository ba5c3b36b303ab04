export { HoverAuthModule } from './hover-auth.module';
export { HOVER_AUTH_ASYNC_OPTIONS_TYPE, HOVER_AUTH_OPTIONS_TYPE } from './hover-auth.module-definition';
export type {
  HoverAuthModuleExtras,
  HoverAuthModuleOptions,
  HoverIncomingRequest,
  HoverEncryptionKeyOption,
  HoverTokenRequestEncoding,
  ResolvedHoverAuthOptions,
} from './hover-auth-options.interface';
export { InjectHoverAuthOptions } from './inject-hover-auth-options.decorator';
export { DEFAULT_CONNECTION_ID, DEFAULT_HOVER_BASE_URL } from './hover-auth.constants';

export { HoverHttpService } from './http/hover-http.service';
export { HoverHttpClient } from './http/hover-http-client';
export type { HoverRequestConfig } from './http/hover-request-config';

export { HoverIntegrationGuard } from './guards/hover-integration.guard';
export { HoverConnectionId } from './guards/hover-connection-id.decorator';

export { HoverConnection } from './tokens/hover-connection.entity';
export { HoverAuthorizationState } from './tokens/hover-authorization-state.entity';
export type { HoverConnectionStatus } from './tokens/hover-connection-status';
export { HoverConnectionRepository, type HoverConnectionProfile, type ReencryptionResult } from './tokens/hover-connection.repository';
export { HoverTokenManager } from './tokens/hover-token-manager.service';
export { hoverAuthEntities } from './tokens';
export { hoverAuthMigrations } from './tokens/migrations';

export { HoverAuthConfigurationError } from './exceptions/hover-auth-configuration.error';
export {
  HoverIntegrationsUnavailableException,
  HoverNotConnectedException,
  HoverReauthorizationRequiredException,
  type HoverConnectionErrorBody,
} from './exceptions/hover-connection.exceptions';
export { HoverInvalidCallbackException, type HoverCallbackErrorCode } from './exceptions/hover-callback.exceptions';
export {
  HoverInvalidClientException,
  HoverInvalidGrantException,
  HoverInvalidTokenResponseException,
  HoverTokenEndpointException,
  HoverTokenEndpointTimeoutException,
  HoverTokenEndpointUnavailableException,
  type HoverTokenEndpointErrorCode,
} from './exceptions/hover-token-endpoint.exceptions';
export { HoverRefreshTimeoutException } from './exceptions/hover-refresh.exceptions';
export { HoverTokenDecryptionException } from './exceptions/hover-token-cipher.exceptions';
