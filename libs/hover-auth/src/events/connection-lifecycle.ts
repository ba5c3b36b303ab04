import { Injectable, Logger } from '@nestjs/common';
import { errorSummary } from '../exceptions/error-summary';

/** What a connect told the hooks. */
export interface ConnectedConnection {
  connectionId: string;
  hoverOrgId: string | null;
  previousHoverOrgId: string | null;
}

type Hook<T> = (value: T) => Promise<void>;

/**
 * Internal hooks between the connection lifecycle (tokens, oauth) and features built on it (webhooks),
 * so the lower layers need not import the higher ones. Unlike the host's event emitter, these run
 * whether or not `@nestjs/event-emitter` is installed, and `leavingOrg` runs while the
 * connection's tokens still exist. A hook that fails is logged and never fails the operation.
 */
@Injectable()
export class ConnectionLifecycle {
  private readonly logger = new Logger('HoverAuth');
  private readonly connected: Array<Hook<ConnectedConnection>> = [];
  private readonly leaving: Array<Hook<string>> = [];
  private readonly left: Array<(connectionId: string, hoverOrgId: string | null) => Promise<void>> = [];

  /** `hook` runs (not awaited by the connect) after a connection was stored by the authorization code flow. */
  onConnected(hook: Hook<ConnectedConnection>): void {
    this.connected.push(hook);
  }

  /**
   * `hook` runs, awaited, before a connection stops acting for its org, while its tokens are still
   * usable: before a disconnect deletes it, and before a reconnect to another org replaces its tokens.
   */
  onLeavingOrg(hook: Hook<string>): void {
    this.leaving.push(hook);
  }

  /** `hook` runs, awaited, after a connection stopped acting for `hoverOrgId` (deleted, or reconnected to another org). */
  onLeftOrg(hook: (connectionId: string, hoverOrgId: string | null) => Promise<void>): void {
    this.left.push(hook);
  }

  async leftOrg(connectionId: string, hoverOrgId: string | null): Promise<void> {
    for (const hook of this.left) {
      await hook(connectionId, hoverOrgId).catch((error) => this.logger.warn(`After "${connectionId}" left Hover org ${hoverOrgId ?? 'unknown'}: ${errorSummary(error)}`));
    }
  }

  notifyConnected(connection: ConnectedConnection): void {
    for (const hook of this.connected) {
      hook(connection).catch((error) => this.logger.warn(`After connecting "${connection.connectionId}": ${errorSummary(error)}`));
    }
  }

  async leavingOrg(connectionId: string): Promise<void> {
    for (const hook of this.leaving) {
      await hook(connectionId).catch((error) => this.logger.warn(`Before "${connectionId}" leaves its Hover org: ${errorSummary(error)}`));
    }
  }
}
