import { CLI_EXIT_CODES } from './cli-exit-codes';
import { CliFailure } from './cli-failure.error';

/** What the operator pasted, as the callback query `HoverAuthorizationFlowService.complete` takes. */
export interface CallbackAnswer {
  /** `state` with `code` (and `iss` when present), or `state` with `error`. */
  query: Record<string, string>;
  /** Hover's `error_description`, printable ASCII only and at most 100 characters; `null` if none. */
  errorDescription: string | null;
}

/** Longest line accepted (a redirect URL with a 2048-character code and a 128-character state fits). */
export const MAX_ANSWER_LENGTH = 4096;

/** The parameters Hover's redirect carries (RFC 6749 §4.1.2, RFC 9207 `iss`). */
const CALLBACK_PARAMETERS = ['state', 'code', 'error', 'iss', 'error_description'] as const;

/** An absolute URL's beginning, e.g. `https://`. */
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

const refuse = (message: string) => new CliFailure(message, CLI_EXIT_CODES.FAILED);

/**
 * Reads the operator's answer to `connect`: the address Hover redirected the browser to (with
 * `?code=…&state=…`, or `?error=…&state=…` after Deny), with or without its scheme, or just the code
 * (one token of printable ASCII; the state is then the one this run generated).
 * @param line the pasted line, untrimmed
 * @param expectedState the `state` of the authorization this run started
 * @throws {CliFailure} exit 1 for an empty or unreadable answer, a `state` other than `expectedState`
 *   (or none), repeated parameters, or an address with neither `code` nor `error`; messages never echo
 *   the pasted text
 */
export function readCallbackAnswer(line: string, expectedState: string): CallbackAnswer {
  const answer = line.trim();
  if (answer.length === 0) {
    throw refuse('No answer: paste the address Hover redirected your browser to (or just its code) and press Enter.');
  }
  if (answer.length > MAX_ANSWER_LENGTH) throw refuse(`The answer is longer than ${MAX_ANSWER_LENGTH} characters: paste only the address Hover redirected to.`);
  if (/\s/.test(answer) || !/^[\x21-\x7e]+$/.test(answer)) {
    throw refuse('Could not read the answer: paste the address Hover redirected to (it holds ?code=...&state=...), or just the code.');
  }
  if (!answer.includes('?') && !SCHEME.test(answer)) {
    // Just the code, as Hover's guide shows it in the address bar of https://hover.to.
    return { query: { state: expectedState, code: answer }, errorDescription: null };
  }
  return fromAddress(answer, expectedState);
}

function fromAddress(answer: string, expectedState: string): CallbackAnswer {
  let url: URL;
  try {
    url = new URL(SCHEME.test(answer) ? answer : `https://${answer}`);
  } catch {
    throw refuse('Could not read the answer as an address: paste it exactly as the browser shows it, or just the code.');
  }
  const query: Record<string, string> = {};
  for (const name of CALLBACK_PARAMETERS) {
    const values = url.searchParams.getAll(name);
    if (values.length > 1) throw refuse(`The address repeats the ${name} parameter: paste it exactly as the browser shows it.`);
    if (values.length === 1) query[name] = values[0];
  }
  if (query.state === undefined) {
    throw refuse('The address has no state parameter: paste the whole address Hover redirected to.');
  }
  if (query.state !== expectedState) {
    throw refuse('The state does not match the authorization this command started: paste the address from this run (after its Allow), not from another.');
  }
  if (query.error === undefined && query.code === undefined) {
    throw refuse('The address has no code: paste the address Hover redirected to after you clicked Allow (not the authorize address).');
  }
  const description = query.error_description;
  delete query.error_description;
  if (query.error !== undefined) delete query.code;
  return { query, errorDescription: description === undefined ? null : shortDescription(description) };
}

/** Hover's `error_description` reduced to printable ASCII and 100 characters: it is text from a URL. */
function shortDescription(text: string): string | null {
  const printable = text.replace(/[^\x20-\x7e]/g, '').trim();
  if (printable.length === 0) return null;
  return printable.length > 100 ? `${printable.slice(0, 100)}...` : printable;
}
