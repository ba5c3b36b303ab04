import type { HoverEncryptionKeyOption, HoverTokenRequestEncoding } from '@hover-auth/nestjs';
import { join } from 'node:path';

/** Settings of the sample app, read from the environment by {@link readSampleConfig}. */
export interface SampleConfig {
  port: number;
  database: { type: 'better-sqlite3'; database: string } | { type: 'postgres'; url: string };
  /** `undefined` means: start the in-process Hover emulator. */
  hover: {
    clientId?: string;
    clientSecret?: string;
    redirectUri?: string;
    baseUrl?: string;
    tokenRequestEncoding?: HoverTokenRequestEncoding;
    /** Expected `iss` on callbacks (RFC 9207), from HOVER_ISSUER. */
    issuer?: string;
    /** `undefined` means: use (or create) the development key file. */
    encryptionKeys?: HoverEncryptionKeyOption[];
  };
}

/** Default SQLite file of the sample app (relative to the working directory). */
export const DEFAULT_SQLITE_FILE = join('data', 'sample.sqlite');

/**
 * Reads the sample's settings: `PORT` (default 3000), `DATABASE_URL` (`postgres://…`; unset → the
 * SQLite file `data/sample.sqlite`), `HOVER_CLIENT_ID`, `HOVER_CLIENT_SECRET`, `HOVER_REDIRECT_URI`,
 * `HOVER_BASE_URL` (unset → the in-process emulator), `HOVER_TOKEN_REQUEST_ENCODING` (`json`, `form`,
 * `multipart`), `HOVER_ISSUER` (expected RFC 9207 `iss`), `HOVER_TOKEN_ENCRYPTION_KEYS` (`id:base64key[,id:base64key…]`, newest first; unset →
 * a development key file).
 * @throws {Error} on an unusable `PORT`, an unsupported `DATABASE_URL` scheme, an unknown
 * `HOVER_TOKEN_REQUEST_ENCODING` or a malformed `HOVER_TOKEN_ENCRYPTION_KEYS` (never echoed)
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
  const hoverVariables = ['HOVER_CLIENT_ID', 'HOVER_CLIENT_SECRET', 'HOVER_REDIRECT_URI'] as const;
  const missing = hoverVariables.filter((name) => !env[name]);
  if (env.HOVER_BASE_URL && missing.length > 0) {
    throw new Error(
      `HOVER_BASE_URL is set, so the sample talks to that Hover and needs ${missing.join(', ')} too (from Hover's Settings → Developer → integration page). Unset HOVER_BASE_URL to use the built-in emulator.`,
    );
  }
  const encoding = env.HOVER_TOKEN_REQUEST_ENCODING || undefined;
  if (encoding !== undefined && !['json', 'form', 'multipart'].includes(encoding)) {
    throw new Error(`HOVER_TOKEN_REQUEST_ENCODING must be json, form or multipart (got "${encoding.slice(0, 20)}").`);
  }
  return {
    port,
    database,
    hover: {
      clientId: env.HOVER_CLIENT_ID || undefined,
      clientSecret: env.HOVER_CLIENT_SECRET || undefined,
      redirectUri: env.HOVER_REDIRECT_URI || undefined,
      baseUrl: env.HOVER_BASE_URL || undefined,
      tokenRequestEncoding: encoding as HoverTokenRequestEncoding | undefined,
      issuer: env.HOVER_ISSUER || undefined,
      encryptionKeys: env.HOVER_TOKEN_ENCRYPTION_KEYS ? parseEncryptionKeys(env.HOVER_TOKEN_ENCRYPTION_KEYS) : undefined,
    },
  };
}

/** `id:key,id:key` → entries (the library validates each key). Never echoes the value. */
function parseEncryptionKeys(text: string): HoverEncryptionKeyOption[] {
  return text.split(',').map((entry) => {
    const separator = entry.indexOf(':');
    if (separator <= 0) {
      throw new Error('HOVER_TOKEN_ENCRYPTION_KEYS must be a comma-separated list of id:base64key, newest first (e.g. 2026-01:<32 random bytes in base64>).');
    }
    return { id: entry.slice(0, separator).trim(), key: entry.slice(separator + 1).trim() };
  });
}
