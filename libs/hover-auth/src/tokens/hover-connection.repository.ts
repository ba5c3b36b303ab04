import { Inject, Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { HOVER_CONNECTION_ENTITY_REPOSITORY } from '../hover-auth.constants';
import type { HoverTokenSet } from '../oauth/hover-token-set';
import { HoverConnection } from './hover-connection.entity';

/** What the callback learned about the Hover side of a new connection. */
export interface HoverConnectionProfile {
  hoverUserId: string | null;
  hoverOrgId: string | null;
  integrationsEnabled: boolean;
}

/**
 * Reads and writes {@link HoverConnection} rows with intent-named operations. Token writes are
 * compare-and-swap on `version`, checked by affected rows, so a writer that read a stale row never
 * overwrites a newer token pair.
 */
@Injectable()
export class HoverConnectionRepository {
  constructor(
    @Inject(HOVER_CONNECTION_ENTITY_REPOSITORY) private readonly repository: Repository<HoverConnection>,
  ) {}

  /** @returns the connection, or `null` when none was ever stored under this id. */
  findById(connectionId: string): Promise<HoverConnection | null> {
    return this.repository.findOneBy({ connectionId });
  }

  /**
   * Stores the grant from a completed authorization code flow, creating the connection or replacing
   * its tokens and profile (a reconnect). The connection becomes `active`.
   */
  async saveAuthorizedConnection(
    connectionId: string,
    tokens: HoverTokenSet,
    profile: HoverConnectionProfile,
  ): Promise<HoverConnection> {
    return this.repository.manager.transaction(async (manager) => {
      const repository = manager.getRepository(HoverConnection);
      const now = Date.now();
      const existing = await repository.findOneBy({ connectionId });
      const row = repository.create({
        ...existing,
        connectionId,
        ownerId: tokens.ownerId,
        ownerType: tokens.ownerType,
        hoverUserId: profile.hoverUserId,
        hoverOrgId: profile.hoverOrgId,
        integrationsEnabled: profile.integrationsEnabled,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        accessTokenExpiresAt: tokens.accessTokenExpiresAt,
        scope: tokens.scope,
        status: 'active',
        version: (existing?.version ?? 0) + 1,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      });
      return repository.save(row);
    });
  }

  /**
   * Writes a refreshed token pair, only if the row still has `expected.version` (compare-and-swap).
   * Access and refresh token are written in one statement, so neither is ever stored without the other.
   * A response without `refresh_token` keeps the stored one.
   *
   * @returns the updated connection, or `null` if another writer changed the row first
   */
  async replaceTokens(expected: HoverConnection, tokens: HoverTokenSet): Promise<HoverConnection | null> {
    const changes = {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken ?? expected.refreshToken,
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      scope: tokens.scope ?? expected.scope,
      status: 'active' as const,
      version: expected.version + 1,
      updatedAt: Date.now(),
    };
    const result = await this.repository
      .createQueryBuilder()
      .update(HoverConnection)
      .set(changes)
      .where('connection_id = :connectionId AND version = :version', {
        connectionId: expected.connectionId,
        version: expected.version,
      })
      .execute();
    return result.affected === 1 ? Object.assign(new HoverConnection(), expected, changes) : null;
  }

  /**
   * Marks the connection `reauthorization_required`, only if it still holds `rejected` (the version whose
   * refresh token the token endpoint refused). A row another writer already rotated is left alone.
   *
   * @returns true if the row was marked
   */
  async markReauthorizationRequired(rejected: HoverConnection): Promise<boolean> {
    const result = await this.repository
      .createQueryBuilder()
      .update(HoverConnection)
      .set({ status: 'reauthorization_required', version: rejected.version + 1, updatedAt: Date.now() })
      .where('connection_id = :connectionId AND version = :version', {
        connectionId: rejected.connectionId,
        version: rejected.version,
      })
      .execute();
    return result.affected === 1;
  }

  /** Deletes the connection (disconnect). @returns true if a row was deleted. */
  async deleteById(connectionId: string): Promise<boolean> {
    const result = await this.repository.delete({ connectionId });
    return (result.affected ?? 0) > 0;
  }
}
