import { type DynamicModule, Module } from '@nestjs/common';
import { hoverInfrastructure } from '../hover-infrastructure';
import type { SampleConfig } from '../sample-config';
import { CLI_SETTINGS, type CliSettings } from './cli-settings';
import { ConnectCommand } from './connect.command';
import { DisconnectCommand } from './disconnect.command';
import { ListCommand } from './list.command';
import { ReencryptCommand } from './reencrypt.command';
import { StatusCommand } from './status.command';

/** The sample's command-line tool: the web app's infrastructure without its routes, and the commands. */
@Module({})
export class CliModule {
  /**
   * @param config settings from `readCliConfig` (placeholders and key filled in)
   * @param settings what `connect` needs to know about the configuration
   */
  static forRoot(config: SampleConfig, settings: CliSettings): DynamicModule {
    return {
      module: CliModule,
      imports: [...hoverInfrastructure(config, { mountController: false, databaseRetryAttempts: 0 })],
      providers: [{ provide: CLI_SETTINGS, useValue: settings }, ConnectCommand, StatusCommand, ListCommand, DisconnectCommand, ReencryptCommand],
    };
  }
}
