import type { DataSource, QueryRunner } from 'typeorm';
import { HoverAuthConfigurationError } from '../../exceptions/hover-auth-configuration.error';
import { createMigratedDataSource } from '../../testing/hover-auth-test-fixtures';
import { HoverAuthInit1764460800000 } from './1764460800000-hover-auth-init';
import { hoverAuthMigrations } from '.';

describe('HoverAuthInit1764460800000 (better-sqlite3)', () => {
  let dataSource: DataSource;

  beforeEach(async () => {
    dataSource = await createMigratedDataSource();
  });

  afterEach(async () => {
    await dataSource.destroy();
  });

  /** Reverts every hover-auth migration, newest first. */
  async function undoAll(): Promise<void> {
    for (let i = 0; i < hoverAuthMigrations.length; i++) await dataSource.undoLastMigration();
  }

  async function schemaObjects(): Promise<string[]> {
    const rows: Array<{ name: string }> = await dataSource.query(
      "SELECT name FROM sqlite_master WHERE name LIKE 'hover_%' OR name LIKE 'idx_hover_%' ORDER BY name",
    );
    return rows.map((row) => row.name);
  }

  it('up() creates the tables and their indexes, and every migration is recorded as run', async () => {
    expect(await schemaObjects()).toEqual([
      'hover_authorization_states',
      'hover_connections',
      'hover_webhook_deliveries',
      'hover_webhooks',
      'idx_hover_authorization_states_expires_at',
      'idx_hover_webhook_deliveries_received_at',
      'idx_hover_webhooks_connection_id',
      'idx_hover_webhooks_org_url',
    ]);
    const executed: Array<{ name: string }> = await dataSource.query('SELECT name FROM migrations');
    expect(executed.map((row) => row.name)).toEqual([
      'HoverAuthInit1764460800000',
      'HoverAuthRefreshLease1764547200000',
      'HoverAuthAuthorizationRequest1764633600000',
      'HoverAuthOrgName1764720000000',
      'HoverAuthAccessTokenIssuedAt1764806400000',
      'HoverAuthWebhooks1764892800000',
    ]);
    expect(await dataSource.showMigrations()).toBe(false);
  });

  it('down() drops both tables and the index', async () => {
    await undoAll();
    expect(await schemaObjects()).toEqual([]);
    expect(await dataSource.query('SELECT name FROM migrations')).toEqual([]);
  });

  it('up() after down() recreates the schema', async () => {
    await undoAll();
    await dataSource.runMigrations();
    expect(await schemaObjects()).toHaveLength(8);
  });

  it('refuses an unsupported database with a configuration error naming the driver', async () => {
    const queryRunner = { connection: { options: { type: 'mssql' } }, query: jest.fn() } as unknown as QueryRunner;
    const attempt = new HoverAuthInit1764460800000().up(queryRunner);
    await expect(attempt).rejects.toBeInstanceOf(HoverAuthConfigurationError);
    await expect(attempt).rejects.toThrow('not "mssql"');
    expect(queryRunner.query).not.toHaveBeenCalled();
  });
});
