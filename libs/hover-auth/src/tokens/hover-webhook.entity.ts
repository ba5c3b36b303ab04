import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillisecondsTransformer } from './epoch-milliseconds.transformer';

/**
 * A webhook registered at Hover (`POST /api/v2/webhooks`): Hover's webhook id, the URL, the
 * `hmac_secret` that signs its deliveries (encrypted at rest like the tokens), the org that owns it and
 * when Hover confirmed its verification code. Hover scopes webhooks to an org, so one webhook per org and
 * URL serves every connection of that org; `connection_id` is the connection whose token manages it (it
 * passes to another connection of the org when that one leaves). Table `hover_webhooks`, created by
 * {@link hoverAuthMigrations}. Read and written only through `HoverWebhooksService`.
 */
@Entity({ name: 'hover_webhooks' })
@Index('idx_hover_webhooks_connection_id', ['connectionId'])
@Index('idx_hover_webhooks_org_url', ['hoverOrgId', 'urlHash'], { unique: true })
export class HoverWebhook {
  /** Hover's webhook id (`id` of the registration answer), as text. */
  @PrimaryColumn({ name: 'webhook_id', type: 'varchar', length: 64 })
  webhookId: string;

  /** The connection whose access token manages it (registered it, or took it over): verifies and deletes it. */
  @Column({ name: 'connection_id', type: 'varchar', length: 191 })
  connectionId: string;

  /** The Hover org whose events it receives: the registering connection's org (else `owner_id` of Hover's answer); `null` if unknown. */
  @Column({ name: 'hover_org_id', type: 'varchar', length: 64, nullable: true })
  hoverOrgId: string | null;

  /** The URL Hover POSTs deliveries to, as registered. */
  @Column({ name: 'url', type: 'varchar', length: 2048 })
  url: string;

  /** SHA-256 (hex) of `url`: with `hover_org_id` unique, so each org has one webhook per URL across all instances. */
  @Column({ name: 'url_hash', type: 'varchar', length: 64 })
  urlHash: string;

  /** The `hmac_secret` of the registration answer, encrypted (`hvr1.…`). Secret: never log. */
  @Column({ name: 'hmac_secret', type: 'text' })
  hmacSecret: string;

  /** When Hover confirmed the verification code, epoch milliseconds; `null` until then. */
  @Column({ name: 'verified_at', type: 'bigint', nullable: true, transformer: epochMillisecondsTransformer })
  verifiedAt: number | null;

  /** Epoch milliseconds. */
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillisecondsTransformer })
  createdAt: number;

  /** Epoch milliseconds. */
  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillisecondsTransformer })
  updatedAt: number;
}
