/**
 * TypeORM DataSource for the migration CLI (`npm run migration:run`, `npm run migration:revert`).
 * `DATABASE_URL=postgres://…` or `mysql://…` selects that server; unset, the sample's SQLite file
 * `data/sample.sqlite`. Your own app's ormconfig spreads the same two lists in beside its own.
 */
import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { hoverAuthEntities, hoverAuthMigrations } from '@hover-auth/nestjs';

function connectionOptions(url: string | undefined): DataSourceOptions {
  if (!url) return { type: 'better-sqlite3', database: 'data/sample.sqlite' };
  if (/^postgres(ql)?:\/\//.test(url)) return { type: 'postgres', url };
  if (url.startsWith('mysql://')) return { type: 'mysql', url };
  if (url.startsWith('mariadb://')) return { type: 'mariadb', url: url.replace(/^mariadb:/, 'mysql:') };
  if (url.startsWith('sqlite:')) return { type: 'better-sqlite3', database: url.slice('sqlite:'.length) };
  throw new Error('DATABASE_URL must start with postgres://, mysql://, mariadb:// or sqlite:.');
}

export default new DataSource({
  ...connectionOptions(process.env.DATABASE_URL),
  entities: [...hoverAuthEntities],
  migrations: [...hoverAuthMigrations],
  synchronize: false,
} as DataSourceOptions);
