/**
 * Switches that make the emulator play each variant of Hover's OAuth server that the public
 * documentation leaves open (see /work/shared/hover-reference.md, "Unknowns only a live account can
 * settle"). Change them with `HoverEmulator.setFaults()` or `POST /__emulator/faults`; `reset()`
 * restores the defaults listed on each field.
 */
export interface HoverEmulatorFaults {
  /**
   * How a refresh rotates the refresh token (Doorkeeper modes (a) and (b) of the reference).
   * - `'revoke-on-refresh'` (default, mode a): the old refresh token and the old access token are
   *   revoked the moment the refresh succeeds; reusing the old refresh token gives `invalid_grant`.
   * - `'revoke-on-first-use'` (mode b, Doorkeeper `previous_refresh_token`): the old refresh token and
   *   old access token stay valid until the NEW access token is first used at `/api`, then both die.
   */
  rotation: 'revoke-on-refresh' | 'revoke-on-first-use';
  /**
   * HTTP status of `/oauth/token` errors.
   * - `'doorkeeper'` (default, Doorkeeper ≥ 5.1): 400 for `invalid_grant`, `invalid_request`,
   *   `unsupported_grant_type`; 401 (+ `WWW-Authenticate`) for `invalid_client`.
   * - `'always-401'`: every token-endpoint error is 401 (older Doorkeeper; Hover's FAQ).
   */
  tokenErrorStatus: 'doorkeeper' | 'always-401';
  /**
   * What the consent page does when the signed-in user's org has no `integrations` feature.
   * - `'block'` (default): the page (status 403) says "Third-party integrations are not available on
   *   your plan. Upgrade or contact us to enable integrations.", offers no Allow button and never
   *   redirects back to the client.
   * - `'allow'`: consent proceeds normally; the profile then shows no `integrations` key in the org's
   *   `feature_access`.
   */
  consentWithoutIntegrations: 'block' | 'allow';
  /**
   * When `true`, a successful refresh answers without `refresh_token` (only a new access token) and
   * the old refresh token stays valid. Default `false`.
   */
  omitRefreshTokenOnRefresh: boolean;
  /** Delay in MILLISECONDS before `/oauth/token` answers (any outcome). Default `0`. */
  tokenEndpointDelayMs: number;
  /**
   * Delay in MILLISECONDS between processing a grant and sending its answer: the refresh token has
   * ALREADY rotated (the old one is spent) when the client is still waiting — a late answer. Default `0`.
   */
  tokenAnswerDelayMs: number;
  /**
   * When `true`, `/oauth/token` never answers: the request is read and counted, then the socket stays
   * open until `HoverEmulator.stop()`. Default `false`.
   */
  tokenEndpointHang: boolean;
  /**
   * When a number (e.g. `503`), `/oauth/token` answers that HTTP status with
   * `{"error":"server_error","error_description":"…"}` instead of processing the grant (the request is
   * still counted). Default `null` (off).
   */
  tokenEndpointStatus: number | null;
  /**
   * When set, `/oauth/token` answers exactly this (status, `Content-Type`, raw body) instead of
   * processing the grant, for hostile-answer tests (HTML, invalid JSON, `null`, a 200 carrying `error`,
   * …), with optional extra response `headers` (e.g. `Retry-After`, `Location`). The request is still
   * counted; nothing is consumed. Default `null` (off).
   */
  tokenEndpointResponse: { status: number; contentType: string; body: string; headers?: Record<string, string> } | null;
  /**
   * Whether the authorization server supports PKCE (RFC 7636). Not in the original brief: added
   * because the reference lists "whether PKCE is enforced" as open.
   * - `'honour'` (default): a `code_challenge` sent to `/oauth/authorize` is bound to the code and the
   *   token endpoint requires a matching `code_verifier` (S256 or plain), else `invalid_grant`.
   * - `'ignore'`: like a Doorkeeper without PKCE columns: challenge and verifier are ignored.
   */
  pkce: 'honour' | 'ignore';
  /**
   * What successful token answers report as `expires_in`, while the tokens really live
   * `accessTokenTtlSeconds` as always: for clients facing odd lifetimes. `'actual'` (default) reports
   * the real lifetime; `'omit'` leaves the field out; any other value (`null`, `0`, `-5`, `"2h"`, …) is
   * sent as is.
   */
  reportedExpiresIn: 'actual' | 'omit' | number | string | null;
  /**
   * When `true`, the API answers 401 (`invalid_token`, empty body) to every request, even with a token
   * the token endpoint has just issued: an org that lost API access while its grant still refreshes.
   * Default `false`.
   */
  apiRejectAllTokens: boolean;
}
