import type { HoverEmulator } from '@hover-auth/emulator';
import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { resolveConnectionId } from './app-users';
import { ConnectionController } from './connection.controller';
import { DevPanel, DevPanelController } from './dev-panel';
import { HomeController } from './home.controller';
import { hoverInfrastructure } from './hover-infrastructure';
import { JobsController } from './jobs.controller';
import { NotFoundPageFilter } from './not-found.filter';
import type { SampleConfig } from './sample-config';
import { SampleErrorPageFilter } from './sample-error-page.filter';
import { SessionController } from './session.controller';
import { SignInRequiredFilter } from './sign-in-required.filter';
import { WebhookEventRecorder } from './webhook-event-recorder';
import { WebhooksController } from './webhooks.controller';

/**
 * The sample app: sign-in, the Hover connection flow per user, a home page, a guarded jobs list, the
 * webhook events page (`HOVER_WEBHOOK_URL` turns webhooks on), pages (not JSON) for browsers on every
 * Hover error, and the developer panel when the emulator is in-process.
 */
@Module({})
export class AppModule {
  /**
   * @param config settings from {@link readSampleConfig}, with the emulator's values filled in when it runs
   * @param emulator the in-process emulator, when the sample started one (adds the developer panel)
   */
  static forRoot(config: SampleConfig, emulator?: HoverEmulator): DynamicModule {
    const providers: Provider[] = [
      // Pages with Connect / Reconnect / the plan advice for browsers; JSON with `code` for API clients.
      { provide: APP_FILTER, useClass: SampleErrorPageFilter },
      { provide: APP_FILTER, useClass: SignInRequiredFilter },
      { provide: APP_FILTER, useClass: NotFoundPageFilter },
      WebhookEventRecorder,
    ];
    if (emulator) providers.push({ provide: DevPanel, useValue: new DevPanel(emulator) });
    return {
      module: AppModule,
      imports: [
        // hover-auth dispatches received webhooks (and its lifecycle events) here; required when
        // HOVER_WEBHOOK_URL is set. wildcard: one listener for every `hover.webhook.*` (WebhookEventRecorder).
        EventEmitterModule.forRoot({ wildcard: true }),
        ...hoverInfrastructure(config, {
          mountController: true,
          options: {
            resolveConnectionId,
            successRedirect: config.hover.successRedirect ?? '/?connected=1',
            failureRedirect: config.hover.failureRedirect ?? '/',
          },
        }),
      ],
      controllers: [HomeController, SessionController, ConnectionController, JobsController, WebhooksController, ...(emulator ? [DevPanelController] : [])],
      providers,
    };
  }
}
