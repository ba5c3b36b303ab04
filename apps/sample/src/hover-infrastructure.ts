import { HoverAuthModule, hoverAuthEntities, hoverAuthMigrations, type HoverAuthModuleOptions } from '@hover-auth/nestjs';
import type { DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { SampleConfig } from './sample-config';

/** What the web app and the CLI choose differently; the rest comes from {@link SampleConfig}. */
export interface HoverInfrastructureChoices {
  /** Mount `GET /hover/authorize` and `GET /hover/callback` (the web app); the CLI does not. */
  mountController: boolean;
  /** Options set in code, applied over the environment's (e.g. `resolveConnectionId`). */
  options?: Partial<HoverAuthModuleOptions>;
  /**
   * How often to retry connecting to the database at start (3 s apart). Default 9 (TypeORM's: a
   * server waits out a database that starts after it); the CLI says 0, so an operator's typo in
   * DATABASE_URL fails at once instead of after half a minute.
   */
  databaseRetryAttempts?: number;
}

/**
 * The modules both the web app and the CLI import: configuration, the database (hover-auth's
 * entities and migrations, run at start) and `HoverAuthModule` from the `HOVER_*` settings.
 * @param config settings from `readSampleConfig`, with the emulator's values and the key filled in
 */
export function hoverInfrastructure(config: SampleConfig, choices: HoverInfrastructureChoices): Array<DynamicModule | Promise<DynamicModule>> {
  return [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (settings: ConfigService): TypeOrmModuleOptions => {
        const database = settings.getOrThrow<SampleConfig['database']>('database');
        return {
          ...(database.type === 'postgres' ? { type: 'postgres', url: database.url } : database),
          entities: [...hoverAuthEntities],
          migrations: [...hoverAuthMigrations],
          migrationsRun: true,
          synchronize: false,
          retryAttempts: choices.databaseRetryAttempts ?? 9,
        };
      },
    }),
    HoverAuthModule.forRootAsync({
      mountController: choices.mountController,
      inject: [ConfigService],
      useFactory: (settings: ConfigService) => ({
        ...settings.getOrThrow<SampleConfig['hover']>('hover'),
        ...choices.options,
      }) as HoverAuthModuleOptions,
    }),
  ];
}
