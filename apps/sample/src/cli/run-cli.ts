import { HoverAuthConfigurationError, HoverAuthException } from '@hover-auth/nestjs';
import { CommandFactory, CommandRunnerService } from 'nest-commander';
import { commanderExit } from './cli-command';
import { CLI_EXIT_CODES, type CliExitCode } from './cli-exit-codes';
import { CliFailure } from './cli-failure.error';
import { CliLogger } from './cli-logger';
import { printError } from './cli-output';
import { readCliConfig, type CliConfig } from './cli-settings';
import { DEVELOPMENT_KEY_FILE } from '../development-encryption-key';
import { CliModule } from './cli.module';

/**
 * Runs one command of the sample's command-line tool and reports how it ended: the result on stdout,
 * a one-line reason on stderr, the exit code returned (see {@link CLI_EXIT_CODES}). Configuration is the
 * sample app's (see `readCliConfig`); a configuration error ends with 2 before anything starts.
 * @param args the command and its arguments, e.g. `['status', 'default']`
 * @returns the exit code for `process.exitCode`
 */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliExitCode> {
  let cli: CliConfig;
  try {
    cli = readCliConfig(env);
  } catch (error) {
    return report(error, CLI_EXIT_CODES.USAGE);
  }
  if (cli.developmentKeyCreated) {
    printError(`warning: HOVER_ENCRYPTION_KEYS is unset: created a development key in ${DEVELOPMENT_KEY_FILE} (never use it in production).`);
  }
  let failure: unknown = null;
  try {
    const app = await CommandFactory.createWithoutRunning(CliModule.forRoot(cli.config, cli.settings), {
      logger: new CliLogger(),
      // Bootstrap errors (options, database) are thrown back here instead of ending the process.
      abortOnError: false,
      errorHandler: commanderExit,
      serviceErrorHandler: (error) => {
        failure = error;
      },
    });
    try {
      // commander reads argv after the node binary and the script name (shown in usage lines).
      await app.get(CommandRunnerService).run([process.execPath, 'npm run cli --', ...args]);
    } finally {
      await app.close();
    }
  } catch (error) {
    failure ??= error;
  }
  return failure === null ? CLI_EXIT_CODES.OK : report(failure, CLI_EXIT_CODES.FAILED);
}

/** Prints one line for `error` (never a stack) and chooses its exit code. */
function report(error: unknown, fallback: CliExitCode): CliExitCode {
  if (error instanceof CliFailure) {
    if (!error.silent) printError(error.message);
    return error.exitCode;
  }
  if (error instanceof HoverAuthConfigurationError) {
    printError(error.message);
    return CLI_EXIT_CODES.USAGE;
  }
  if (error instanceof HoverAuthException) {
    printError(`${error.code}: ${error.message}`);
    return fallback;
  }
  if (!(error instanceof Error)) printError(String(error));
  else printError(error.name === 'Error' ? error.message : `${error.name}: ${error.message}`);
  return fallback;
}
