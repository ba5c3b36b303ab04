import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadOrCreateDevelopmentKey } from '../development-encryption-key';
import { readSampleConfig, type SampleConfig } from '../sample-config';

/** What the commands know about the configuration beyond the module options (DI token {@link CLI_SETTINGS}). */
export interface CliSettings {
  /**
   * The `HOVER_*` variables `connect` needs that are unset. The other commands talk to no Hover, so
   * placeholders stand in for them; `connect` refuses to start while this list is not empty.
   */
  missingForConnect: string[];
}

/** DI token of {@link CliSettings}. */
export const CLI_SETTINGS = Symbol('CLI_SETTINGS');

/** What {@link readCliConfig} returns. */
export interface CliConfig {
  /** The sample's settings, with placeholders and the key filled in: ready for `hoverInfrastructure`. */
  config: SampleConfig;
  settings: CliSettings;
  /** True when HOVER_ENCRYPTION_KEYS was unset and the development key file was created just now. */
  developmentKeyCreated: boolean;
}

/** Variables `connect` needs: it sends a browser to Hover and exchanges the code there. */
const CONNECT_VARIABLES = {
  HOVER_BASE_URL: 'baseUrl',
  HOVER_CLIENT_ID: 'clientId',
  HOVER_CLIENT_SECRET: 'clientSecret',
  HOVER_REDIRECT_URI: 'redirectUri',
} as const;

/**
 * Reads the CLI's configuration exactly as the sample app does (`readSampleConfig`: `DATABASE_URL`,
 * `PORT`, every `HOVER_*` module option), uses the development key file when HOVER_ENCRYPTION_KEYS is
 * unset, and fills placeholders for the Hover settings the offline commands do not use. Creates the
 * SQLite file's folder.
 * @throws {Error} what `readSampleConfig` throws (an invalid variable, named; secrets never echoed)
 */
export function readCliConfig(env: NodeJS.ProcessEnv): CliConfig {
  const config = readSampleConfig(env);
  const missingForConnect = Object.entries(CONNECT_VARIABLES)
    .filter(([, option]) => !config.hover[option])
    .map(([variable]) => variable);
  let developmentKeyCreated = false;
  if (!config.hover.encryptionKeys) {
    const development = loadOrCreateDevelopmentKey();
    config.hover.encryptionKeys = [development.key];
    developmentKeyCreated = development.created;
  }
  config.hover = {
    ...config.hover,
    // Placeholders that satisfy the module's validation; `connect` refuses to run on them.
    clientId: config.hover.clientId ?? 'hover-cli-offline',
    clientSecret: config.hover.clientSecret ?? 'hover-cli-offline',
    redirectUri: config.hover.redirectUri ?? 'http://localhost/hover/callback',
    baseUrl: config.hover.baseUrl ?? 'http://127.0.0.1:9',
  };
  if (config.database.type === 'better-sqlite3' && config.database.database !== ':memory:') {
    mkdirSync(dirname(config.database.database), { recursive: true });
  }
  return { config, settings: { missingForConnect }, developmentKeyCreated };
}
