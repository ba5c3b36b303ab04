import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from './1764460800000-hover-auth-init';

/**
 * Creates `hover_webhooks` (webhooks registered at Hover, one per org and URL, with the encrypted
 * `hmac_secret`) and `hover_webhook_deliveries` (the bounded record of accepted deliveries that makes
 * dispatch idempotent across app instances).
 */
export class HoverAuthWebhooks1764892800000 implements MigrationInterface {
  name = 'HoverAuthWebhooks1764892800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const tableSuffix = dialectOf(queryRunner) === 'mysql' ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4' : '';
    await queryRunner.query(
      `CREATE TABLE hover_webhooks (
        webhook_id varchar(64) NOT NULL,
        connection_id varchar(191) NOT NULL,
        hover_org_id varchar(64) NULL,
        url varchar(2048) NOT NULL,
        url_hash varchar(64) NOT NULL,
        hmac_secret text NOT NULL,
        verified_at bigint NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        CONSTRAINT pk_hover_webhooks PRIMARY KEY (webhook_id)
      )${tableSuffix}`,
    );
    await queryRunner.query(`CREATE INDEX idx_hover_webhooks_connection_id ON hover_webhooks (connection_id)`);
    // One webhook per org and URL across every app instance: a second registration's INSERT fails here.
    await queryRunner.query(`CREATE UNIQUE INDEX idx_hover_webhooks_org_url ON hover_webhooks (hover_org_id, url_hash)`);
    await queryRunner.query(
      `CREATE TABLE hover_webhook_deliveries (
        delivery_key varchar(64) NOT NULL,
        webhook_id varchar(64) NOT NULL,
        event varchar(64) NOT NULL,
        received_at bigint NOT NULL,
        CONSTRAINT pk_hover_webhook_deliveries PRIMARY KEY (delivery_key)
      )${tableSuffix}`,
    );
    await queryRunner.query(`CREATE INDEX idx_hover_webhook_deliveries_received_at ON hover_webhook_deliveries (received_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE hover_webhook_deliveries`);
    await queryRunner.query(`DROP TABLE hover_webhooks`);
  }
}
