import { hoverAuthOptionsFromEnv, type HoverAuthModuleOptions } from '@hover-auth/nestjs';
import { join } from 'node:path';

/** Settings of the sample app, read from the environment by {@link readSampleConfig}. */
export interface SampleConfig {
  port: number;
  database: { type: 'better-sqlite3'; database: string } | { type: 'postgres'; url: string };
  /**
   * Module options from `HOVER_*` variables (see the README's Options table). Without `baseUrl` the
   * sample starts the in-process emulator; without `encryptionKeys` it uses the development key file.
   */
  hover: Partial<HoverAuthModuleOptions>;
  /** Signs the session cookie (`SESSION_SECRET`); unset → a random secret per start. */
  sessionSecret?: string;
}

/** Default SQLite file of the sample app (relative to the working directory). */
export const DEFAULT_SQLITE_FILE = join('data', 'sample.sqlite');

/**
 * Reads the sample's settings: `PORT` (default 3000), `DATABASE_URL` (`postgres://…` or `sqlite:<path>`;
 * unset → the SQLite file `data/sample.sqlite`), `SESSION_SECRET` (at least 32 characters; unset → random
 * per start) and every module option from `HOVER_` + its name in
 * upper snake case (`hoverAuthOptionsFromEnv`; e.g. `HOVER_REFRESH_MARGIN_SECONDS`). `HOVER_BASE_URL`
 * unset → the in-process emulator; set → `HOVER_CLIENT_ID`, `HOVER_CLIENT_SECRET` and
 * `HOVER_REDIRECT_URI` are required too.
 * @throws {Error} on an unusable `PORT`, an unsupported `DATABASE_URL` scheme, or any invalid or
 * unknown `HOVER_*` variable (a `HoverAuthConfigurationError` naming it; secrets are never echoed)
 */
export function readSampleConfig(env: NodeJS.ProcessEnv): SampleConfig {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  // 0 (a random port) is refused: the redirect URI registered with Hover names the port.
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`PORT must be a TCP port number 1-65535 (got "${env.PORT}").`);
  }
  const url = env.DATABASE_URL;
  let database: SampleConfig['database'];
  if (!url) {
    database = { type: 'better-sqlite3', database: DEFAULT_SQLITE_FILE };
  } else if (/^postgres(ql)?:\/\//.test(url)) {
    database = { type: 'postgres', url };
  } else if (url.startsWith('sqlite:')) {
    database = { type: 'better-sqlite3', database: url.slice('sqlite:'.length).replace(/^\/\//, '') };
  } else {
    throw new Error('DATABASE_URL must start with postgres:// (PostgreSQL) or sqlite: (a SQLite file path); leave it unset for data/sample.sqlite.');
  }
  if (env.HOVER_TOKEN_ENCRYPTION_KEYS) {
    throw new Error('HOVER_TOKEN_ENCRYPTION_KEYS was renamed HOVER_ENCRYPTION_KEYS (HOVER_ + the option name encryptionKeys): rename the variable, the value stays the same.');
  }
  // partial: the in-process emulator and the development key fill what is unset.
  const hover = hoverAuthOptionsFromEnv(env, { partial: true });
  const hoverVariables = { HOVER_CLIENT_ID: hover.clientId, HOVER_CLIENT_SECRET: hover.clientSecret, HOVER_REDIRECT_URI: hover.redirectUri };
  const missing = Object.entries(hoverVariables).filter(([, value]) => !value).map(([name]) => name);
  if (hover.baseUrl && missing.length > 0) {
    throw new Error(
      `HOVER_BASE_URL is set, so the sample talks to that Hover and needs ${missing.join(', ')} too (from Hover's Settings → Developer → integration page). Unset HOVER_BASE_URL to use the built-in emulator.`,
    );
  }
  const sessionSecret = env.SESSION_SECRET || undefined;
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    throw new Error('SESSION_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`); leave it unset for a random one per start.');
  }
  return { port, database, hover, ...(sessionSecret ? { sessionSecret } : {}) };
}
