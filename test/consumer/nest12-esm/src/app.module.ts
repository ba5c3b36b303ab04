import { HoverAuthModule, HoverErrorPageFilter, hoverAuthEntities, hoverAuthMigrations } from '@hover-auth/nestjs';
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HealthController, HoverEventLog } from './hover-events.js';
import { AppConfig, AppConfigModule } from './app-config.js';
import { JobsController } from './jobs.controller.js';

/** Header that says which of this app's accounts a request is for (a real app reads its session). */
export const ACCOUNT_HEADER = 'x-account-id';

@Module({
  imports: [
    // Optional peers of @hover-auth/nestjs: lifecycle events and the terminus health indicator.
    EventEmitterModule.forRoot(),
    TerminusModule,
    TypeOrmModule.forRootAsync({
      imports: [AppConfigModule],
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        type: 'postgres',
        url: config.databaseUrl,
        entities: [...hoverAuthEntities],
        migrations: [...hoverAuthMigrations],
        migrationsRun: true,
      }),
    }),
    HoverAuthModule.forRootAsync({
      imports: [AppConfigModule],
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        baseUrl: config.hover.baseUrl,
        clientId: config.hover.clientId,
        clientSecret: config.hover.clientSecret,
        redirectUri: config.hover.redirectUri,
        encryptionKeys: [{ id: 'k1', key: config.hover.tokenKey }],
        successRedirect: '/hover/connected',
        failureRedirect: '/hover/failed',
        resolveConnectionId: (request) => String(request.headers[ACCOUNT_HEADER] ?? 'anonymous'),
        // Hover's webhooks, registered for each connection as it connects (needs rawBody: true in main.ts).
        ...(config.hover.webhookUrl ? { webhook: { url: config.hover.webhookUrl } } : {}),
      }),
    }),
  ],
  controllers: [JobsController, HealthController],
  // Pages instead of JSON for people in a browser; API clients keep the JSON body.
  providers: [HoverEventLog, { provide: APP_FILTER, useClass: HoverErrorPageFilter }],
})
export class AppModule {}
