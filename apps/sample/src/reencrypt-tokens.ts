/**
 * Re-encrypts every stored Hover token with the newest key of HOVER_ENCRYPTION_KEYS (key
 * rotation): `npm run tokens:reencrypt`. Uses the sample's database settings (DATABASE_URL, or the
 * SQLite file) and its development key file when HOVER_ENCRYPTION_KEYS is unset. Prints counts
 * only, never a token or a key.
 */
import 'reflect-metadata';
import { HoverConnectionsService } from '@hover-auth/nestjs';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { loadOrCreateDevelopmentKey } from './development-encryption-key';
import { readSampleConfig } from './sample-config';

async function main(): Promise<void> {
  const config = readSampleConfig(process.env);
  const encryptionKeys = config.hover.encryptionKeys ?? [loadOrCreateDevelopmentKey().key];
  config.hover = {
    ...config.hover,
    // The command talks to no Hover: placeholders satisfy the module's validation.
    clientId: config.hover.clientId ?? 'reencrypt-command',
    clientSecret: config.hover.clientSecret ?? 'reencrypt-command',
    redirectUri: config.hover.redirectUri ?? 'http://localhost/hover/callback',
    baseUrl: config.hover.baseUrl ?? 'http://127.0.0.1:9',
    encryptionKeys,
  };
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const result = await app.get(HoverConnectionsService).reencryptAll();
    console.log(`Re-encrypted ${result.reencrypted} of ${result.rows} Hover connections with key "${encryptionKeys[0].id}".`);
    if (result.failed.length > 0) {
      console.error(`Could not decrypt (left unchanged; keep their key until fixed): ${result.failed.join(', ')}`);
    }
    if (result.skipped.length > 0) {
      console.error(`Busy refreshing (left unchanged; run the command again): ${result.skipped.join(', ')}`);
    }
    if (result.failed.length + result.skipped.length > 0) process.exitCode = 1;
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
