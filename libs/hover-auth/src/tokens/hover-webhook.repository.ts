import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { LessThan, type Repository } from 'typeorm';
import { HoverTokenDecryptionException } from '../exceptions/hover-token-cipher.exceptions';
import { HOVER_WEBHOOK_DELIVERY_ENTITY_REPOSITORY, HOVER_WEBHOOK_ENTITY_REPOSITORY } from '../hover-auth.constants';
import type { HoverWebhookDeliveryRecord } from './hover-webhook-delivery.entity';
import { HoverWebhook } from './hover-webhook.entity';
import { TokenCipher } from './token-cipher';

/** What registration returned, to store. */
export interface NewHoverWebhook {
  webhookId: string;
  connectionId: string;
  hoverOrgId: string | null;
  url: string;
  /** Plaintext; encrypted before it is written. */
  hmacSecret: string;
  verifiedAt: number | null;
}

/** Outcome of re-encrypting the webhooks' secrets (see `HoverConnectionsService.reencryptAll`). */
export interface WebhookReencryptionResult {
  rows: number;
  reencrypted: number;
  /** Webhook ids whose secret could not be decrypted with any configured key (left as they were). */
  failed: string[];
}

/**
 * Reads and writes {@link HoverWebhook} rows (the `hmac_secret` encrypted with {@link TokenCipher},
 * bound to its webhook id and connection) and the record of accepted deliveries.
 */
@Injectable()
export class HoverWebhookRepository {
  private readonly logger = new Logger('HoverAuth');

  constructor(
    @Inject(HOVER_WEBHOOK_ENTITY_REPOSITORY) private readonly webhooks: Repository<HoverWebhook>,
    @Inject(HOVER_WEBHOOK_DELIVERY_ENTITY_REPOSITORY) private readonly deliveries: Repository<HoverWebhookDeliveryRecord>,
    private readonly cipher: TokenCipher,
  ) {}

  /**
   * Stores a registration, unless the org already has a webhook for this URL (another instance
   * registered one at the same moment: the org and URL are unique).
   * @returns the stored row, or `{ conflict }` with the org's existing webhook for the URL
   */
  async insert(webhook: NewHoverWebhook): Promise<HoverWebhook | { conflict: HoverWebhook }> {
    const now = Date.now();
    const row = Object.assign(new HoverWebhook(), {
      ...webhook,
      urlHash: urlHashOf(webhook.url),
      hmacSecret: this.cipher.encrypt(webhook.hmacSecret, { connectionId: webhook.connectionId, webhookId: webhook.webhookId, column: 'hmac_secret' }),
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.webhooks.insert(row);
      return row;
    } catch (error) {
      // A unique key failed (driver-specific errors): look, rather than parse error codes.
      const existing = webhook.hoverOrgId === null ? null : await this.webhooks.findOneBy({ hoverOrgId: webhook.hoverOrgId, urlHash: row.urlHash });
      if (existing) return { conflict: existing };
      throw error;
    }
  }

  /** The stored row (secret still encrypted), or `null`. */
  findById(webhookId: string): Promise<HoverWebhook | null> {
    return this.webhooks.findOneBy({ webhookId });
  }

  /** The webhooks of a Hover org, whichever connection holds them (secrets still encrypted), oldest first. */
  findByOrg(hoverOrgId: string): Promise<HoverWebhook[]> {
    return this.webhooks.find({ where: { hoverOrgId }, order: { createdAt: 'ASC', webhookId: 'ASC' } });
  }

  /** Whether the stored secret decrypts with the configured keys. */
  canDecrypt(row: HoverWebhook): boolean {
    try {
      this.cipher.decrypt(row.hmacSecret, { connectionId: row.connectionId, webhookId: row.webhookId, column: 'hmac_secret' });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Hands a webhook to another connection of its org (the one holding it is leaving): the secret is
   * re-encrypted for the new connection (it is bound to it), compare-and-swap on the stored value.
   * @returns false when the secret does not decrypt, or the row changed meanwhile
   */
  async transfer(row: HoverWebhook, toConnectionId: string): Promise<boolean> {
    let secret: string;
    try {
      secret = this.cipher.decrypt(row.hmacSecret, { connectionId: row.connectionId, webhookId: row.webhookId, column: 'hmac_secret' });
    } catch {
      return false;
    }
    const result = await this.webhooks
      .createQueryBuilder()
      .update()
      .set({
        connectionId: toConnectionId,
        hmacSecret: this.cipher.encrypt(secret, { connectionId: toConnectionId, webhookId: row.webhookId, column: 'hmac_secret' }),
        updatedAt: Date.now(),
      })
      .where('webhook_id = :webhookId AND hmac_secret = :old', { webhookId: row.webhookId, old: row.hmacSecret })
      .execute();
    return result.affected === 1;
  }

  /** The connection's webhooks (secrets still encrypted), oldest first. */
  findByConnection(connectionId: string): Promise<HoverWebhook[]> {
    return this.webhooks.find({ where: { connectionId }, order: { createdAt: 'ASC', webhookId: 'ASC' } });
  }

  /**
   * The plaintext `hmac_secret` of a stored row.
   * @throws {HoverTokenDecryptionException} (logged here with the operator's detail) when it does not decrypt
   */
  secretOf(row: HoverWebhook): string {
    try {
      return this.cipher.decrypt(row.hmacSecret, { connectionId: row.connectionId, webhookId: row.webhookId, column: 'hmac_secret' });
    } catch (error) {
      if (error instanceof HoverTokenDecryptionException) {
        this.logger.error(`The stored hmac_secret of Hover webhook ${row.webhookId} (connection "${row.connectionId}") cannot be decrypted (${error.operatorDetail}).`);
      }
      throw error;
    }
  }

  /** Sets `verified_at` (when not set yet). @returns whether this call set it */
  async markVerified(webhookId: string, at: number): Promise<boolean> {
    const result = await this.webhooks
      .createQueryBuilder()
      .update()
      .set({ verifiedAt: at, updatedAt: at })
      .where('webhook_id = :webhookId AND verified_at IS NULL', { webhookId })
      .execute();
    return result.affected === 1;
  }

  /** @returns whether a row was deleted */
  async delete(webhookId: string): Promise<boolean> {
    const result = await this.webhooks.delete({ webhookId });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Claims a delivery: INSERT of its key, which only one instance can win.
   * @returns false when the key was already recorded (a repeat)
   */
  async claimDelivery(delivery: HoverWebhookDeliveryRecord): Promise<boolean> {
    // Looked up first, so a replay does not make the database (and TypeORM's error log) report a failed
    // INSERT; two instances racing for a new key still meet at the primary key below.
    if (await this.deliveries.existsBy({ deliveryKey: delivery.deliveryKey })) return false;
    try {
      await this.deliveries.insert(delivery);
      return true;
    } catch (error) {
      // A duplicate key fails the INSERT on every driver (with driver-specific errors): look, rather
      // than parse error codes. Any other failure is rethrown.
      if (await this.deliveries.existsBy({ deliveryKey: delivery.deliveryKey })) return false;
      throw error;
    }
  }

  /** Deletes delivery records received before `before` (epoch milliseconds). @returns how many */
  async pruneDeliveries(before: number): Promise<number> {
    const result = await this.deliveries.delete({ receivedAt: LessThan(before) });
    return result.affected ?? 0;
  }

  /** Re-encrypts every webhook secret not on the newest key (rows are written once, so no lease is needed). */
  async reencryptAll(): Promise<WebhookReencryptionResult> {
    const rows = await this.webhooks.find();
    const result: WebhookReencryptionResult = { rows: rows.length, reencrypted: 0, failed: [] };
    for (const row of rows) {
      if (TokenCipher.keyIdOf(row.hmacSecret) === this.cipher.currentKeyId) continue;
      const context = { connectionId: row.connectionId, webhookId: row.webhookId, column: 'hmac_secret' } as const;
      let secret: string;
      try {
        secret = this.cipher.decrypt(row.hmacSecret, context);
      } catch {
        result.failed.push(row.webhookId);
        continue;
      }
      // Compare-and-swap on the stored value: a row deleted or replaced meanwhile is left alone.
      const updated = await this.webhooks
        .createQueryBuilder()
        .update()
        .set({ hmacSecret: this.cipher.encrypt(secret, context), updatedAt: Date.now() })
        .where('webhook_id = :webhookId AND hmac_secret = :old', { webhookId: row.webhookId, old: row.hmacSecret })
        .execute();
      if (updated.affected === 1) result.reencrypted++;
    }
    return result;
  }
}

/** SHA-256 (hex) of a webhook URL: indexable where the URL itself (up to 2048 characters) is not. */
export function urlHashOf(url: string): string {
  return createHash('sha256').update(url, 'utf8').digest('hex');
}
