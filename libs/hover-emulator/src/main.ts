#!/usr/bin/env node
/**
 * Standalone emulator: `npm run emulator`. Reads `HOVER_EMULATOR_PORT` (default 4010), binds
 * 127.0.0.1, prints the base URL and the seeded demo client. Stops cleanly on SIGINT/SIGTERM.
 */
import { DEFAULT_EMULATOR_CLIENT } from './hover-emulator.constants';
import { HoverEmulator } from './hover-emulator';

async function main(): Promise<void> {
  const rawPort = process.env.HOVER_EMULATOR_PORT ?? '4010';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`HOVER_EMULATOR_PORT must be a TCP port 0-65535, got "${rawPort}".`);
  }
  const emulator = new HoverEmulator({ logger: (line) => console.log(`[hover-emulator] ${line}`) });
  const baseUrl = await emulator.start(port);
  console.log(`[hover-emulator] Hover emulator ready at ${baseUrl}`);
  console.log(`[hover-emulator]   authorize:  ${baseUrl}/oauth/authorize   token: ${baseUrl}/oauth/token   api: ${baseUrl}/api`);
  console.log(`[hover-emulator]   control:    ${baseUrl}/__emulator/{reset,faults,stats,expire-tokens,...}`);
  console.log(`[hover-emulator]   client_id:     ${DEFAULT_EMULATOR_CLIENT.clientId}`);
  console.log(`[hover-emulator]   client_secret: ${DEFAULT_EMULATOR_CLIENT.clientSecret}  (fake emulator-only value, not a Hover secret)`);
  console.log(`[hover-emulator]   redirect URIs: ${DEFAULT_EMULATOR_CLIENT.redirectUris.join(', ')}`);
  console.log('[hover-emulator]   signed in as user 1 (org 1 "Acme Roofing", integrations); org 2 "Budget Gutters" has none');

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`[hover-emulator] ${signal} received, stopping`);
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`[hover-emulator] failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
