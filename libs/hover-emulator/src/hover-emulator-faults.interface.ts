/**
 * Switches that make the emulator play each variant of Hover's OAuth server and API that the public
 * documentation leaves open, and the transport failures (delays, error statuses, rate limits) a
 * client must survive (see /work/shared/hover-reference.md, "Unknowns only a live account can
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
  /**
   * Delay in MILLISECONDS before any answer under `/api` (every status, 401s and 404s included): a
   * slow Hover. Applied right after the request is counted and logged, before the other API faults.
   * Hover documents that it times out every request after 60 s; the emulator does not. Default `0`.
   */
  apiDelayMs: number;
  /**
   * Hover's documented rate limit ("120 requests/minute or 7,200/hour per integration"), enforced
   * when set; default `null` (off), so suites that make many calls are unaffected.
   * - `perMinute` (integer ≥ 1) and optional `perHour` (integer ≥ 1; default: no hourly limit):
   *   requests allowed in any sliding window of the last 60 s / 3600 s. Hover's own values are
   *   `{ perMinute: 120, perHour: 7200 }`; small ones keep tests fast.
   * - Keyed per integration, i.e. by the client id of the bearer token's row (every org connected
   *   through that client shares one budget). The token only has to be known, not valid: an expired
   *   or revoked token still counts against its client. A request without a known token has no
   *   integration to charge and is never limited.
   * - Over the limit: 429 `{"error":"too_many_requests"}` with NO `Retry-After` or rate-limit
   *   headers (Hover documents none; the reference lists them as open — play them with `apiStatus`).
   *   The request is still counted and logged but does not use up budget (only admitted requests
   *   fill the windows), so a client that waits is served again as soon as the oldest admitted
   *   request leaves the window.
   * - Windows are measured when the limiter decides (after `apiDelayMs`), in epoch MILLISECONDS
   *   from `Date.now()`. Setting this fault (any value, via `setFaults` or `POST /__emulator/faults`)
   *   starts every window empty; so does `reset()`.
   */
  apiRateLimit: { perMinute: number; perHour?: number } | null;
  /**
   * When set, requests under `/api` are answered with `status` (an HTTP error status 400–599, e.g.
   * 429, 502, 503, 504) instead of being processed: a gateway, load balancer or rate limiter in front
   * of Hover's app. Default `null` (off).
   * - `retryAfter`: when given, sent verbatim as the `Retry-After` header (delta-seconds such as `"2"`
   *   or an HTTP-date such as `"Wed, 21 Oct 2015 07:28:00 GMT"`; any header-safe text, for clients
   *   facing odd values). Default: no header.
   * - `times` (integer ≥ 1): answer only the next `times` requests this way, then the fault switches
   *   itself off (`apiStatus` becomes `null`), e.g. "the first 2 calls get 503, then normal".
   *   `faults.apiStatus.times` counts down as requests are answered. Default: every request while set.
   * - `body`: raw response body. Default `{"error":"<reason>"}` with the status's reason phrase in
   *   snake case (`too_many_requests`, `bad_gateway`, `service_unavailable`, `gateway_timeout`, …).
   * - `contentType`: `Content-Type` of the answer. Default `application/json; charset=utf-8`.
   * The request is still counted and logged. It applies BEFORE bearer-token checks, so even a request
   * with an expired token sees it (the README lists the whole order of checks), and AFTER
   * `apiRateLimit`: a request refused by the limiter does not use up `times`.
   */
  apiStatus: { status: number; retryAfter?: string; times?: number; body?: string; contentType?: string } | null;
  /**
   * How webhook deliveries (the verification event and `job-state-changed`) are signed. Default
   * `'valid'`: `Hover-Signature-256: sha256=<webhook_id>:<base64 HMAC-SHA256>` and the legacy
   * `Hover-Signature: sha1=<webhook_id>:<base64 HMAC-SHA1>`, keyed with the `hmac_secret` string, over
   * `content-type,content-md5,request-path,date` (see the README, "Webhooks"). The others break exactly
   * one thing, for a receiver's negative tests:
   * - `'wrong-secret'`: both signatures made with another (random) secret;
   * - `'tampered-body'`: headers of the real body, but the body sent has an extra `"tampered":true`
   *   (so its MD5 no longer matches `Content-MD5` and the signature);
   * - `'stale-date'`: `Date` one hour in the past, correctly signed over that date (a replay);
   * - `'missing'`: no `Hover-Signature-256` nor `Hover-Signature` header.
   */
  webhookSignature: 'valid' | 'wrong-secret' | 'tampered-body' | 'stale-date' | 'missing';
  /**
   * Delay in MILLISECONDS between the trigger (the 201 of a registration being sent, or a job state
   * change) and the POST to the webhook URL. Default `0`: Hover "immediately" POSTs the verification
   * code, so it may arrive before a receiver committed the registration's row; raise it to give the
   * receiver time, or keep it at 0 to test that the receiver tolerates the race.
   */
  webhookDeliveryDelayMs: number;
  /**
   * When `true`, every delivery is POSTed twice, the same request (body, `Date`, signature) both
   * times, one after the other: a receiver's idempotency test. Default `false`.
   */
  webhookDuplicateDeliveries: boolean;
}
