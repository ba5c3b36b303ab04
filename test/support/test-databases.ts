import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** A throwaway database for one e2e suite: `url` goes into DATABASE_URL; `drop()` removes it. */
export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  url: string;
  drop(): Promise<void>;
}

/** Admin connection of the PostgreSQL the CI machine runs (trust auth); override with HOVER_E2E_POSTGRES_URL. */
const POSTGRES_ADMIN_URL = process.env.HOVER_E2E_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type DatabaseKind = 'sqlite' | 'postgres' | 'mariadb';
const ALL_KINDS: readonly DatabaseKind[] = ['sqlite', 'postgres', 'mariadb'];

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

/** A real SQLite file in a fresh temporary folder. */
export function createSqliteDatabase(): TestDatabase {
  const folder = mkdtempSync(join(tmpdir(), 'hover-auth-e2e-'));
  return {
    kind: 'sqlite',
    url: `sqlite:${join(folder, 'e2e.sqlite')}`,
    drop: async () => rmSync(folder, { recursive: true, force: true }),
  };
}

/** A fresh PostgreSQL database on 127.0.0.1:5432, created for this suite and dropped after it. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `hover_auth_e2e_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL.replace(/\/\/[^@]*@/, '//')} (${(error as Error).message}). ` +
        'Start it (.ci/run does), set HOVER_E2E_POSTGRES_URL, or run only SQLite with HOVER_E2E_DATABASES=sqlite.',
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

export function createTestDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  return kind === 'sqlite' ? Promise.resolve(createSqliteDatabase()) : createPostgresDatabase();
}
