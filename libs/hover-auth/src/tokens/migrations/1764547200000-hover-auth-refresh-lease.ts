import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from './1764460800000-hover-auth-init';

/**
 * Adds the refresh lease to `hover_connections`: which refresh attempt holds it
 * (`refresh_lock_owner`) and until when (`refresh_lock_expires_at`, epoch milliseconds). App instances
 * sharing the database take the lease with a conditional UPDATE before spending the single-use refresh
 * token, so only one of them refreshes per expiry; a lease whose holder died expires on its own.
 */
export class HoverAuthRefreshLease1764547200000 implements MigrationInterface {
  name = 'HoverAuthRefreshLease1764547200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    dialectOf(queryRunner);
    await queryRunner.query(`ALTER TABLE hover_connections ADD refresh_lock_owner varchar(64) NULL`);
    await queryRunner.query(`ALTER TABLE hover_connections ADD refresh_lock_expires_at bigint NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE hover_connections DROP COLUMN refresh_lock_expires_at`);
    await queryRunner.query(`ALTER TABLE hover_connections DROP COLUMN refresh_lock_owner`);
  }
}
