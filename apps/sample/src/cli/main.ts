/**
 * The sample's command-line tool: `npm run cli -- <command> [arguments]`. Commands: `connect`,
 * `status`, `list`, `disconnect`, `reencrypt` (see README-section.md and `--help`). Configured like the
 * sample app (DATABASE_URL, HOVER_*). Exit codes: 0 done, 1 refused or failed, 2 usage or
 * configuration, 3 Hover refused the code or was unreachable (`connect`).
 */
import 'reflect-metadata';
import { runCli } from './run-cli';

runCli(process.argv.slice(2)).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.name : 'Error'}: the command-line tool failed unexpectedly.\n`);
    process.exitCode = 1;
  },
);
