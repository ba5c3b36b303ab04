#!/usr/bin/env node
/**
 * The `hover-emulator` command: a standalone Hover emulator on 127.0.0.1, for development and for
 * tests that run it in another process. `--port N` (or `HOVER_EMULATOR_PORT`; default 4010, 0 = a
 * free port), `--help`. Prints the base URL and the seeded demo client. Stops cleanly on
 * SIGINT/SIGTERM. Exit codes: 0 stopped by a signal or `--help`, 1 could not start (e.g. port in
 * use), 2 bad command line.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_EMULATOR_CLIENT } from './hover-emulator.constants';
import { HoverEmulator } from './hover-emulator';

const DEFAULT_PORT = 4010;

const USAGE = `Usage: hover-emulator [--port N]

A local Hover (hover.to) for development and tests: Doorkeeper-like OAuth 2.0 server
(/oauth/authorize, /oauth/token, /oauth/revoke), a REST API subset (/api/v2, /api/v3) and a
control surface (/__emulator). Listens on 127.0.0.1 only; state is in memory.

Options:
  -p, --port N   TCP port on 127.0.0.1, 0-65535; 0 = a free port chosen by the OS.
                 Default: $HOVER_EMULATOR_PORT, else ${DEFAULT_PORT}.
  -h, --help     Show this help and exit.

Stop it with Ctrl+C (SIGINT) or SIGTERM.`;

/** A command-line mistake: reported with the usage hint and exit code 2. */
class UsageError extends Error {}

function readPort(argv: string[]): number | 'help' {
  let values: { port?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: 'string', short: 'p' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const [raw, source] = values.port !== undefined ? [values.port, '--port'] : [process.env.HOVER_EMULATOR_PORT, 'HOVER_EMULATOR_PORT'];
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(port) || port > 65535) throw new UsageError(`${source} must be a TCP port 0-65535, got "${raw}".`);
  return port;
}

async function serve(port: number): Promise<void> {
  const emulator = new HoverEmulator({ logger: (line) => console.log(`[hover-emulator] ${line}`) });
  const baseUrl = await emulator.start(port);
  console.log(`[hover-emulator] Hover emulator ready at ${baseUrl}`);
  console.log(`[hover-emulator]   authorize:  ${baseUrl}/oauth/authorize   token: ${baseUrl}/oauth/token   api: ${baseUrl}/api`);
  console.log(`[hover-emulator]   control:    ${baseUrl}/__emulator/{reset,faults,stats,expire-tokens,...}`);
  console.log(`[hover-emulator]   client_id:     ${DEFAULT_EMULATOR_CLIENT.clientId}`);
  console.log(`[hover-emulator]   client_secret: ${DEFAULT_EMULATOR_CLIENT.clientSecret}  (fake emulator-only value, not a Hover secret)`);
  console.log(`[hover-emulator]   redirect URIs: ${DEFAULT_EMULATOR_CLIENT.redirectUris.join(', ')}`);
  console.log('[hover-emulator]   signed in as user 1 (org 1 "Acme Roofing", integrations); org 2 "Budget Gutters" has none;');
  console.log('[hover-emulator]   user 3 (org 3 "Coastal Claims", integrations): pick "Not you?" on the consent page, per browser');

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

async function main(): Promise<void> {
  const port = readPort(process.argv.slice(2));
  if (port === 'help') {
    console.log(USAGE);
    return;
  }
  await serve(port);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`hover-emulator: ${error.message}\nRun "hover-emulator --help" for usage.`);
    process.exit(2);
  }
  console.error(`[hover-emulator] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
