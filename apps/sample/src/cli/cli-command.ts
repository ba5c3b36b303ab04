import { CommandRunner } from 'nest-commander';
import { CLI_EXIT_CODES } from './cli-exit-codes';
import { CliFailure } from './cli-failure.error';

/** The commander `Command` nest-commander builds for each command (its types come from nest-commander's copy of commander). */
type CommanderCommand = Parameters<CommandRunner['setCommand']>[0];

/**
 * Base of the tool's commands: commander's own usage errors (unknown option, too many arguments) end
 * the command with exit 2 through {@link commanderExit} instead of `process.exit`, so the database
 * connection is closed; surplus arguments are refused.
 */
export abstract class CliCommand extends CommandRunner {
  override setCommand(command: CommanderCommand): this {
    command.exitOverride(commanderExit).allowExcessArguments(false);
    return super.setCommand(command);
  }
}

/**
 * Where commander would call `process.exit`: after it printed its one-line usage error (or the help
 * asked for), end with exit 2 (or 0 for `--help`). Thrown, as commander expects of an exit override.
 */
export function commanderExit(error: Error & { exitCode?: number }): never {
  throw new CliFailure(null, error.exitCode === 0 ? CLI_EXIT_CODES.OK : CLI_EXIT_CODES.USAGE);
}
