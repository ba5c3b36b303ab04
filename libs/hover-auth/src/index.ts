/**
 * Public API of `@hover-auth/nestjs`. Everything not exported here is internal and may change in any
 * release.
 * @packageDocumentation
 */

// Module and options
export { HoverAuthModule } from './hover-auth.module';
export type {
  HoverAuthModuleAsyncOptions,
  HoverAuthModuleExtras,
  HoverAuthModuleForRootOptions,
  HoverAuthModuleOptions,
  HoverAuthOptionsFactory,
  HoverEncryptionKeyOption,
  HoverIncomingRequest,
  HoverRateLimitOptions,
  HoverRetryOptions,
  HoverTokenRequestEncoding,
  HoverWebhookOptions,
  ResolvedHoverAuthOptions,
} from './hover-auth-options.interface';
export {
  HOVER_AUTH_ENVIRONMENT_VARIABLES,
  hoverAuthOptionsFromEnv,
  type HoverAuthEnvironmentVariable,
  type HoverAuthEnvOptions,
} from './config/hover-auth-options-from-env';
export { InjectHoverAuthOptions } from './inject-hover-auth-options.decorator';
export { DEFAULT_CONNECTION_ID, DEFAULT_HOVER_BASE_URL } from './hover-auth.constants';

// Authorization code flow
export { HoverAuthorizationFlowService } from './oauth/hover-authorization-flow.service';
export type {
  HoverAuthorizationFailureReason,
  HoverAuthorizationResult,
  HoverAuthorizationStart,
  HoverAuthorizationStartOptions,
  HoverBrowserBindingCookie,
} from './oauth/hover-authorization-flow.types';
export { safeReturnPath } from './oauth/return-path';

// Connections (read model, without tokens)
export { HoverConnectionsService } from './tokens/hover-connections.service';
export type { HoverConnectionInfo, HoverConnectionListOptions, HoverConnectionPage } from './tokens/hover-connection-info';
export type { HoverConnectionStatus } from './tokens/hover-connection-status';
export type { ReencryptionResult } from './tokens/hover-connection.repository';

// Calling Hover's API
export { HoverHttpService } from './http/hover-http.service';
export { HoverHttpClient } from './http/hover-http-client';
export type { HoverRequestConfig } from './http/hover-request-config';
export type {
  HoverJob,
  HoverJobLocation,
  HoverJobPagingOptions,
  HoverJobsPageV2,
  HoverJobsPageV3,
  HoverOrg,
  HoverUserProfile,
} from './http/hover-api.models';

// Lifecycle events (through the host's @nestjs/event-emitter, when present)
export { HOVER_EVENTS } from './events/hover-events';
export type {
  HoverConnectedEvent,
  HoverConnectionEvent,
  HoverDisconnectedEvent,
  HoverEventName,
  HoverEventPayloads,
  HoverIntegrationsChangedEvent,
  HoverReauthorizationRequiredEvent,
  HoverRefreshedEvent,
  HoverWebhookVerifiedEvent,
} from './events/hover-events';

// Webhooks (option `webhook`; events through @nestjs/event-emitter)
export { HoverWebhooksService } from './webhooks/hover-webhooks.service';
export type { HoverApiWebhook, HoverWebhookInfo, HoverWebhooksPage } from './webhooks/hover-webhook-info';
export { HOVER_WEBHOOK_EVENTS } from './events/hover-webhook-events';
export type {
  HoverJobState,
  HoverJobStateChangedPayload,
  HoverWebhookEvent,
  HoverWebhookEventPayloads,
  HoverWebhookPayload,
} from './events/hover-webhook-events';
export {
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  verifyHoverWebhookSignature,
  type HoverWebhookAlgorithm,
  type HoverWebhookDelivery,
  type VerifiedHoverWebhook,
} from './webhooks/webhook-signature';

// Health (for @nestjs/terminus, when present)
export { HoverHealthIndicator, type HoverHealthCheckOptions, type HoverHealthDetails } from './health/hover-health.indicator';

// Guard and decorators
export { HoverIntegrationGuard } from './guards/hover-integration.guard';
export { HoverConnectionId } from './guards/hover-connection-id.decorator';

// Pages for people in a browser (opt-in exception filter)
export { HoverErrorPageFilter, prefersHtml, type HoverErrorPage } from './guards/hover-error-page.filter';

// Database: spread into the host's DataSource
export { hoverAuthEntities } from './tokens';
export { hoverAuthMigrations } from './tokens/migrations';

// Errors
export { HOVER_ERROR_CODES, HoverAuthException, type HoverErrorBody, type HoverErrorCode } from './exceptions/hover-auth.exception';
export { HoverAuthConfigurationError } from './exceptions/hover-auth-configuration.error';
export { HoverApiException, HoverRequestNotReplayedException, type HoverApiErrorCode, type HoverApiFailure } from './exceptions/hover-api.exception';
export {
  HoverIntegrationsUnavailableException,
  HoverInvalidArgumentException,
  HoverInvalidConnectionIdException,
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
export { HoverRateLimitQueueFullException, type HoverRateLimitRefusal } from './exceptions/hover-rate-limit.exceptions';
export { HoverTokenDecryptionException } from './exceptions/hover-token-cipher.exceptions';
export {
  HoverWebhookNotFoundException,
  HoverWebhookRequestException,
  HoverWebhookSignatureException,
  type HoverWebhookRequestErrorCode,
  type HoverWebhookSignatureErrorCode,
} from './exceptions/hover-webhook.exceptions';
