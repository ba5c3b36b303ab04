import { Injectable } from '@nestjs/common';
import { HoverInvalidArgumentException } from '../exceptions/hover-connection.exceptions';
import type { HoverConnection } from './hover-connection.entity';
import type { HoverConnectionInfo, HoverConnectionListOptions, HoverConnectionPage } from './hover-connection-info';
import { HoverConnectionRepository, type ReencryptionResult } from './hover-connection.repository';
import { HoverTokenManager } from './hover-token-manager.service';
import { HoverWebhookRepository } from './hover-webhook.repository';
import { assertConnectionId } from './connection-id';

const DEFAULT_PER_PAGE = 50;
const MAX_PER_PAGE = 200;

/**
 * The host app's view of its Hover connections: read them without tokens, list them, disconnect them,
 * re-encrypt them after a key rotation. Never returns a token; never throws because stored tokens no
 * longer decrypt (it reports `tokensReadable: false` instead).
 *
 * @example
 * const info = await this.connections.get(`account:${accountId}`);
 * if (!info || info.status !== 'active') return { connected: false };
 */
@Injectable()
export class HoverConnectionsService {
  constructor(
    private readonly repository: HoverConnectionRepository,
    private readonly tokens: HoverTokenManager,
    private readonly webhooks: HoverWebhookRepository,
  ) {}

  /**
   * @param connectionId the host app's connection id (1–191 characters)
   * @returns the connection, or `null` when none is stored under this id
   * @throws {HoverInvalidConnectionIdException} when `connectionId` is not a 1–191 character string
   */
  async get(connectionId: string): Promise<HoverConnectionInfo | null> {
    assertConnectionId(connectionId);
    const row = await this.repository.findStoredById(connectionId);
    return row && this.toInfo(row);
  }

  /**
   * One page of connections, ordered by connection id.
   * @throws {HoverInvalidArgumentException} for a `page` that is not an integer ≥ 1, or a `perPage`
   * that is not an integer 1–200
   */
  async list(options: HoverConnectionListOptions = {}): Promise<HoverConnectionPage> {
    const page = options.page ?? 1;
    const perPage = options.perPage ?? DEFAULT_PER_PAGE;
    if (!Number.isSafeInteger(page) || page < 1) throw new HoverInvalidArgumentException('`page` must be an integer of 1 or more.');
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
      throw new HoverInvalidArgumentException(`\`perPage\` must be an integer from 1 to ${MAX_PER_PAGE}.`);
    }
    if (options.status !== undefined && options.status !== 'active' && options.status !== 'reauthorization_required') {
      throw new HoverInvalidArgumentException("`status` must be 'active' or 'reauthorization_required'.");
    }
    const { rows, total } = await this.repository.listStored((page - 1) * perPage, perPage, options.status);
    return { items: rows.map((row) => this.toInfo(row)), page, perPage, total, totalPages: Math.max(1, Math.ceil(total / perPage)) };
  }

  /**
   * Disconnects: deletes the connection's webhooks at Hover (best effort: a failure is logged) and here,
   * then the stored connection and this instance's cached copy. Other app instances
   * stop using it within 60 seconds (their cache revalidation). Hover's grant itself is not revoked
   * (Hover does not document `/oauth/revoke`).
   * @returns true if a connection was deleted, false if none was stored
   * @throws {HoverInvalidConnectionIdException} when `connectionId` is not a 1–191 character string
   */
  disconnect(connectionId: string): Promise<boolean> {
    assertConnectionId(connectionId);
    return this.tokens.disconnect(connectionId);
  }

  /**
   * Re-encrypts every connection's tokens with the newest key (`encryptionKeys[0]`), for key rotation:
   * put the new key first, deploy, call this once, then drop the old key. Safe under traffic: each row
   * is rewritten under its refresh lease with compare-and-swap; a row whose lease stays taken for about
   * 10 seconds is reported in `skipped` (run again), one that does not decrypt in `failed`. The stored
   * webhook secrets (`hmac_secret`) are re-encrypted too, reported in `webhookSecrets`.
   */
  async reencryptAll(): Promise<ReencryptionResult> {
    const result = await this.repository.reencryptAll();
    return { ...result, webhookSecrets: await this.webhooks.reencryptAll() };
  }

  private toInfo(row: HoverConnection): HoverConnectionInfo {
    return {
      connectionId: row.connectionId,
      status: row.status,
      tokensReadable: this.repository.canDecrypt(row),
      hoverUserId: row.hoverUserId,
      hoverOrgId: row.hoverOrgId,
      hoverOrgName: row.hoverOrgName ?? null,
      integrationsEnabled: row.integrationsEnabled,
      accessTokenExpiresAt: new Date(row.accessTokenExpiresAt),
      createdAt: new Date(row.createdAt),
      updatedAt: new Date(row.updatedAt),
    };
  }
}
