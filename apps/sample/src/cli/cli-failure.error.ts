import { CLI_EXIT_CODES, type CliExitCode } from './cli-exit-codes';

/**
 * How a command ends without success: a one-line message for stderr (never a token, code, secret or
 * key) and the exit code. Thrown from a command's `run`; `main.ts` prints it and sets the exit code.
 */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';

  /**
   * @param message one line, shown to the operator as is; `null` when it was already printed
   *   (commander's own usage errors)
   * @param exitCode see {@link CLI_EXIT_CODES}; default `FAILED` (1)
   */
  constructor(
    message: string | null,
    readonly exitCode: CliExitCode = CLI_EXIT_CODES.FAILED,
  ) {
    super(message ?? '(already reported)');
    this.silent = message === null;
  }

  /** True when the message was already printed and only the exit code remains to set. */
  readonly silent: boolean;
}
