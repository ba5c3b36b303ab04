import { HttpStatus } from '@nestjs/common';
import { HoverAuthException } from './hover-auth.exception';

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
 * {@link HoverIntegrationGuard} and by {@link HoverHttpService} calls. Body adds `connectionId` and
 * `authorizeUrl` (the `authorizePath` option).
 */
export class HoverNotConnectedException extends HoverAuthException {
  declare readonly code: 'HOVER_NOT_CONNECTED';

  constructor(readonly connectionId: string, authorizeUrl: string) {
    super('HOVER_NOT_CONNECTED', 'This account is not connected to Hover. Send the user to authorizeUrl to connect.', HttpStatus.UNAUTHORIZED, {
      connectionId,
      authorizeUrl,
    });
  }
}

/**
 * 401 `HOVER_REAUTHORIZATION_REQUIRED`: Hover refused the stored refresh token (`invalid_grant`,
 * RFC 6749 §5.2), so no API call can succeed until a user of the org connects again. Body adds
 * `connectionId` and `authorizeUrl`.
 */
export class HoverReauthorizationRequiredException extends HoverAuthException {
  declare readonly code: 'HOVER_REAUTHORIZATION_REQUIRED';

  constructor(readonly connectionId: string, authorizeUrl: string) {
    super(
      'HOVER_REAUTHORIZATION_REQUIRED',
      "Hover no longer accepts this connection's grant. Send a user of the Hover organization to authorizeUrl to reconnect.",
      HttpStatus.UNAUTHORIZED,
      { connectionId, authorizeUrl },
    );
  }
}

/**
 * 403 `HOVER_INTEGRATIONS_UNAVAILABLE`: the connected org's Hover plan has no third-party integrations
 * (its `feature_access` lacks `integrations`: developers.hover.to, "Show user profile"). Body adds
 * `connectionId`.
 */
export class HoverIntegrationsUnavailableException extends HoverAuthException {
  declare readonly code: 'HOVER_INTEGRATIONS_UNAVAILABLE';

  constructor(readonly connectionId: string) {
    super(
      'HOVER_INTEGRATIONS_UNAVAILABLE',
      "This Hover organization's plan does not include third-party integrations. An admin of the organization can upgrade the plan or contact Hover support to enable integrations, then connect again.",
      HttpStatus.FORBIDDEN,
      { connectionId },
    );
  }
}

/**
 * 500 `HOVER_INVALID_CONNECTION_ID`: the host's `resolveConnectionId` (or a connection id passed to a
 * hover-auth service) is not a string of 1–191 characters — a bug in the host app. The message says
 * what was received (its type and length, never its value).
 */
export class HoverInvalidConnectionIdException extends HoverAuthException {
  declare readonly code: 'HOVER_INVALID_CONNECTION_ID';

  constructor(received: string) {
    super(
      'HOVER_INVALID_CONNECTION_ID',
      `A Hover connection id must be a non-empty string of at most 191 characters (got ${received}): check resolveConnectionId or the id passed to hover-auth.`,
      HttpStatus.INTERNAL_SERVER_ERROR,
    );
  }
}

/** 400 `HOVER_INVALID_ARGUMENT`: an argument given to a hover-auth service method is out of range; the message names it. */
export class HoverInvalidArgumentException extends HoverAuthException {
  declare readonly code: 'HOVER_INVALID_ARGUMENT';

  constructor(message: string) {
    super('HOVER_INVALID_ARGUMENT', message, HttpStatus.BAD_REQUEST);
  }
}
