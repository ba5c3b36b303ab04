import { HoverAuthModule, hoverAuthEntities, hoverAuthMigrations } from '@hover-auth/nestjs';
import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { HomeController } from './home.controller';
import { JobsController } from './jobs.controller';
import type { SampleConfig } from './sample-config';

/** The sample app: Hover connection flow, a home page, and a guarded jobs list. */
@Module({})
export class AppModule {
  /** @param config settings from {@link readSampleConfig}, with the emulator's values filled in when it runs */
  static forRoot(config: SampleConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
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
            };
          },
        }),
        HoverAuthModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (settings: ConfigService) => ({
            clientId: settings.get<string>('hover.clientId') ?? '',
            clientSecret: settings.get<string>('hover.clientSecret') ?? '',
            redirectUri: settings.get<string>('hover.redirectUri') ?? '',
            baseUrl: settings.get<string>('hover.baseUrl'),
            tokenRequestEncoding: settings.get('hover.tokenRequestEncoding'),
            issuer: settings.get('hover.issuer'),
            encryptionKeys: settings.get('hover.encryptionKeys') ?? [],
            successRedirect: '/?connected=1',
            failureRedirect: '/',
          }),
        }),
      ],
      controllers: [HomeController, JobsController],
    };
  }
}
