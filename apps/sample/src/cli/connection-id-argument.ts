import { CLI_EXIT_CODES } from './cli-exit-codes';
import { CliFailure } from './cli-failure.error';

/** Longest connection id hover-auth stores (its `connection_id` column; README "Your connections"). */
const MAX_CONNECTION_ID_LENGTH = 191;

/**
 * Checks a connection id given on the command line: 1–191 characters, none of them a control character
 * (the module accepts those, but a terminal cannot show them safely).
 * @param value the argument, or `undefined` when it was not given
 * @param what how the usage message names it, e.g. `disconnect <id>`
 * @throws {CliFailure} exit 2 (usage) when missing or invalid; the message never repeats the value
 */
export function connectionIdArgument(value: string | undefined, what: string): string {
  if (value === undefined) {
    throw new CliFailure(`Missing connection id: ${what}.`, CLI_EXIT_CODES.USAGE);
  }
  if (value.length === 0 || value.length > MAX_CONNECTION_ID_LENGTH || /[\u0000-\u001f\u007f-\u009f]/.test(value)) {
    throw new CliFailure(
      `Invalid connection id (${value.length} characters): it must be 1-${MAX_CONNECTION_ID_LENGTH} characters without control characters.`,
      CLI_EXIT_CODES.USAGE,
    );
  }
  return value;
}
