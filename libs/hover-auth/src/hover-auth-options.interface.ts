import type { ConfigurableModuleAsyncOptions } from '@nestjs/common';

/**
 * Minimal view of the incoming HTTP request handed to {@link HoverAuthModuleOptions.resolveConnectionId}.
 * With the Express adapter this is the Express `Request`; with Fastify, the Fastify request.
 */
export type HoverIncomingRequest = Record<string, any>;

/** How the token endpoint request body is encoded. Hover accepts all three (see hover-reference). */
export type HoverTokenRequestEncoding = 'json' | 'form' | 'multipart';

/**
 * Options of {@link HoverAuthModule}. Pass them to `forRoot()` or return them from the
 * `forRootAsync()` factory. They are validated once at bootstrap; an invalid value stops the app with a
 * {@link HoverAuthConfigurationError} naming the option and how to fix it.
 */
export interface HoverAuthModuleOptions {
  /** OAuth client id from Hover's Settings → Developer → integration page. Required. */
  clientId: string;
  /** OAuth client secret from the same page. Required. Never logged. */
  clientSecret: string;
  /**
   * Redirect URI registered with Hover; must exactly match it (RFC 6749 §3.1.2). Must be `https://`,
   * except `http://localhost` / `http://127.0.0.1` for development. It should point at this module's
   * callback route (default path `/hover/callback`). Required.
   */
  redirectUri: string;
  /**
   * Origin of the Hover deployment. The authorization endpoint is `{baseUrl}/oauth/authorize`, the
   * token endpoint `{baseUrl}/oauth/token`, the API `{baseUrl}/api`. Must be `https://` (`http://` only
   * for localhost / 127.0.0.1). Default `https://hover.to`; point it at the emulator in tests.
   */
  baseUrl?: string;
  /**
   * Where the browser is sent after a successful connection: a path or absolute URL.
   * Default `/`.
   */
  successRedirect?: string;
  /**
   * Where the browser is sent when the user denies access or the connection fails. The module appends
   * `hover_error=<reason>`: `access_denied` (the user clicked Deny), another RFC 6749 §4.1.2.1 code
   * Hover sent, `authorization_failed` (an unrecognized error), `token_exchange_failed`,
   * `hover_unavailable`, `configuration_error` or `different_org` (see `reconnectToDifferentOrg`).
   * Default `/`.
   */
  failureRedirect?: string;
  /**
   * Refresh the access token proactively when it expires within this many **seconds**. Default 300.
   */
  refreshMarginSeconds?: number;
  /**
   * Timeout of each API request and of the authorization code exchange, and the longest a caller waits
   * for a refresh, in **milliseconds**. Default 30000. A refresh request itself is not cut short by it:
   * it waits up to 65 s for Hover's answer (Hover times out every request after 60 s:
   * developers.hover.to, "Rate limits"), because Hover may already have rotated the refresh token.
   */
  httpTimeoutMs?: number;
  /**
   * How long the connection's refresh lease lasts in the database before it must be renewed, in
   * **milliseconds**. The instance whose refresh request is pending renews it every third of this
   * while it waits; other callers and app instances wait meanwhile instead of spending the single-use
   * refresh token too; if its holder dies, the lease lapses after this long. Must exceed
   * `httpTimeoutMs`. Default `httpTimeoutMs + 5000`.
   */
  refreshLeaseMs?: number;
  /**
   * Longest time a call waits for a refresh — its own, or one another caller or app instance holds the
   * lease for — in **milliseconds**, before failing with `HoverRefreshTimeoutException`. Default
   * `refreshLeaseMs + httpTimeoutMs`, enough to take over from an instance that died mid-refresh.
   */
  refreshDeadlineMs?: number;
  /**
   * Resolves which connection (which of the host app's accounts) a request is about; used by the
   * authorize route and by {@link HoverIntegrationGuard}. Default: always `'default'` (one connection
   * per app). May be async. Must return a non-empty string of at most 191 characters.
   */
  resolveConnectionId?: (request: HoverIncomingRequest) => string | Promise<string>;
  /**
   * Path (or absolute URL) of this module's authorize route, returned to clients in
   * `HOVER_NOT_CONNECTED` / `HOVER_REAUTHORIZATION_REQUIRED` answers. Change it if you re-prefix the
   * controller with `RouterModule`. Default `/hover/authorize`.
   */
  authorizePath?: string;
  /** Body encoding of token endpoint requests. Default `'json'`. */
  tokenRequestEncoding?: HoverTokenRequestEncoding;
  /**
   * Send a PKCE S256 code challenge with every authorization request and the code verifier with the
   * code exchange (RFC 7636; RFC 9700 §2.1.1). Hover ignores it if it does not support PKCE. Default true.
   */
  pkce?: boolean;
  /**
   * The authorization server's issuer identifier (RFC 9207). When set, a callback whose `iss`
   * parameter differs is refused (400 `HOVER_ISSUER_MISMATCH`); a callback without `iss` is accepted,
   * since Hover does not document sending it. Default: unset (any `iss` tolerated).
   */
  issuer?: string;
  /**
   * Keys that encrypt access and refresh tokens at rest (AES-256-GCM), **newest first**: the first
   * encrypts, all decrypt. A key derived from each (HKDF-SHA256) also seals the flow cookies of started
   * authorization flows, so every app instance must have the same list. `id` (1–32 of `A-Z a-z 0-9 _ -`) is stored with each value; `key` is 32
   * random bytes in base64 or base64url. Required. Make one with
   * `node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`. To rotate: put a
   * new key first, deploy, run `HoverConnectionRepository.reencryptAll()`, then drop the old key.
   */
  encryptionKeys: HoverEncryptionKeyOption[];
  /**
   * Retries of Hover API requests that failed transiently: HTTP 429, 502, 503, 504 and network errors
   * (no answer at all; not a timeout, which may have been processed). Exponential back-off with full
   * jitter, but never sooner than Hover's `Retry-After` (seconds or HTTP-date, RFC 9110 §10.2.3). Only
   * idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE; RFC 9110 §9.2.2) are retried unless a request
   * says `hoverRetry: true`; `hoverRetry: false` turns retries off for one request. A body that cannot
   * be sent twice (a stream) is never retried. `false` turns retries off. Default: the values below.
   */
  retry?: HoverRetryOptions | false;
  /**
   * Client-side rate limit for Hover API requests of this app instance, shared by all its connections
   * (Hover counts 120 requests per minute or 7,200 per hour per integration: developers.hover.to,
   * "Rate limits"). Requests over it wait in a bounded queue, served round-robin between connections;
   * when the queue is full, or a request waited `maxWaitMs`, it fails with
   * `HoverRateLimitQueueFullException` (503 `HOVER_RATE_LIMIT_QUEUE_FULL`) and nothing is sent. With
   * several app instances, give each its share (e.g. 3 instances: `requestsPerMinute: 40`,
   * `requestsPerHour: 2400`). `false` turns it off. Default: the values below.
   */
  rateLimit?: HoverRateLimitOptions | false;
  /**
   * Most connections whose rows (with decrypted tokens) are kept in this instance's memory cache; the
   * least recently used is dropped beyond it, and its next call reads its row again (one indexed read
   * by primary key). Default 10000; 1 to 10,000,000.
   */
  cacheMaxConnections?: number;
  /**
   * How often the org's `feature_access` is read again from `GET /api/v2/users/profile` for a
   * connection in use, in **seconds**, so an org that loses (or gains) third-party integrations is seen
   * by {@link HoverIntegrationGuard}: the first use of a connection after this long re-reads it in the
   * background (no caller waits). A 403 from Hover's API re-reads it at once (at most once a minute per
   * connection). Default 900 (15 minutes); 1 to 86,400. Each instance re-reads per connection it uses,
   * so N instances cost at most N profile requests per connection per interval.
   */
  integrationsRecheckSeconds?: number;
  /**
   * What a reconnect does when the user authorizes a different Hover org than the one stored under
   * the connection id (e.g. they are signed in to Hover as another company; both org ids known):
   * - `'accept'` (default): the new org replaces the old one; a warning is logged, the
   *   `hover.connection.reconnected_to_different_org` event is emitted, and the browser's success
   *   redirect carries `hover_notice=reconnected_to_different_org` so the app can tell the user;
   * - `'refuse'`: the stored connection is kept unchanged (the new tokens are dropped) and the flow fails
   *   with `hover_error=different_org`.
   */
  reconnectToDifferentOrg?: 'accept' | 'refuse';
  /**
   * Receive Hover's webhooks (developers.hover.to, "Webhooks"): job state changes and the rest arrive as
   * `hover.webhook.<event>` events on the host's `@nestjs/event-emitter` (required with this option;
   * see {@link HOVER_WEBHOOK_EVENTS}). Set it to mount the receiving route, verify every delivery's
   * signature, complete Hover's verification handshake, and (by default) make sure each connected org has
   * one webhook as its connections connect. The app must keep the raw body: `NestFactory.create(AppModule, { rawBody:
   * true })`. Default: unset, webhooks off (no route, nothing registered).
   */
  webhook?: HoverWebhookOptions;
}

/** See {@link HoverAuthModuleOptions.webhook}. */
export interface HoverWebhookOptions {
  /**
   * Public URL of the receiving route, as Hover must call it, e.g. `https://app.example.com/hover/webhooks`:
   * registered for each connected org, and its path is where the route is mounted (unless `path` is set).
   * `https://` (Hover's requirement), or `http://` for localhost / 127.0.0.1 in development. Required.
   */
  url: string;
  /**
   * Path this app mounts the route at, when a proxy in front rewrites the public path. Default: the
   * path of `url`. The signature is always checked against `url`'s path (what Hover signed).
   */
  path?: string;
  /**
   * Right after each connect, in the background, make sure the connection's org has a working webhook for
   * `url` (`HoverWebhooksService.ensureRegistered`: one webhook per org, repaired when broken). Default true.
   */
  registerOnConnect?: boolean;
  /**
   * Largest accepted distance between a delivery's `Date` header and this server's clock, either way, in
   * **seconds**: older (replayed) or future deliveries are refused with `HOVER_WEBHOOK_DATE_OUT_OF_RANGE`.
   * 1 to 3600. Default 300.
   */
  toleranceSeconds?: number;
  /** Accept the legacy `Hover-Signature: sha1=…` header when `Hover-Signature-256` is absent. Default false. */
  allowLegacySha1?: boolean;
  /**
   * Largest accepted body, in **bytes**; a larger one is refused with 413 `HOVER_WEBHOOK_BODY_TOO_LARGE`
   * (Nest's JSON parser refuses bodies over its own limit, 100 kB by default, with 413 before that).
   * 1024 to 10,485,760. Default 65,536.
   */
  maxBodyBytes?: number;
}

/** See {@link HoverAuthModuleOptions.retry}. */
export interface HoverRetryOptions {
  /** Most attempts per request, the first included: 1 (no retry) to 10. Default 3. */
  maxAttempts?: number;
  /** Back-off before the first retry, in **milliseconds** (doubling, full jitter). 1 to 60,000. Default 500. */
  initialDelayMs?: number;
  /** Longest back-off between attempts, in **milliseconds**. Default 10,000; at least `initialDelayMs`, at most 300,000. */
  maxDelayMs?: number;
  /**
   * Longest `Retry-After` honoured, in **seconds**: a longer one is not waited for (the error goes to
   * the caller with `retryAfterSeconds`). 0 to 3600. Default 60.
   */
  maxRetryAfterSeconds?: number;
}

/** See {@link HoverAuthModuleOptions.rateLimit}. */
export interface HoverRateLimitOptions {
  /** Requests per sliding 60-second window. 1 to 100,000. Default 120 (Hover's limit). */
  requestsPerMinute?: number;
  /** Requests per sliding 3,600-second window. 1 to 10,000,000. Default 7200 (Hover's limit). */
  requestsPerHour?: number;
  /** Most requests waiting at once (all connections). 1 to 1,000,000. Default 1000. */
  maxQueue?: number;
  /** Longest a request waits for a slot, in **milliseconds**. Default `httpTimeoutMs`; 1 to 3,600,000. */
  maxWaitMs?: number;
}

/** One entry of {@link HoverAuthModuleOptions.encryptionKeys}. Secret: never logged. */
export interface HoverEncryptionKeyOption {
  id: string;
  /** 32 bytes, base64 or base64url. */
  key: string;
}

/** {@link HoverAuthModuleOptions} after defaults are merged and validation passed. */
export interface ResolvedHoverAuthOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  baseUrl: string;
  /** `{baseUrl}/oauth/authorize` */
  authorizationEndpoint: string;
  /** `{baseUrl}/oauth/token` */
  tokenEndpoint: string;
  /** `{baseUrl}/api` */
  apiBaseUrl: string;
  successRedirect: string;
  failureRedirect: string;
  refreshMarginSeconds: number;
  httpTimeoutMs: number;
  refreshLeaseMs: number;
  refreshDeadlineMs: number;
  resolveConnectionId: (request: HoverIncomingRequest) => string | Promise<string>;
  authorizePath: string;
  tokenRequestEncoding: HoverTokenRequestEncoding;
  pkce: boolean;
  issuer?: string;
  /** Decoded keys, newest first. */
  encryptionKeys: Array<{ id: string; key: Buffer }>;
  /** `false` when retries are off. */
  retry: Required<HoverRetryOptions> | false;
  /** `false` when the limiter is off. */
  rateLimit: Required<HoverRateLimitOptions> | false;
  cacheMaxConnections: number;
  integrationsRecheckSeconds: number;
  reconnectToDifferentOrg: 'accept' | 'refuse';
  /** `false` when webhooks are off; else every field set, `path` defaulted to `url`'s path. */
  webhook: Required<HoverWebhookOptions> | false;
}

/**
 * Extras of `forRoot()` / `forRootAsync()`: they change the module graph, so they are synchronous and
 * never come from the async factory.
 */
export interface HoverAuthModuleExtras {
  /** Register the module globally, so feature modules can inject its services without importing it. Default false. */
  isGlobal?: boolean;
  /** Mount the authorize / callback controller. Default true; set false to expose your own routes. */
  mountController?: boolean;
  /** Name of the host's TypeORM DataSource that holds the hover-auth tables. Default: the unnamed default DataSource. */
  dataSource?: string;
}

/** What `HoverAuthModule.forRoot()` takes: the options and the extras side by side. */
export type HoverAuthModuleForRootOptions = HoverAuthModuleOptions & HoverAuthModuleExtras;

/**
 * A class that supplies the options, for `forRootAsync({ useClass })` or `forRootAsync({ useExisting })`.
 * @example
 * @Injectable()
 * export class HoverOptions implements HoverAuthOptionsFactory {
 *   constructor(private readonly secrets: SecretsService) {}
 *   async createHoverAuthOptions() { return { clientId: …, clientSecret: await this.secrets.get('hover'), … }; }
 * }
 */
export interface HoverAuthOptionsFactory {
  createHoverAuthOptions(): HoverAuthModuleOptions | Promise<HoverAuthModuleOptions>;
}

/**
 * What `HoverAuthModule.forRootAsync()` takes: `useFactory` (+ `inject`, `imports`), `useClass` or
 * `useExisting` (a {@link HoverAuthOptionsFactory}), and the synchronous extras.
 */
export type HoverAuthModuleAsyncOptions = ConfigurableModuleAsyncOptions<HoverAuthModuleOptions, 'createHoverAuthOptions'> &
  HoverAuthModuleExtras;
