import type { MigrationInterface, QueryRunner } from 'typeorm';
import { HoverAuthConfigurationError } from '../../exceptions/hover-auth-configuration.error';

/** SQL dialect family of a DataSource, as far as hover-auth's migrations care. */
export type Dialect = 'sqlite' | 'postgres' | 'mysql';

/** @throws {HoverAuthConfigurationError} for a database hover-auth does not support */
export function dialectOf(queryRunner: QueryRunner): Dialect {
  const type = queryRunner.connection.options.type;
  switch (type) {
    case 'better-sqlite3':
    case 'sqljs':
    case 'capacitor':
    case 'expo':
    case 'react-native':
    case 'cordova':
    case 'nativescript':
      return 'sqlite';
    case 'postgres':
    case 'cockroachdb':
      return 'postgres';
    case 'mysql':
    case 'mariadb':
    case 'aurora-mysql':
      return 'mysql';
    default:
      throw new HoverAuthConfigurationError([
        `hover-auth migrations support SQLite, PostgreSQL and MySQL/MariaDB DataSources, not "${type}".`,
      ]);
  }
}

/**
 * Creates `hover_connections` and `hover_authorization_states`. One migration for every supported
 * database: the SQL differs only in column types (`boolean` is `tinyint(1)` on MySQL, text keys need a
 * length there), so it branches on the DataSource's driver instead of shipping three migration lists.
 */
export class HoverAuthInit1764460800000 implements MigrationInterface {
  name = 'HoverAuthInit1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const d = dialectOf(queryRunner);
    const bool = d === 'mysql' ? 'tinyint(1)' : 'boolean';
    const falseValue = d === 'postgres' ? 'false' : '0';
    const tableSuffix = d === 'mysql' ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4' : '';
    await queryRunner.query(
      `CREATE TABLE hover_connections (
        connection_id varchar(191) NOT NULL,
        owner_id varchar(64) NULL,
        owner_type varchar(32) NULL,
        hover_user_id varchar(64) NULL,
        hover_org_id varchar(64) NULL,
        integrations_enabled ${bool} NOT NULL DEFAULT ${falseValue},
        access_token text NOT NULL,
        refresh_token text NULL,
        access_token_expires_at bigint NOT NULL,
        scope varchar(255) NULL,
        status varchar(32) NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        CONSTRAINT pk_hover_connections PRIMARY KEY (connection_id)
      )${tableSuffix}`,
    );
    await queryRunner.query(
      `CREATE TABLE hover_authorization_states (
        state varchar(128) NOT NULL,
        connection_id varchar(191) NOT NULL,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        CONSTRAINT pk_hover_authorization_states PRIMARY KEY (state)
      )${tableSuffix}`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_hover_authorization_states_expires_at ON hover_authorization_states (expires_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE hover_authorization_states`);
    await queryRunner.query(`DROP TABLE hover_connections`);
  }
}
