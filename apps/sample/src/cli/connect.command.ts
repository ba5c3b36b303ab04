import {
  DEFAULT_CONNECTION_ID,
  HoverAuthorizationFlowService,
  HoverInvalidCallbackException,
  type HoverAuthorizationFailureReason,
  type HoverAuthorizationResult,
  type HoverAuthorizationStart,
  type HoverCallbackErrorCode,
} from '@hover-auth/nestjs';
import { Inject } from '@nestjs/common';
import { Command, Option } from 'nest-commander';
import { readCallbackAnswer, MAX_ANSWER_LENGTH, type CallbackAnswer } from './callback-answer';
import { CliCommand } from './cli-command';
import { CLI_EXIT_CODES } from './cli-exit-codes';
import { CliFailure } from './cli-failure.error';
import { describeOrg, printable, printLine } from './cli-output';
import { CLI_SETTINGS, type CliSettings } from './cli-settings';
import { connectionIdArgument } from './connection-id-argument';
import { readLine } from './read-line';

/** How long the pasted answer is awaited: the lifetime of the flow `start()` seals (600 s). */
const ANSWER_TIMEOUT_MS = 600_000;

interface ConnectOptions {
  connection?: string;
}

/**
 * `connect [--connection <id>]`: Hover's authorization code flow for an operator without a web
 * route, e.g. with the redirect URI `https://hover.to` Hover suggests for testing. Starts the flow with
 * `HoverAuthorizationFlowService.start` (state and PKCE exactly as the browser flow), prints the
 * authorize address, reads ONE line from stdin (the address Hover redirected to, or just its code),
 * checks it, and finishes with `complete()`, which exchanges the code and stores the connection.
 *
 * Needs HOVER_BASE_URL, HOVER_CLIENT_ID, HOVER_CLIENT_SECRET and HOVER_REDIRECT_URI. Prints the
 * connection on success, never a token or the code.
 *
 * Exit codes: 0 connected; 1 refused before asking Hover (no answer, unreadable answer, state of
 * another authorization, no code, Deny or another `error=`, flow expired or used) or a reconnect to a
 * different org refused by `reconnectToDifferentOrg`; 2 missing settings, invalid `--connection`, or
 * Hover refused the client credentials; 3 Hover refused the code or could not be reached. Nothing is
 * stored unless the exit code is 0.
 */
@Command({
  name: 'connect',
  description: 'Connect to Hover by hand: open the printed address, click Allow, paste the address Hover redirected to (or its code)',
})
export class ConnectCommand extends CliCommand {
  constructor(
    private readonly flow: HoverAuthorizationFlowService,
    @Inject(CLI_SETTINGS) private readonly settings: CliSettings,
  ) {
    super();
  }

  /** `--connection <id>`: the connection id to store the grant under (1–191 characters). Default `default`. */
  @Option({ flags: '-c, --connection <id>', description: `connection id to store the grant under (default "${DEFAULT_CONNECTION_ID}")` })
  parseConnection(value: string): string {
    return connectionIdArgument(value, 'connect --connection <id>');
  }

  async run(_arguments: string[], options: ConnectOptions = {}): Promise<void> {
    this.assertHoverSettings();
    const connectionId = options.connection ?? DEFAULT_CONNECTION_ID;
    const start = await this.flow.start({ headers: {} }, { connectionId });
    const state = new URL(start.authorizationUrl).searchParams.get('state') as string;
    askForAnswer(start);
    const answer = readCallbackAnswer(await readLine(process.stdin, { maxLength: MAX_ANSWER_LENGTH, timeoutMs: ANSWER_TIMEOUT_MS }), state);
    const result = await this.complete(answer, start);
    if (result.outcome === 'failed') throw failure(result.reason, answer);
    const { connection } = result;
    printLine(
      `Connected ${printable(connectionId)} to Hover org ${describeOrg(connection.hoverOrgName, connection.hoverOrgId)}; access token expires ${connection.accessTokenExpiresAt.toISOString()}`,
    );
    if (result.previousHoverOrgId !== null) {
      process.stderr.write(`warning: this replaced the connection's previous Hover org (${printable(result.previousHoverOrgId)}).\n`);
    }
  }

  private assertHoverSettings(): void {
    const missing = this.settings.missingForConnect;
    if (missing.length === 0) return;
    throw new CliFailure(
      `connect talks to Hover: set ${missing.join(', ')} (your Hover integration's values, e.g. HOVER_BASE_URL=https://hover.to and the redirect URI registered there, such as https://hover.to).`,
      CLI_EXIT_CODES.USAGE,
    );
  }

  /** `complete()` with the flow cookie a browser would send back, so the browser binding is checked as usual. */
  private async complete(answer: CallbackAnswer, start: HoverAuthorizationStart): Promise<HoverAuthorizationResult> {
    try {
      return await this.flow.complete(answer.query, { headers: { cookie: `${start.cookie.name}=${start.cookie.value}` } });
    } catch (error) {
      if (error instanceof HoverInvalidCallbackException) throw new CliFailure(CALLBACK_REFUSALS[error.code], CLI_EXIT_CODES.FAILED);
      throw error;
    }
  }
}

/** The instructions, then the authorize address alone on its line (easy to select). */
function askForAnswer(start: HoverAuthorizationStart): void {
  printLine('Open this address in a browser signed in to Hover and click Allow:');
  printLine();
  printLine(start.authorizationUrl);
  printLine();
  printLine('Then paste the address Hover redirected your browser to (or just the code in it) and press Enter:');
}

/** Why `complete()` refused the callback, in the operator's terms (its messages speak of browsers and routes). */
const CALLBACK_REFUSALS: Record<HoverCallbackErrorCode, string> = {
  HOVER_INVALID_STATE: 'The authorization expired (10 minutes) or was already used: run connect again.',
  HOVER_STATE_BROWSER_MISMATCH: 'The authorization started by this command could not be found again: run connect again.',
  HOVER_ISSUER_MISMATCH: 'The answer names another authorization server (iss differs from HOVER_ISSUER): nothing was stored.',
  HOVER_INVALID_CALLBACK: 'The code or error in the answer is malformed (too long, or not printable ASCII): paste the address exactly as the browser shows it.',
};

/** The one-line reason and exit code of a `failed` outcome (nothing was stored). */
function failure(reason: HoverAuthorizationFailureReason, answer: CallbackAnswer): CliFailure {
  switch (reason) {
    case 'token_exchange_failed':
      return new CliFailure('Hover refused the authorization code (token_exchange_failed): it expired or was used already; run connect again.', CLI_EXIT_CODES.HOVER_FAILED);
    case 'hover_unavailable':
      return new CliFailure('Hover could not be reached to exchange the code or read the profile (hover_unavailable): try again.', CLI_EXIT_CODES.HOVER_FAILED);
    case 'configuration_error':
      return new CliFailure('Hover refused the client credentials (configuration_error): check HOVER_CLIENT_ID and HOVER_CLIENT_SECRET.', CLI_EXIT_CODES.USAGE);
    case 'different_org':
      return new CliFailure(
        'Hover authorized another org than the one stored for this connection, and reconnectToDifferentOrg is "refuse": the stored connection is kept (different_org).',
        CLI_EXIT_CODES.FAILED,
      );
    default:
      // An RFC 6749 §4.1.2.1 code (the user clicked Deny: access_denied), or authorization_failed.
      return new CliFailure(`Hover refused: ${reason}${answer.errorDescription ? ` ("${answer.errorDescription}")` : ''}`, CLI_EXIT_CODES.FAILED);
  }
}
