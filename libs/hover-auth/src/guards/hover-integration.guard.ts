import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { HOVER_AUTH_RESOLVED_OPTIONS } from '../hover-auth.constants';
import type { HoverIncomingRequest, ResolvedHoverAuthOptions } from '../hover-auth-options.interface';
import {
  HoverIntegrationsUnavailableException,
  HoverNotConnectedException,
  HoverReauthorizationRequiredException,
} from '../exceptions/hover-connection.exceptions';
import { resolveConnectionId } from '../oauth/resolve-connection-id';
import type { HoverConnection } from '../tokens/hover-connection.entity';
import { HoverTokenManager } from '../tokens/hover-token-manager.service';
import { HoverIntegrationsMonitor } from '../http/hover-integrations-monitor';

/** Request property where the guard leaves the connection id it checked (read it with `@HoverConnectionId()`). */
export const HOVER_CONNECTION_ID_REQUEST_KEY = 'hoverConnectionId';

/**
 * Lets a request through only when its connection (from `resolveConnectionId`) exists, is `active`,
 * and its Hover org has third-party integrations. Otherwise answers with a JSON error carrying a
 * stable `code`:
 * - 401 `HOVER_NOT_CONNECTED` / `HOVER_REAUTHORIZATION_REQUIRED`, with `authorizeUrl`;
 * - 403 `HOVER_INTEGRATIONS_UNAVAILABLE`: the org's plan has no third-party integrations, as last read
 *   from Hover's profile (re-read every `integrationsRecheckSeconds` while the connection is in use, and
 *   right after Hover's API answers 403).
 *
 * Subclass it to change a step: dependencies are `protected readonly`, steps are `protected`.
 */
@Injectable()
export class HoverIntegrationGuard implements CanActivate {
  constructor(
    @Inject(HOVER_AUTH_RESOLVED_OPTIONS) protected readonly options: ResolvedHoverAuthOptions,
    protected readonly tokens: HoverTokenManager,
    protected readonly integrations: HoverIntegrationsMonitor,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = this.getRequest(context);
    const connectionId = await resolveConnectionId(this.options, request);
    const connection = await this.tokens.findConnection(connectionId);
    // Keeps the integrations flag current (a background re-read every `integrationsRecheckSeconds`).
    if (connection?.status === 'active') this.integrations.noteUse(connectionId);
    this.assertUsable(connectionId, connection);
    request[HOVER_CONNECTION_ID_REQUEST_KEY] = connectionId;
    return true;
  }

  /** The HTTP request of the context. Override for GraphQL or other transports. */
  protected getRequest(context: ExecutionContext): HoverIncomingRequest {
    return context.switchToHttp().getRequest<HoverIncomingRequest>();
  }

  /**
   * @throws {HoverNotConnectedException} | {HoverReauthorizationRequiredException} |
   * {HoverIntegrationsUnavailableException}
   */
  protected assertUsable(connectionId: string, connection: HoverConnection | null): asserts connection is HoverConnection {
    if (!connection) throw new HoverNotConnectedException(connectionId, this.options.authorizePath);
    if (connection.status !== 'active') {
      throw new HoverReauthorizationRequiredException(connectionId, this.options.authorizePath);
    }
    if (!connection.integrationsEnabled) throw new HoverIntegrationsUnavailableException(connectionId);
  }
}
