import { type DynamicModule, Module } from '@nestjs/common';
import { HomeController } from './home.controller';
import { JobsController } from './jobs.controller';
import { hoverInfrastructure } from './hover-infrastructure';
import type { SampleConfig } from './sample-config';

/** The sample app: Hover connection flow, a home page, and a guarded jobs list. */
@Module({})
export class AppModule {
  /** @param config settings from {@link readSampleConfig}, with the emulator's values filled in when it runs */
  static forRoot(config: SampleConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...hoverInfrastructure(config, {
          mountController: true,
          options: { successRedirect: config.hover.successRedirect ?? '/?connected=1', failureRedirect: config.hover.failureRedirect ?? '/' },
        }),
      ],
      controllers: [HomeController, JobsController],
    };
  }
}
