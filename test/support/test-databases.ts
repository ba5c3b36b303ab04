import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';

export type DatabaseKind = 'sqlite' | 'postgres' | 'mariadb';
const ALL_KINDS: readonly DatabaseKind[] = ['sqlite', 'postgres', 'mariadb'];

/**
 * A throwaway database for one suite. `options` are plain JSON (they cross process boundaries) and
 * carry no entities or migrations; `url` is what the sample app takes as DATABASE_URL (SQLite and
 * PostgreSQL only); `drop()` removes the database.
 */
export interface TestDatabase {
  kind: DatabaseKind;
  options: DataSourceOptions;
  url: string;
  drop(): Promise<void>;
}

/** Admin connection of the PostgreSQL the CI machine runs (trust auth); override with HOVER_E2E_POSTGRES_URL. */
const POSTGRES_ADMIN_URL = process.env.HOVER_E2E_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Admin connection of the MariaDB the CI machine runs (root, empty password). */
const MARIADB_ADMIN = { host: '127.0.0.1', port: 3306, username: 'root', password: '' };

/**
 * Databases the e2e suites run on: `HOVER_E2E_DATABASES=sqlite,postgres,mariadb` (default all three),
 * narrowed to the kinds a suite supports.
 * @throws {Error} on an unknown name, so a typo never silently skips a database
 */
export function e2eDatabaseKinds<K extends DatabaseKind>(supported: readonly K[]): K[] {
  const requested = (process.env.HOVER_E2E_DATABASES ?? ALL_KINDS.join(',')).split(',').map((kind) => kind.trim());
  for (const kind of requested) {
    if (!ALL_KINDS.includes(kind as DatabaseKind)) throw new Error(`HOVER_E2E_DATABASES: unknown database "${kind}" (use ${ALL_KINDS.join(', ')})`);
  }
  return supported.filter((kind) => requested.includes(kind));
}

const uniqueName = (prefix: string) => `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;

/** A real SQLite file in a fresh temporary folder, in WAL mode with a 10 s busy timeout (several processes may share it). */
export function createSqliteDatabase(): TestDatabase {
  const folder = mkdtempSync(join(tmpdir(), 'hover-auth-e2e-'));
  const file = join(folder, 'e2e.sqlite');
  return {
    kind: 'sqlite',
    options: { type: 'better-sqlite3', database: file, enableWAL: true, timeout: 10_000 },
    url: `sqlite:${file}`,
    drop: async () => rmSync(folder, { recursive: true, force: true }),
  };
}

/** A fresh PostgreSQL database on 127.0.0.1:5432, created for this suite and dropped after it. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = uniqueName('hover_auth_e2e');
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL.replace(/\/\/[^@]*@/, '//')} (${(error as Error).message}). ` +
        'Start it (.ci/run does), set HOVER_E2E_POSTGRES_URL, or leave it out of HOVER_E2E_DATABASES.',
    );
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    options: { type: 'postgres', url: url.toString() },
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A fresh MariaDB database on 127.0.0.1:3306, created for this suite and dropped after it. */
export async function createMariadbDatabase(): Promise<TestDatabase> {
  const name = uniqueName('hover_auth_e2e');
  const run = async (sql: string) => {
    const admin = new DataSource({ type: 'mariadb', ...MARIADB_ADMIN });
    await admin.initialize().catch((error: Error) => {
      throw new Error(`MariaDB is not reachable at 127.0.0.1:3306 (${error.message}). Start it (.ci/run does) or leave it out of HOVER_E2E_DATABASES.`);
    });
    try {
      await admin.query(sql);
    } finally {
      await admin.destroy();
    }
  };
  await run(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
  return {
    kind: 'mariadb',
    options: { type: 'mariadb', ...MARIADB_ADMIN, database: name },
    url: `mariadb://root@127.0.0.1:3306/${name}`,
    drop: () => run(`DROP DATABASE IF EXISTS ${name}`),
  };
}

export function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') return Promise.resolve(createSqliteDatabase());
  return kind === 'postgres' ? createPostgresDatabase() : createMariadbDatabase();
}
