/**
 * Exit codes of the sample's command-line tool (`npm run cli -- <command>`). Scripts can tell "refused
 * or nothing to do" from "misconfigured" from "Hover said no".
 */
export const CLI_EXIT_CODES = {
  /** The command did what it says. */
  OK: 0,
  /**
   * The command ran but did not succeed: `connect` refused the pasted answer (state mismatch, Deny,
   * no code, unreadable input, flow expired); no such connection (`status`, `disconnect`); `reencrypt`
   * left rows unchanged; an unexpected error (e.g. the database).
   */
  FAILED: 1,
  /** Usage or configuration: unknown command, missing or invalid argument, bad `HOVER_*`/`DATABASE_URL`/`PORT`. */
  USAGE: 2,
  /** `connect`: Hover refused the authorization code, or its token endpoint or profile could not be reached. */
  HOVER_FAILED: 3,
} as const;

/** One of {@link CLI_EXIT_CODES}. */
export type CliExitCode = (typeof CLI_EXIT_CODES)[keyof typeof CLI_EXIT_CODES];
