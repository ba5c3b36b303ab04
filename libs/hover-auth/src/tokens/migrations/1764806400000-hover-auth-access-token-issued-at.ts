import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from './1764460800000-hover-auth-init';

/**
 * Adds `access_token_issued_at` to `hover_connections`: when the current access token was received,
 * epoch milliseconds. With the expiry it gives the token's real lifetime, so the refresh margin can
 * adapt to lifetimes shorter than `refreshMarginSeconds` (at most one proactive refresh per token).
 * Existing rows get NULL: they use the configured margin until their next refresh.
 */
export class HoverAuthAccessTokenIssuedAt1764806400000 implements MigrationInterface {
  name = 'HoverAuthAccessTokenIssuedAt1764806400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    dialectOf(queryRunner);
    await queryRunner.query(`ALTER TABLE hover_connections ADD access_token_issued_at bigint NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE hover_connections DROP COLUMN access_token_issued_at`);
  }
}
