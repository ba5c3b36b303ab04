/**
 * Why `completeConsent` could not complete the consent flow. Stable values: switch on them, the
 * messages may be reworded.
 * - `'app-unreachable'`: the request to your app failed at the network level (not listening?).
 * - `'emulator-unreachable'`: the emulator did not answer (not started, or stopped?).
 * - `'authorize-not-redirected'`: your authorize route answered without a redirect (behind an auth
 *   guard? a 500?).
 * - `'redirected-elsewhere'`: your authorize route redirected, but not to this emulator's
 *   `/oauth/authorize` (your app's Hover base URL is not the emulator's, or a login redirect).
 * - `'authorization-request-rejected'`: the emulator showed an error page or redirected back with an
 *   OAuth error before the consent form (unknown client_id, unregistered redirect_uri,
 *   `response_type` other than `code`, a bad PKCE method).
 * - `'no-signed-in-user'`: the emulator has no user to act as (`seedDefaults: false` and nothing seeded).
 * - `'integrations-unavailable'`: the signed-in user's org has no integrations on its plan; the
 *   consent page offers no Allow button (fault `consentWithoutIntegrations: 'block'`).
 * - `'unexpected-consent-answer'`: the consent page or the decision answered something the emulator
 *   never sends for a valid request.
 * - `'emulator-redirected-with-error'`: after Allow, the emulator redirected with `error=` instead of a `code`.
 */
export type ConsentFlowFailure =
  | 'app-unreachable'
  | 'emulator-unreachable'
  | 'authorize-not-redirected'
  | 'redirected-elsewhere'
  | 'authorization-request-rejected'
  | 'no-signed-in-user'
  | 'integrations-unavailable'
  | 'unexpected-consent-answer'
  | 'emulator-redirected-with-error';

/**
 * Thrown by `completeConsent` when the flow cannot reach your app's callback. The message says what
 * happened and what to change; it never contains an authorization code, a token, a `state` value or
 * a client secret (URLs are shown without their query).
 */
export class ConsentFlowError extends Error {
  override readonly name = 'ConsentFlowError';

  /**
   * @param reason stable machine-readable cause, see `ConsentFlowFailure`
   * @param message what happened and how to fix it
   * @param status HTTP status of the answer that stopped the flow, when there was one
   */
  constructor(
    readonly reason: ConsentFlowFailure,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
