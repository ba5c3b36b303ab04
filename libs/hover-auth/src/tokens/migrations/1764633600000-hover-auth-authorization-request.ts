import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from './1764460800000-hover-auth-init';

/**
 * Extends a pending authorization request with what RFC 9700 asks of it: the PKCE code verifier
 * (§2.1.1), the browser it is bound to (SHA-256 of a cookie value, §4.7.1), and the same-origin path
 * to return to after connecting.
 */
export class HoverAuthAuthorizationRequest1764633600000 implements MigrationInterface {
  name = 'HoverAuthAuthorizationRequest1764633600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    dialectOf(queryRunner);
    await queryRunner.query(`ALTER TABLE hover_authorization_states ADD code_verifier varchar(128) NULL`);
    await queryRunner.query(`ALTER TABLE hover_authorization_states ADD browser_binding varchar(64) NULL`);
    await queryRunner.query(`ALTER TABLE hover_authorization_states ADD return_to varchar(512) NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE hover_authorization_states DROP COLUMN return_to`);
    await queryRunner.query(`ALTER TABLE hover_authorization_states DROP COLUMN browser_binding`);
    await queryRunner.query(`ALTER TABLE hover_authorization_states DROP COLUMN code_verifier`);
  }
}
