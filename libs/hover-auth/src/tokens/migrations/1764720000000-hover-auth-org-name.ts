import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from './1764460800000-hover-auth-init';

/**
 * Adds `hover_org_name` to `hover_connections`: the name of the connected Hover org, read from
 * `GET /api/v2/users/profile` at connect time (developers.hover.to, "Show user profile"), so the
 * connections read model can show it. Existing rows get NULL until they reconnect.
 */
export class HoverAuthOrgName1764720000000 implements MigrationInterface {
  name = 'HoverAuthOrgName1764720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    dialectOf(queryRunner);
    await queryRunner.query(`ALTER TABLE hover_connections ADD hover_org_name varchar(255) NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE hover_connections DROP COLUMN hover_org_name`);
  }
}
