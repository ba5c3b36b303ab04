import { HttpException } from '@nestjs/common';

/**
 * Every error code hover-auth can produce, as constants (the pattern of oauth4webapi's exported codes),
 * so a host can `switch` over {@link HoverErrorCode} exhaustively. Codes are stable across releases;
 * messages are not.
 */
export const HOVER_ERROR_CODES = {
  /** 500 — options missing or invalid at bootstrap ({@link HoverAuthConfigurationError}, not an HTTP error). */
  CONFIGURATION_INVALID: 'HOVER_CONFIGURATION_INVALID',
  /** 500 — the host's `resolveConnectionId` returned something other than a 1–191 character string. */
  INVALID_CONNECTION_ID: 'HOVER_INVALID_CONNECTION_ID',
  /** 400 — an argument given to a hover-auth service method is out of range (e.g. a page size). */
  INVALID_ARGUMENT: 'HOVER_INVALID_ARGUMENT',
  /** 400 — callback `state` missing, malformed, unknown, expired or already used (RFC 6749 §10.12). */
  INVALID_STATE: 'HOVER_INVALID_STATE',
  /** 400 — the flow was started in another browser (login CSRF, RFC 9700 §4.7.1). */
  STATE_BROWSER_MISMATCH: 'HOVER_STATE_BROWSER_MISMATCH',
  /** 400 — the callback's `iss` differs from the configured issuer (RFC 9207). */
  ISSUER_MISMATCH: 'HOVER_ISSUER_MISMATCH',
  /** 400 — callback `code`, `error` or `iss` missing where needed, repeated or malformed. */
  INVALID_CALLBACK: 'HOVER_INVALID_CALLBACK',
  /** 401 — no connection is stored under the connection id. */
  NOT_CONNECTED: 'HOVER_NOT_CONNECTED',
  /** 401 — Hover refused the stored refresh token; a user of the org must connect again. */
  REAUTHORIZATION_REQUIRED: 'HOVER_REAUTHORIZATION_REQUIRED',
  /** 403 — the org's Hover plan has no third-party integrations. */
  INTEGRATIONS_UNAVAILABLE: 'HOVER_INTEGRATIONS_UNAVAILABLE',
  /** 502 — the token endpoint refused the authorization code or refresh token (`invalid_grant`). */
  INVALID_GRANT: 'HOVER_INVALID_GRANT',
  /** 502 — the token endpoint refused the client credentials (`invalid_client`). */
  INVALID_CLIENT: 'HOVER_INVALID_CLIENT',
  /** 502 — another OAuth error from the token endpoint (RFC 6749 §5.2). */
  TOKEN_ENDPOINT_ERROR: 'HOVER_TOKEN_ENDPOINT_ERROR',
  /** 502 — the token endpoint answered something that is not a valid token response. */
  INVALID_TOKEN_RESPONSE: 'HOVER_INVALID_TOKEN_RESPONSE',
  /** 503 — token endpoint 5xx, 429, network error or maintenance page; refreshes back off. */
  TOKEN_ENDPOINT_UNAVAILABLE: 'HOVER_TOKEN_ENDPOINT_UNAVAILABLE',
  /** 503 — the token endpoint did not answer in time. */
  TOKEN_ENDPOINT_TIMEOUT: 'HOVER_TOKEN_ENDPOINT_TIMEOUT',
  /** 503 — no refresh completed within `refreshDeadlineMs`. */
  REFRESH_TIMEOUT: 'HOVER_REFRESH_TIMEOUT',
  /** 500 — a stored token does not decrypt with the configured `encryptionKeys`. */
  TOKEN_DECRYPTION_FAILED: 'HOVER_TOKEN_DECRYPTION_FAILED',
  /** Hover's API answered an error status (see {@link HoverApiException} for the status mapping). */
  API_ERROR: 'HOVER_API_ERROR',
  /** 503 — Hover's API answered 429 Too Many Requests. */
  API_RATE_LIMITED: 'HOVER_API_RATE_LIMITED',
  /** 503 — Hover's API could not be reached (network error). */
  API_UNAVAILABLE: 'HOVER_API_UNAVAILABLE',
  /** 502 — Hover's API refused an access token just obtained by a refresh (the org may have lost API access). */
  API_TOKEN_REJECTED: 'HOVER_API_TOKEN_REJECTED',
  /** 504 — Hover's API did not answer within `httpTimeoutMs`. */
  API_TIMEOUT: 'HOVER_API_TIMEOUT',
  /** 503 — Hover answered 401 to a request whose body cannot be sent twice (a stream): not retried; send it again. */
  REQUEST_NOT_REPLAYED: 'HOVER_REQUEST_NOT_REPLAYED',
  /**
   * 503 — hover-auth's own client-side rate limiter (option `rateLimit`) could not send the request in
   * time: its queue was full, or the request waited longer than `rateLimit.maxWaitMs`. Nothing was sent.
   */
  RATE_LIMIT_QUEUE_FULL: 'HOVER_RATE_LIMIT_QUEUE_FULL',
  /** 401 — a webhook delivery carries neither `Hover-Signature-256` nor (when legacy SHA-1 is allowed) `Hover-Signature`. */
  WEBHOOK_SIGNATURE_MISSING: 'HOVER_WEBHOOK_SIGNATURE_MISSING',
  /** 401 — the webhook signature header is not `sha256=<webhook id>:<base64 HMAC>` (or `sha1=…` for the legacy header). */
  WEBHOOK_SIGNATURE_MALFORMED: 'HOVER_WEBHOOK_SIGNATURE_MALFORMED',
  /** 401 — no `hmac_secret` is known for the webhook id named in the signature header. */
  WEBHOOK_UNKNOWN: 'HOVER_WEBHOOK_UNKNOWN',
  /** 401 — the webhook signature does not match (another webhook's secret, or body, path, `Date` or `Content-Type` changed). */
  WEBHOOK_SIGNATURE_INVALID: 'HOVER_WEBHOOK_SIGNATURE_INVALID',
  /** 401 — the webhook delivery's `Date` is missing, unparsable, or outside the tolerance window (a replay or a skewed clock). */
  WEBHOOK_DATE_OUT_OF_RANGE: 'HOVER_WEBHOOK_DATE_OUT_OF_RANGE',
  /** 401 — the webhook delivery's `Content-MD5` header is not the base64 MD5 of the body received. */
  WEBHOOK_BODY_DIGEST_MISMATCH: 'HOVER_WEBHOOK_BODY_DIGEST_MISMATCH',
  /** 400 — the webhook delivery's body is not a JSON object naming an `event` (or a verification event lacks its `code` / `webhook_id`). */
  WEBHOOK_INVALID_BODY: 'HOVER_WEBHOOK_INVALID_BODY',
  /** 400 — this signed webhook delivery was already received (same webhook, `Date` and body): a replay, or Hover sending it again; it was dispatched once. */
  WEBHOOK_REPLAYED: 'HOVER_WEBHOOK_REPLAYED',
  /** 413 — the webhook delivery's body is larger than `webhook.maxBodyBytes`. */
  WEBHOOK_BODY_TOO_LARGE: 'HOVER_WEBHOOK_BODY_TOO_LARGE',
  /** 500 — the webhook route got an already parsed body and no raw body: create the app with `NestFactory.create(AppModule, { rawBody: true })`. */
  WEBHOOK_RAW_BODY_UNAVAILABLE: 'HOVER_WEBHOOK_RAW_BODY_UNAVAILABLE',
  /** 503 — Hover did not confirm a webhook's verification code (`PUT /api/v2/webhooks/{code}/verify` failed); Hover may send the code again. */
  WEBHOOK_VERIFICATION_FAILED: 'HOVER_WEBHOOK_VERIFICATION_FAILED',
  /** 500 — the stored `hmac_secret` of the webhook a delivery names does not decrypt (a key removed from `encryptionKeys` too early); reconnecting registers a new webhook. */
  WEBHOOK_SECRET_UNREADABLE: 'HOVER_WEBHOOK_SECRET_UNREADABLE',
  /** 404 — a webhook id that is not stored for this connection (delete). */
  WEBHOOK_NOT_FOUND: 'HOVER_WEBHOOK_NOT_FOUND',
} as const;

/** Union of every hover-auth error code: the values of {@link HOVER_ERROR_CODES}. */
export type HoverErrorCode = (typeof HOVER_ERROR_CODES)[keyof typeof HOVER_ERROR_CODES];

/**
 * JSON body Nest sends for any {@link HoverAuthException}: `{ statusCode, code, message, …details }`.
 * Never contains a token, code, secret or key.
 */
export interface HoverErrorBody {
  statusCode: number;
  code: HoverErrorCode;
  message: string;
  [detail: string]: unknown;
}

/**
 * Base of every HTTP-facing hover-auth error. Nest's exception layer renders it as
 * {@link HoverErrorBody} with the HTTP status given here. `code` is stable; `details` are safe to show
 * (connection id, authorize URL, upstream status) and are spread into the body.
 *
 * @example
 * catch (error) {
 *   if (error instanceof HoverAuthException && error.code === HOVER_ERROR_CODES.REAUTHORIZATION_REQUIRED) …
 * }
 */
export class HoverAuthException extends HttpException {
  constructor(
    /** Stable machine-readable code, one of {@link HOVER_ERROR_CODES}. */
    readonly code: HoverErrorCode,
    message: string,
    status: number,
    /** Safe details added to the JSON body (never secrets). */
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super({ statusCode: status, code, message, ...details } satisfies HoverErrorBody, status, options);
    this.name = new.target.name;
  }
}
