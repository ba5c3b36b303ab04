/**
 * Kept for scripts that run this file directly: the same as `npm run cli -- reencrypt` (re-encrypts every
 * stored Hover token with the newest key of HOVER_ENCRYPTION_KEYS; see `cli/reencrypt.command.ts`).
 * `npm run tokens:reencrypt` runs the CLI's command.
 */
import 'reflect-metadata';
import { runCli } from './cli/run-cli';

runCli(['reencrypt']).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  () => {
    process.exitCode = 1;
  },
);
