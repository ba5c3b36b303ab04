import { HoverAuthModule, HoverHttpService, hoverAuthEntities, hoverAuthMigrations, type HoverAuthModuleOptions } from '@hover-auth/nestjs';
import { HoverConnectionRepository } from '../../libs/hover-auth/src/testing/internals';
import { type INestApplicationContext, type LoggerService, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';

/** A host app without HTTP server: TypeORM on the given database + HoverAuthModule, as an API client. */
export interface HoverClientApp {
  app: INestApplicationContext;
  hover: HoverHttpService;
  connections: HoverConnectionRepository;
  close(): Promise<void>;
}

/**
 * Boots a Nest application context the way a host app wires the module (its own `TypeOrmModule.forRoot`
 * with hover-auth's entities and migrations). Migrations run when `runMigrations` is true.
 */
export async function startHoverClientApp(
  dataSource: DataSourceOptions,
  hover: HoverAuthModuleOptions,
  { runMigrations = false, logger = false }: { runMigrations?: boolean; logger?: LoggerService | false } = {},
): Promise<HoverClientApp> {
  @Module({
    imports: [
      TypeOrmModule.forRoot({
        ...dataSource,
        entities: [...hoverAuthEntities],
        migrations: [...hoverAuthMigrations],
        migrationsRun: runMigrations,
        synchronize: false,
      } as DataSourceOptions),
      HoverAuthModule.forRoot({ ...hover, mountController: false }),
    ],
  })
  class HostModule {}

  const app = await NestFactory.createApplicationContext(HostModule, { logger });
  return {
    app,
    hover: app.get(HoverHttpService),
    connections: app.get(HoverConnectionRepository),
    close: () => app.close(),
  };
}
