import { ForbiddenException, UnauthorizedException } from '@nestjs/common';

/** JSON body of the connection exceptions below. `authorizeUrl` is where to send the user to (re)connect. */
export interface HoverConnectionErrorBody {
  statusCode: number;
  code: 'HOVER_NOT_CONNECTED' | 'HOVER_REAUTHORIZATION_REQUIRED' | 'HOVER_INTEGRATIONS_UNAVAILABLE';
  message: string;
  connectionId: string;
  authorizeUrl?: string;
}

/**
 * 401 `HOVER_NOT_CONNECTED`: no Hover connection is stored for this connection id. Thrown by
 * {@link HoverIntegrationGuard} and by {@link HoverHttpService} calls.
 */
export class HoverNotConnectedException extends UnauthorizedException {
  readonly code = 'HOVER_NOT_CONNECTED';

  constructor(readonly connectionId: string, authorizeUrl: string) {
    super({
      statusCode: 401,
      code: 'HOVER_NOT_CONNECTED',
      message: 'This account is not connected to Hover. Send the user to authorizeUrl to connect.',
      connectionId,
      authorizeUrl,
    } satisfies HoverConnectionErrorBody);
  }
}

/**
 * 401 `HOVER_REAUTHORIZATION_REQUIRED`: Hover refused the stored refresh token (`invalid_grant`,
 * RFC 6749 §5.2), so no API call can succeed until a user of the org connects again.
 */
export class HoverReauthorizationRequiredException extends UnauthorizedException {
  readonly code = 'HOVER_REAUTHORIZATION_REQUIRED';

  constructor(readonly connectionId: string, authorizeUrl: string) {
    super({
      statusCode: 401,
      code: 'HOVER_REAUTHORIZATION_REQUIRED',
      message: 'Hover no longer accepts this connection\'s grant. Send a user of the Hover organization to authorizeUrl to reconnect.',
      connectionId,
      authorizeUrl,
    } satisfies HoverConnectionErrorBody);
  }
}

/**
 * 403 `HOVER_INTEGRATIONS_UNAVAILABLE`: the connected org's Hover plan has no third-party integrations
 * (its `feature_access` lacks `integrations`: developers.hover.to, "Show user profile").
 */
export class HoverIntegrationsUnavailableException extends ForbiddenException {
  readonly code = 'HOVER_INTEGRATIONS_UNAVAILABLE';

  constructor(readonly connectionId: string) {
    super({
      statusCode: 403,
      code: 'HOVER_INTEGRATIONS_UNAVAILABLE',
      message:
        "This Hover organization's plan does not include third-party integrations. An admin of the organization can upgrade the plan or contact Hover support to enable integrations, then connect again.",
      connectionId,
    } satisfies HoverConnectionErrorBody);
  }
}
