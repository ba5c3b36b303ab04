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

/** Databases the e2e suites run on: `HOVER_E2E_DATABASES=sqlite,postgres` (default both). */
export function e2eDatabaseKinds(): Array<'sqlite' | 'postgres'> {
  const kinds = (process.env.HOVER_E2E_DATABASES ?? 'sqlite,postgres').split(',').map((kind) => kind.trim());
  for (const kind of kinds) {
    if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`HOVER_E2E_DATABASES: unknown database "${kind}"`);
  }
  return kinds as Array<'sqlite' | 'postgres'>;
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
