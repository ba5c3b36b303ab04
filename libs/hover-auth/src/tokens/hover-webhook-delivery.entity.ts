import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillisecondsTransformer } from './epoch-milliseconds.transformer';

/**
 * A signed webhook delivery already accepted, so that a repeat of it (a replay, or Hover sending it
 * again) is dispatched once across every app instance: the primary key is claimed by an INSERT before
 * dispatch. Rows older than twice the signature's `Date` tolerance are deleted (a delivery that old is
 * refused by the `Date` check anyway), so the table stays small. Table `hover_webhook_deliveries`.
 */
@Entity({ name: 'hover_webhook_deliveries' })
@Index('idx_hover_webhook_deliveries_received_at', ['receivedAt'])
export class HoverWebhookDeliveryRecord {
  /** SHA-256 (hex) of the webhook id, the `Date` header and the raw body: what makes two deliveries the same. */
  @PrimaryColumn({ name: 'delivery_key', type: 'varchar', length: 64 })
  deliveryKey: string;

  @Column({ name: 'webhook_id', type: 'varchar', length: 64 })
  webhookId: string;

  /** The `event` of the body, e.g. `job-state-changed` (at most 64 characters kept). */
  @Column({ name: 'event', type: 'varchar', length: 64 })
  event: string;

  /** Epoch milliseconds. */
  @Column({ name: 'received_at', type: 'bigint', transformer: epochMillisecondsTransformer })
  receivedAt: number;
}
