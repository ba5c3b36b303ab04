import type { HoverEncryptionKeyOption } from '@hover-auth/nestjs';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the sample keeps its development key when HOVER_ENCRYPTION_KEYS is unset. */
export const DEVELOPMENT_KEY_FILE = join('data', 'dev-token-encryption-key.json');

/**
 * The sample's development token-encryption key: read from {@link DEVELOPMENT_KEY_FILE}, or created
 * there (mode 0600) on first run. For local development only: production keys belong in a secret store
 * and reach the app through HOVER_ENCRYPTION_KEYS.
 * @returns the key, and whether it was just created
 */
export function loadOrCreateDevelopmentKey(file = DEVELOPMENT_KEY_FILE): { key: HoverEncryptionKeyOption; created: boolean } {
  if (existsSync(file)) {
    return { key: JSON.parse(readFileSync(file, 'utf8')) as HoverEncryptionKeyOption, created: false };
  }
  const key = { id: `dev-${new Date().toISOString().slice(0, 10)}`, key: randomBytes(32).toString('base64') };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(key), { mode: 0o600, flag: 'wx' });
  return { key, created: true };
}
