import { readCallbackAnswer } from './callback-answer';
import { CLI_EXIT_CODES } from './cli-exit-codes';
import { CliFailure } from './cli-failure.error';

const STATE = 'state-of-this-run_0123456789';

/** The refusal `readCallbackAnswer` throws, or fails the test. */
function refusal(line: string): CliFailure {
  try {
    readCallbackAnswer(line, STATE);
  } catch (error) {
    expect(error).toBeInstanceOf(CliFailure);
    expect((error as CliFailure).exitCode).toBe(CLI_EXIT_CODES.FAILED);
    return error as CliFailure;
  }
  throw new Error(`accepted ${JSON.stringify(line)}`);
}

describe('readCallbackAnswer', () => {
  it('reads the address Hover redirected to (https://hover.to/?code=…&state=…), with or without its scheme', () => {
    for (const line of [`https://hover.to/?code=abc-123&state=${STATE}`, `  hover.to/?state=${STATE}&code=abc-123\r`]) {
      expect(readCallbackAnswer(line, STATE)).toEqual({ query: { state: STATE, code: 'abc-123' }, errorDescription: null });
    }
  });

  it('passes iss through and reads just a code with the state of this run', () => {
    expect(readCallbackAnswer(`https://app.example/cb?code=c&state=${STATE}&iss=https%3A%2F%2Fhover.to`, STATE).query).toEqual({ state: STATE, code: 'c', iss: 'https://hover.to' });
    expect(readCallbackAnswer('Zm9v_bar-42', STATE)).toEqual({ query: { state: STATE, code: 'Zm9v_bar-42' }, errorDescription: null });
  });

  it('reads an error (Deny) with a short printable description and drops any code', () => {
    const answer = readCallbackAnswer(`https://hover.to/?error=access_denied&error_description=The+user+denied%0A%1B[31m${'x'.repeat(200)}&code=c&state=${STATE}`, STATE);
    expect(answer.query).toEqual({ state: STATE, error: 'access_denied' });
    expect(answer.errorDescription).toMatch(/^The user denied\[31mx+\.\.\.$/);
    expect(answer.errorDescription?.length).toBe(103);
  });

  it.each([
    ['an empty line', '   ', /^No answer/],
    ['text with spaces', 'not an address at all', /^Could not read the answer/],
    ['non-ASCII text', 'cødé', /^Could not read the answer/],
    ['an unparsable address', 'https://[::1/?code=c', /^Could not read the answer as an address/],
    ['another authorization’s state', 'https://hover.to/?code=c&state=other', /^The state does not match the authorization this command started/],
    ['no state', 'https://hover.to/?code=c', /^The address has no state parameter/],
    ['no code (the authorize address itself)', `https://hover.to/oauth/authorize?client_id=x&state=${STATE}`, /^The address has no code/],
    ['a repeated code', `https://hover.to/?code=a&code=b&state=${STATE}`, /^The address repeats the code parameter/],
    ['an address without query', 'https://hover.to', /^The address has no state parameter/],
    ['a line over 4096 characters', 'c'.repeat(4097), /^The answer is longer than 4096 characters/],
  ])('refuses %s, without echoing it', (_name, line, message) => {
    const error = refusal(line);
    expect(error.message).toMatch(message);
    if (line.trim().length > 3) expect(error.message).not.toContain(line.trim());
  });
});
