/**
 * The shipped migrations on every supported database server, followed by the repository's token
 * writes (compare-and-swap on `version`, bigint timestamps) on the migrated schema. SQLite always;
 * PostgreSQL and MariaDB on 127.0.0.1 unless HOVER_E2E_DATABASES leaves them out.
 */
import { HoverConnection, HoverConnectionRepository, hoverAuthEntities, hoverAuthMigrations } from '@app/hover-auth';
import { randomBytes } from 'node:crypto';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { createTestDatabase, e2eDatabaseKinds, type DatabaseKind, type TestDatabase } from './support/test-databases';

const MARIADB_ADMIN = { host: '127.0.0.1', port: 3306, username: 'root', password: '' };

type Kind = DatabaseKind;

async function openDatabase(kind: Kind): Promise<{ options: DataSourceOptions; drop(): Promise<void> }> {
  if (kind === 'mariadb') {
    const name = `hover_auth_mig_${randomBytes(4).toString('hex')}`;
    const admin = new DataSource({ type: 'mariadb', ...MARIADB_ADMIN });
    await admin.initialize().catch((error: Error) => {
      throw new Error(`MariaDB is not reachable at 127.0.0.1:3306 (${error.message}). Start it (.ci/run does) or leave it out of HOVER_E2E_DATABASES.`);
    });
    await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
    await admin.destroy();
    return {
      options: { type: 'mariadb', ...MARIADB_ADMIN, database: name },
      drop: async () => {
        const cleanup = new DataSource({ type: 'mariadb', ...MARIADB_ADMIN });
        await cleanup.initialize();
        await cleanup.query(`DROP DATABASE IF EXISTS ${name}`);
        await cleanup.destroy();
      },
    };
  }
  const database: TestDatabase = await createTestDatabase(kind as 'sqlite' | 'postgres');
  const options: DataSourceOptions =
    kind === 'postgres' ? { type: 'postgres', url: database.url } : { type: 'better-sqlite3', database: database.url.slice('sqlite:'.length) };
  return { options, drop: () => database.drop() };
}

describe.each(e2eDatabaseKinds(['sqlite', 'postgres', 'mariadb'] as const))('hover-auth migrations on %s', (kind) => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const opened = await openDatabase(kind);
    drop = opened.drop;
    dataSource = new DataSource({ ...opened.options, entities: [...hoverAuthEntities], migrations: [...hoverAuthMigrations] });
    await dataSource.initialize();
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await drop?.();
  });

  it('creates the tables, and the repository writes tokens with compare-and-swap', async () => {
    const applied = await dataSource.runMigrations();
    expect(applied.map((migration) => migration.name)).toEqual(['HoverAuthInit1764460800000', 'HoverAuthRefreshLease1764547200000']);
    // The entities match the migrated schema: no pending schema change.
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);

    const repository = new HoverConnectionRepository(dataSource.getRepository(HoverConnection));
    const expiresAt = Date.UTC(2030, 0, 1);
    const saved = await repository.saveAuthorizedConnection(
      'acct-1',
      { accessToken: 'access-1', refreshToken: 'refresh-1', accessTokenExpiresAt: expiresAt, scope: 'all', ownerId: '785', ownerType: 'orgs' },
      { hoverUserId: '12', hoverOrgId: '785', integrationsEnabled: true },
    );
    expect(saved.version).toBe(1);

    const row = (await repository.findById('acct-1')) as HoverConnection;
    expect(row).toMatchObject({ accessTokenExpiresAt: expiresAt, integrationsEnabled: true, status: 'active', version: 1 });
    expect(typeof row.createdAt).toBe('number');

    const rotated = await repository.replaceTokens(row, {
      accessToken: 'access-2', refreshToken: null, accessTokenExpiresAt: expiresAt + 1000, scope: null, ownerId: null, ownerType: null,
    });
    expect(rotated?.version).toBe(2);
    const stale = await repository.replaceTokens(row, {
      accessToken: 'access-stale', refreshToken: 'refresh-stale', accessTokenExpiresAt: expiresAt, scope: null, ownerId: null, ownerType: null,
    });
    expect(stale).toBeNull();
    expect(await repository.findById('acct-1')).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-1', version: 2 });
  });

  it('takes the refresh lease atomically: one owner at a time, and a lapsed lease can be taken over', async () => {
    const repository = new HoverConnectionRepository(dataSource.getRepository(HoverConnection));
    const owners = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const won = await Promise.all(owners.map((owner) => repository.acquireRefreshLease('acct-1', owner, 60_000)));
    expect(won.filter(Boolean)).toHaveLength(1);
    const holder = owners[won.indexOf(true)];
    expect(await repository.releaseRefreshLease('acct-1', 'not-the-holder')).toBe(false);
    expect(await repository.acquireRefreshLease('acct-1', 'late', 60_000)).toBe(false);
    expect(await repository.releaseRefreshLease('acct-1', holder)).toBe(true);
    expect(await repository.acquireRefreshLease('acct-1', 'short', 1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await repository.acquireRefreshLease('acct-1', 'takeover', 60_000)).toBe(true);
    expect(await repository.findById('acct-1')).toMatchObject({ refreshLockOwner: 'takeover' });
  });

  it('reverts cleanly', async () => {
    await dataSource.undoLastMigration();
    await dataSource.undoLastMigration();
    const tables = await dataSource.createQueryRunner().getTables(['hover_connections', 'hover_authorization_states']);
    expect(tables).toEqual([]);
  });
});
