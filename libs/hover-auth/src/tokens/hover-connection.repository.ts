import type { HoverConnectionStatus } from './hover-connection-status';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { HOVER_CONNECTION_ENTITY_REPOSITORY } from '../hover-auth.constants';
import { HoverTokenDecryptionException } from '../exceptions/hover-token-cipher.exceptions';
import type { HoverTokenSet } from '../token-endpoint/hover-token-set';
import { HoverConnection } from './hover-connection.entity';
import { TokenCipher } from './token-cipher';
import type { WebhookReencryptionResult } from './hover-webhook.repository';

/** What the callback learned about the Hover side of a new connection. */
export interface HoverConnectionProfile {
  hoverUserId: string | null;
  hoverOrgId: string | null;
  /** At most 255 characters; `null` when the profile names no org. */
  hoverOrgName: string | null;
  integrationsEnabled: boolean;
}

/** Outcome of `HoverConnectionsService.reencryptAll()`: counts and the connection ids that need attention. */
export interface ReencryptionResult {
  /** Rows examined. */
  rows: number;
  /** Rows rewritten with the newest key. */
  reencrypted: number;
  /** Connection ids whose tokens could not be decrypted with any configured key (left as they were). */
  failed: string[];
  /** Connection ids whose refresh lease stayed taken (left as they were; run again). */
  skipped: string[];
  /** The stored webhook secrets (`hmac_secret`), when re-encrypted through `HoverConnectionsService.reencryptAll`. */
  webhookSecrets?: WebhookReencryptionResult;
}

/**
 * Reads and writes {@link HoverConnection} rows with intent-named operations. Token writes are
 * compare-and-swap on `version`, checked by affected rows, so a writer that read a stale row never
 * overwrites a newer token pair. Tokens are encrypted on the way in and decrypted on the way out
 * ({@link TokenCipher}): the rows hold only ciphertext; the objects this class returns hold plaintext.
 */
@Injectable()
export class HoverConnectionRepository {
  private readonly logger = new Logger('HoverAuth');

  constructor(
    @Inject(HOVER_CONNECTION_ENTITY_REPOSITORY) private readonly repository: Repository<HoverConnection>,
    private readonly cipher: TokenCipher,
  ) {}

  /**
   * @returns the connection with its tokens decrypted, or `null` when none was ever stored under this id
   * @throws {HoverTokenDecryptionException} when a stored token fails to decrypt
   */
  async findById(connectionId: string): Promise<HoverConnection | null> {
    const row = await this.repository.findOneBy({ connectionId });
    return row && this.decrypted(row);
  }

  /**
   * The stored row as it is in the database: tokens still encrypted. For read models that must not
   * fail on tokens that no longer decrypt.
   * @returns the row, or `null` when none is stored under this id
   */
  findStoredById(connectionId: string): Promise<HoverConnection | null> {
    return this.repository.findOneBy({ connectionId });
  }

  /**
   * A page of stored rows (tokens still encrypted), ordered by connection id.
   * @param offset rows to skip (≥ 0)
   * @param limit rows to return (≥ 1)
   * @returns the rows and the total number of rows
   */
  async listStored(offset: number, limit: number, status?: HoverConnection['status']): Promise<{ rows: HoverConnection[]; total: number }> {
    const [rows, total] = await this.repository.findAndCount({
      where: status === undefined ? {} : { status },
      order: { connectionId: 'ASC' },
      skip: offset,
      take: limit,
    });
    return { rows, total };
  }

  /** How many connections are stored in each status (one grouped query). */
  async countByStatus(): Promise<Record<HoverConnectionStatus, number>> {
    const rows = await this.repository
      .createQueryBuilder('connection')
      .select('connection.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('connection.status')
      .getRawMany<{ status: HoverConnectionStatus; count: string | number }>();
    const counts: Record<HoverConnectionStatus, number> = { active: 0, reauthorization_required: 0 };
    for (const row of rows) counts[row.status] = Number(row.count);
    return counts;
  }

  /** True when both stored tokens of `row` (as stored, encrypted) decrypt with the configured keys. */
  canDecrypt(row: HoverConnection): boolean {
    try {
      this.decrypted(row, false, false);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Re-encrypts every connection's tokens with the newest key (`encryptionKeys[0]`), for key rotation.
   * Safe on a live system: each row is rewritten only while this call holds the row's refresh lease (so
   * no refresh is in flight for it) and compare-and-swap on `version`; a row whose lease stays taken is
   * retried for up to ~10 s, then reported in `skipped`. Rows already on the newest key are left alone;
   * values stored unencrypted (before encryption at rest existed) are encrypted too. A row that cannot be
   * decrypted is reported in `failed` and the others are still processed.
   */
  async reencryptAll(): Promise<ReencryptionResult> {
    const rows = await this.repository.find({ select: { connectionId: true } });
    const result: ReencryptionResult = { rows: rows.length, reencrypted: 0, failed: [], skipped: [] };
    for (const { connectionId } of rows) {
      const outcome = await this.reencryptOne(connectionId).catch(() => 'failed' as const);
      if (outcome === 'reencrypted') result.reencrypted++;
      else if (outcome === 'failed') result.failed.push(connectionId);
      else if (outcome === 'busy') result.skipped.push(connectionId);
    }
    return result;
  }

  private async reencryptOne(connectionId: string): Promise<'reencrypted' | 'current' | 'busy'> {
    const owner = `reencrypt-${randomUUID()}`;
    for (let attempt = 0; attempt < 100; attempt++) {
      const row = await this.repository.findOneBy({ connectionId });
      if (!row || !this.needsReencryption(row)) return 'current';
      if (!(await this.acquireRefreshLease(connectionId, owner, 30_000))) {
        await sleep(100);
        continue;
      }
      try {
        const latest = await this.repository.findOneBy({ connectionId });
        if (!latest || !this.needsReencryption(latest)) return 'current';
        const plain = this.decrypted(latest, true);
        const written = await this.updateWhere(
          { ...this.encryptedTokens(connectionId, plain.accessToken, plain.refreshToken), version: latest.version + 1 },
          'connection_id = :connectionId AND version = :version AND refresh_lock_owner = :owner',
          { connectionId, version: latest.version, owner },
        );
        if (written) return 'reencrypted';
      } finally {
        await this.releaseRefreshLease(connectionId, owner);
      }
    }
    return 'busy';
  }

  /**
   * The stored Hover org of a connection, without touching its tokens: `undefined` when no connection
   * is stored, `null` when the org is unknown.
   */
  async findOrgId(connectionId: string): Promise<string | null | undefined> {
    const row = await this.repository.findOne({ select: { connectionId: true, hoverOrgId: true }, where: { connectionId } });
    return row ? row.hoverOrgId : undefined;
  }

  /** Ids of the active connections acting for a Hover org, in id order (at most `limit`). */
  async findActiveIdsOfOrg(hoverOrgId: string, limit = 10): Promise<string[]> {
    const rows = await this.repository.find({ select: { connectionId: true }, where: { hoverOrgId, status: 'active' }, order: { connectionId: 'ASC' }, take: limit });
    return rows.map((row) => row.connectionId);
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
    // An UPDATE, else an INSERT, each one atomic statement: no transaction, because one better-sqlite3
    // connection cannot run two transactions at once (two users finishing their flows together).
    const now = Date.now();
    const fields = {
      ownerId: tokens.ownerId,
      ownerType: tokens.ownerType,
      hoverUserId: profile.hoverUserId,
      hoverOrgId: profile.hoverOrgId,
      hoverOrgName: profile.hoverOrgName,
      integrationsEnabled: profile.integrationsEnabled,
      ...this.encryptedTokens(connectionId, tokens.accessToken, tokens.refreshToken),
      accessTokenIssuedAt: tokens.accessTokenIssuedAt,
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      scope: tokens.scope,
      status: 'active' as const,
      refreshLockOwner: null,
      refreshLockExpiresAt: null,
      updatedAt: now,
    };
    const replace = () => this.updateWhere({ ...fields, version: () => 'version + 1' }, 'connection_id = :connectionId', { connectionId });
    if (!(await replace())) {
      try {
        await this.repository.insert({ ...fields, connectionId, version: 1, createdAt: now });
      } catch (error) {
        // Another writer inserted the same connection id first: replace its row instead.
        if (!(await replace())) throw error;
      }
    }
    return (await this.findById(connectionId)) as HoverConnection;
  }

  /**
   * Writes a refreshed token pair, only if the row still has `expected.version` (compare-and-swap).
   * Access and refresh token are written in one statement, so neither is ever stored without the other.
   * A response without `refresh_token` keeps the stored one. Releases the refresh lease in the same write.
   *
   * @returns the updated connection, or `null` if another writer changed the row first
   */
  async replaceTokens(expected: HoverConnection, tokens: HoverTokenSet): Promise<HoverConnection | null> {
    const changes = {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken ?? expected.refreshToken,
      accessTokenIssuedAt: tokens.accessTokenIssuedAt,
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      scope: tokens.scope ?? expected.scope,
      status: 'active' as const,
      refreshLockOwner: null,
      refreshLockExpiresAt: null,
      version: expected.version + 1,
      updatedAt: Date.now(),
    };
    const written = await this.updateWhere(
      { ...changes, ...this.encryptedTokens(expected.connectionId, changes.accessToken, changes.refreshToken) },
      'connection_id = :connectionId AND version = :version',
      { connectionId: expected.connectionId, version: expected.version },
    );
    return written ? Object.assign(new HoverConnection(), expected, changes) : null;
  }

  /**
   * Marks the connection `reauthorization_required`, only if it still holds `rejected` (the version whose
   * refresh token the token endpoint refused). A row another writer already rotated is left alone.
   *
   * @returns true if the row was marked
   */
  async markReauthorizationRequired(rejected: HoverConnection): Promise<boolean> {
    return this.updateWhere(
      {
        status: 'reauthorization_required',
        refreshLockOwner: null,
        refreshLockExpiresAt: null,
        version: rejected.version + 1,
        updatedAt: Date.now(),
      },
      'connection_id = :connectionId AND version = :version',
      { connectionId: rejected.connectionId, version: rejected.version },
    );
  }

  /**
   * Takes the refresh lease of an active connection for `leaseMs` milliseconds, if nobody holds it or
   * its holder's lease has lapsed. One conditional UPDATE, decided by the affected-row count, so it is
   * atomic on SQLite, PostgreSQL and MySQL/MariaDB alike, across processes.
   *
   * @param owner id of this refresh attempt (at most 64 characters)
   * @returns true if `owner` now holds the lease
   */
  async acquireRefreshLease(connectionId: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    return this.updateWhere(
      { refreshLockOwner: owner, refreshLockExpiresAt: now + leaseMs },
      "connection_id = :connectionId AND status = 'active' AND (refresh_lock_owner IS NULL OR refresh_lock_expires_at < :now)",
      { connectionId, now },
    );
  }

  /**
   * Extends the refresh lease to `leaseMs` milliseconds from now, if `owner` still holds it (while its
   * refresh request waits for Hover).
   * @returns true if it did
   */
  async renewRefreshLease(connectionId: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.updateWhere(
      { refreshLockExpiresAt: Date.now() + leaseMs },
      'connection_id = :connectionId AND refresh_lock_owner = :owner',
      { connectionId, owner },
    );
  }

  /** Releases the refresh lease if `owner` still holds it. @returns true if it did */
  async releaseRefreshLease(connectionId: string, owner: string): Promise<boolean> {
    return this.updateWhere(
      { refreshLockOwner: null, refreshLockExpiresAt: null },
      'connection_id = :connectionId AND refresh_lock_owner = :owner',
      { connectionId, owner },
    );
  }

  /**
   * Stores a newly read `integrations` flag (and org name) of an active connection, only if the flag
   * differs from the stored one: the affected-row count tells which writer changed it, so with several
   * app instances exactly one reports the change. Tokens, `version` and the lease are left alone (a
   * refresh in flight must still win its compare-and-swap).
   * @returns true if this call changed the stored flag
   */
  async updateIntegrations(connectionId: string, integrationsEnabled: boolean, hoverOrgName: string | null): Promise<boolean> {
    const changed = await this.updateWhere(
      { integrationsEnabled, updatedAt: Date.now() },
      "connection_id = :connectionId AND status = 'active' AND integrations_enabled <> :integrationsEnabled",
      { connectionId, integrationsEnabled },
    );
    if (hoverOrgName !== null) {
      await this.updateWhere({ hoverOrgName }, 'connection_id = :connectionId AND (hover_org_name IS NULL OR hover_org_name <> :hoverOrgName)', { connectionId, hoverOrgName });
    }
    return changed;
  }

  /** Deletes the connection (disconnect). @returns true if a row was deleted. */
  async deleteById(connectionId: string): Promise<boolean> {
    const result = await this.repository.delete({ connectionId });
    return (result.affected ?? 0) > 0;
  }

  /**
   * One conditional UPDATE of a single connection row, decided by its affected-row count: the
   * compare-and-swap and lease mechanism every write here relies on (TypeORM's @VersionColumn does not
   * guard an UPDATE by itself).
   * @returns true if exactly one row matched `condition` and was written
   */
  private async updateWhere(
    changes: QueryDeepPartialEntity<HoverConnection>,
    condition: string,
    parameters: Record<string, unknown>,
  ): Promise<boolean> {
    const result = await this.repository.createQueryBuilder().update(HoverConnection).set(changes).where(condition, parameters).execute();
    return result.affected === 1;
  }

  private encryptedTokens(connectionId: string, accessToken: string, refreshToken: string | null) {
    return {
      accessToken: this.cipher.encrypt(accessToken, { connectionId, column: 'access_token' }),
      refreshToken: refreshToken === null ? null : this.cipher.encrypt(refreshToken, { connectionId, column: 'refresh_token' }),
    };
  }

  /**
   * A copy of `row` with plaintext tokens. `allowUnencrypted` only for re-encryption of legacy rows.
   * A failure is logged once here at error level with the operator's detail (which column, why; never
   * the value): the exception itself tells the end user only that the credentials cannot be read.
   * @throws {HoverTokenDecryptionException}
   */
  private decrypted(row: HoverConnection, allowUnencrypted = false, log = true): HoverConnection {
    const open = (value: string, column: 'access_token' | 'refresh_token') =>
      allowUnencrypted && TokenCipher.keyIdOf(value) === null ? value : this.cipher.decrypt(value, { connectionId: row.connectionId, column });
    try {
      return Object.assign(new HoverConnection(), row, {
        accessToken: open(row.accessToken, 'access_token'),
        refreshToken: row.refreshToken === null ? null : open(row.refreshToken, 'refresh_token'),
      });
    } catch (error) {
      if (log && error instanceof HoverTokenDecryptionException) {
        this.logger.error(`The stored tokens of Hover connection "${row.connectionId}" cannot be decrypted (${error.operatorDetail}).`);
      }
      throw error;
    }
  }

  private needsReencryption(row: HoverConnection): boolean {
    const current = this.cipher.currentKeyId;
    const onCurrentKey = (value: string | null) => value === null || TokenCipher.keyIdOf(value) === current;
    return !onCurrentKey(row.accessToken) || !onCurrentKey(row.refreshToken);
  }
}
