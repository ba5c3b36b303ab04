import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMillisecondsTransformer } from './epoch-milliseconds.transformer';
import type { HoverConnectionStatus } from './hover-connection-status';

/**
 * One connection between an account of the host app and a Hover organization: the grant obtained by
 * the authorization code flow (RFC 6749 §4.1) and what Hover said about the org. Table
 * `hover_connections`, created by {@link hoverAuthMigrations}. Read and written only through
 * {@link HoverConnectionRepository}.
 */
@Entity({ name: 'hover_connections' })
export class HoverConnection {
  /** The host app's id for this connection (see `resolveConnectionId`), at most 191 characters. */
  @PrimaryColumn({ name: 'connection_id', type: 'varchar', length: 191 })
  connectionId: string;

  /** `owner_id` of the token response: the Hover org (or user) the grant belongs to. */
  @Column({ name: 'owner_id', type: 'varchar', length: 64, nullable: true })
  ownerId: string | null;

  /** `owner_type` of the token response, e.g. `orgs` for an organization-level token. */
  @Column({ name: 'owner_type', type: 'varchar', length: 32, nullable: true })
  ownerType: string | null;

  /** Id of the Hover user who allowed access (from `GET /api/v2/users/profile`). */
  @Column({ name: 'hover_user_id', type: 'varchar', length: 64, nullable: true })
  hoverUserId: string | null;

  /** Id of the Hover org the connection acts for. */
  @Column({ name: 'hover_org_id', type: 'varchar', length: 64, nullable: true })
  hoverOrgId: string | null;

  /** Name of the Hover org (from the profile at connect time), at most 255 characters; `null` if unknown. */
  @Column({ name: 'hover_org_name', type: 'varchar', length: 255, nullable: true })
  hoverOrgName: string | null;

  /** Whether the org's `feature_access` included `integrations` when last read. */
  @Column({ name: 'integrations_enabled', type: 'boolean', default: false })
  integrationsEnabled: boolean;

  /** Current access token (a JWT at Hover). Secret: never log. */
  @Column({ name: 'access_token', type: 'text' })
  accessToken: string;

  /** Current refresh token; single-use, rotated by every refresh. Secret: never log. */
  @Column({ name: 'refresh_token', type: 'text', nullable: true })
  refreshToken: string | null;

  /** When the access token was received, epoch milliseconds; `null` for rows stored before this column existed. */
  @Column({ name: 'access_token_issued_at', type: 'bigint', nullable: true, transformer: epochMillisecondsTransformer })
  accessTokenIssuedAt: number | null;

  /** When the access token expires: time the token response was received + `expires_in`, epoch milliseconds. */
  @Column({ name: 'access_token_expires_at', type: 'bigint', transformer: epochMillisecondsTransformer })
  accessTokenExpiresAt: number;

  /** `scope` of the token response (`all` at Hover). */
  @Column({ name: 'scope', type: 'varchar', length: 255, nullable: true })
  scope: string | null;

  @Column({ name: 'status', type: 'varchar', length: 32 })
  status: HoverConnectionStatus;

  /** Incremented by every token write; token writes compare-and-swap on it. */
  @Column({ name: 'version', type: 'integer', default: 1 })
  version: number;

  /**
   * Id of the refresh attempt holding the refresh lease, or `null`. Taken by a conditional UPDATE so
   * that one app instance at a time spends the single-use refresh token.
   */
  @Column({ name: 'refresh_lock_owner', type: 'varchar', length: 64, nullable: true })
  refreshLockOwner: string | null;

  /** When the refresh lease lapses if its holder never releases it (e.g. the process died), epoch milliseconds. */
  @Column({ name: 'refresh_lock_expires_at', type: 'bigint', nullable: true, transformer: epochMillisecondsTransformer })
  refreshLockExpiresAt: number | null;

  /** Epoch milliseconds. */
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillisecondsTransformer })
  createdAt: number;

  /** Epoch milliseconds. */
  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillisecondsTransformer })
  updatedAt: number;
}
