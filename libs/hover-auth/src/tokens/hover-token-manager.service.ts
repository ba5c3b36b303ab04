import { Inject, Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import {
  BrokenCircuitError,
  circuitBreaker,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  handleType,
  handleWhen,
  type IHalfOpenAfterBackoffContext,
} from 'cockatiel';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOVER_AUTH_RESOLVED_OPTIONS, REFRESH_REQUEST_TIMEOUT_MS } from '../hover-auth.constants';
import type { ResolvedHoverAuthOptions } from '../hover-auth-options.interface';
import {
  HoverNotConnectedException,
  HoverReauthorizationRequiredException,
} from '../exceptions/hover-connection.exceptions';
import { HoverRefreshTimeoutException } from '../exceptions/hover-refresh.exceptions';
import {
  HoverInvalidGrantException,
  HoverTokenEndpointTimeoutException,
  HoverTokenEndpointUnavailableException,
} from '../exceptions/hover-token-endpoint.exceptions';
import { TokenEndpointClient } from '../token-endpoint/token-endpoint.client';
import { HOVER_EVENTS } from '../events/hover-events';
import { ConnectionLifecycle } from '../events/connection-lifecycle';
import { HoverEventPublisher } from '../events/hover-event-publisher';
import type { HoverConnection } from './hover-connection.entity';
import { HoverConnectionRepository } from './hover-connection.repository';
import { setMostRecent } from './most-recent-map';

/** How long a cached row is used before it is read again, in milliseconds. */
const CACHE_REVALIDATE_MS = 60_000;

/**
 * Back-off after a failed refresh (the breakers' half-open delay), in milliseconds: 1 s doubling to 30 s while trials keep failing, or
 * the `Retry-After` Hover sent (RFC 9110 §10.2.3) when longer, capped at 300 s.
 */
function refreshBackoff(onWindow: (untilMs: number) => void): DelegateBackoff<IHalfOpenAfterBackoffContext> {
  return new DelegateBackoff<IHalfOpenAfterBackoffContext>((context) => {
    const exponential = doublingDelayMs(context.attempt, 1000, 30_000);
    const failure = 'error' in context.result ? context.result.error : undefined;
    const retryAfterSeconds = failure instanceof HoverTokenEndpointUnavailableException ? failure.retryAfterSeconds : null;
    const delayMs = Math.max(exponential, Math.min(MAX_RETRY_AFTER_MS, (retryAfterSeconds ?? 0) * 1000));
    // cockatiel asks for the window as the breaker opens, and reports `Open` until the next execute()
    // even after the window has passed: the end is kept here to tell when the back-off is really over.
    onWindow(Date.now() + delayMs);
    return delayMs;
  });
}

/** Longest `Retry-After` honoured, in milliseconds. */
const MAX_RETRY_AFTER_MS = 300_000;

/** How long a fresh access token Hover refused is not refreshed again, in milliseconds: 1 s doubling to 5 minutes. */
const REJECTED_TOKEN_BACKOFF_MS = { initial: 1000, max: 300_000 };

/** `initialMs` for the first attempt (1-based), doubling with each further one, at most `maxMs`; milliseconds. */
function doublingDelayMs(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * A token this close to expiry (milliseconds) is treated as expired: callers wait for the refresh
 * instead of sending it (it could expire in flight), and it is no fallback when a refresh fails.
 */
const STILL_VALID_MARGIN_MS = 5000;

/** Delay before polling a held refresh lease again, in milliseconds: 20 ms growing to 250 ms, with jitter. */
function leasePollDelayMs(attempt: number): number {
  const base = Math.min(250, 20 * 1.5 ** attempt);
  return base / 2 + Math.random() * base;
}

/**
 * Owns the token lifecycle of every connection: hands out access tokens, refreshes them before they
 * expire or after Hover answers 401, and shares one refresh among all concurrent callers.
 *
 * Written here rather than taken from a library (axios-auth-refresh and the like) because Hover's
 * refresh tokens are single-use: a refresh must be coordinated per connection across every app
 * instance sharing the database (a lease row-update with an owner and a bounded lifetime), must re-read
 * the stored row once it holds the lease (another instance may already have rotated it), and must
 * commit access and refresh token together with a compare-and-swap before the new access token is
 * used. General-purpose refresh helpers coordinate at most within one process.
 *
 * Active connections are cached in memory (a least-recently-used map of at most `cacheMaxConnections`
 * rows), so steady-state calls cost no database read; a miss costs one read by primary key. The cache
 * is corrected on the first 401, when the cached token nears expiry, and every 60 seconds.
 *
 * Refresh ahead: while the access token is still valid, no caller waits for a refresh. The first call
 * inside the refresh margin starts the (single, leased) refresh in the background and goes on with the
 * current token; only a call whose token has expired (or expires within 5 s) or was rejected waits.
 */
@Injectable()
export class HoverTokenManager implements OnModuleDestroy {
  private readonly logger = new Logger('HoverAuth');
  /**
   * Cached rows with the time each was read or written (epoch ms). A Map iterates in insertion order, so
   * re-inserting on use keeps the least recently used first: that one is evicted beyond the bound.
   */
  private readonly cache = new Map<string, { connection: HoverConnection; at: number }>();
  private readonly refreshes = new Map<string, Promise<HoverConnection>>();
  /** Timers renewing the leases of pending refresh requests; stopped when the module is destroyed. */
  private readonly leaseRenewals = new Set<NodeJS.Timeout>();
  /** Refresh requests still waiting for Hover's answer, per connection (they outlive their callers). */
  private readonly pendingExchanges = new Map<string, Promise<HoverConnection>>();
  /**
   * Backs off from a failing token endpoint: after a transient failure (5xx, 429, timeout, network,
   * non-JSON) refreshes fail fast for 1 s, doubling up to 30 s while the trial refreshes keep failing.
   * The grant is never touched meanwhile.
   */
  private readonly tokenEndpointBreaker = circuitBreaker(handleType(HoverTokenEndpointUnavailableException), {
    halfOpenAfter: refreshBackoff((untilMs) => (this.tokenEndpointBackoffUntil = untilMs)),
    breaker: new ConsecutiveBreaker(1),
  });
  /** When the shared breaker's current back-off window ends, epoch ms (0: never opened). */
  private tokenEndpointBackoffUntil = 0;
  /**
   * Per connection, any failed refresh (a 302 to a sign-in page, an invalid answer, an OAuth error —
   * not only the endpoint's outages) backs off the same way, so a failure that repeats costs one token
   * request per back-off window, not one per API call. Only connections that failed are kept here.
   * Not `invalid_grant` (final: reauthorization_required) and not the shared breaker's own fail-fast.
   */
  private readonly connectionBreakers = new Map<string, { policy: CircuitBreakerPolicy; backoffUntil: number }>();
  /**
   * Fresh access tokens Hover's API refused right after they were obtained, per connection: the same
   * token is not refreshed again until `until` (epoch ms); `strikes` grows the window.
   */
  private readonly rejectedFreshTokens = new Map<string, { accessToken: string; until: number; strikes: number }>();

  constructor(
    @Inject(HOVER_AUTH_RESOLVED_OPTIONS) private readonly options: ResolvedHoverAuthOptions,
    private readonly connections: HoverConnectionRepository,
    private readonly tokenEndpoint: TokenEndpointClient,
    private readonly events: HoverEventPublisher,
    @Optional() private readonly lifecycle?: ConnectionLifecycle,
  ) {}

  /**
   * Stops renewing the leases of refresh requests still pending: with the app closing, its database
   * connection goes away; the leases lapse on their own (`refreshLeaseMs`).
   */
  onModuleDestroy(): void {
    for (const renewal of this.leaseRenewals) clearInterval(renewal);
    this.leaseRenewals.clear();
  }

  /**
   * Returns an access token for `connectionId` valid for more than 5 seconds. Inside the refresh margin
   * the current token is returned at once and the refresh runs in the background (refresh ahead); only
   * an expired token (or one expiring within 5 s) waits for the refresh.
   * @throws {HoverNotConnectedException} no connection is stored under this id
   * @throws {HoverReauthorizationRequiredException} the grant was refused; the user must reconnect
   * @throws {HoverTokenEndpointException} a refresh was needed and failed, and the current token expires
   * within 5 seconds (a token still valid longer is returned despite a transient refresh failure)
   */
  async getAccessToken(connectionId: string): Promise<string> {
    const ready = this.peekAccessToken(connectionId);
    if (ready !== undefined) return ready;
    try {
      const inFlight = this.refreshes.get(connectionId);
      if (inFlight && !this.isUsable(this.cache.get(connectionId)?.connection)) return (await inFlight).accessToken;
      const stored = await this.loadActive(connectionId);
      if (!this.isDueForRefresh(stored)) return stored.accessToken;
      if (this.isUsable(stored)) {
        this.refreshAhead(connectionId);
        return stored.accessToken;
      }
      return (await this.refresh(connectionId)).accessToken;
    } catch (error) {
      // A proactive refresh that failed transiently must not fail calls whose token is still valid:
      // keep using it until it really expires (the next call tries the refresh again).
      const current = this.cache.get(connectionId)?.connection;
      const transient = error instanceof HoverTokenEndpointUnavailableException || error instanceof HoverRefreshTimeoutException;
      if (transient && this.isUsable(current)) return current.accessToken;
      throw error;
    }
  }

  /**
   * The cached access token of `connectionId` while it is still valid, without waiting for any I/O:
   * inside the refresh margin it also starts the refresh in the background (refresh ahead). Otherwise
   * `undefined` (not cached, cached too long, or expiring within 5 s: then use {@link getAccessToken}).
   */
  peekAccessToken(connectionId: string): string | undefined {
    const cached = this.cached(connectionId);
    if (!cached) return undefined;
    if (!this.isDueForRefresh(cached)) return cached.accessToken;
    if (!this.isUsable(cached)) return undefined;
    this.refreshAhead(connectionId);
    return cached.accessToken;
  }

  /**
   * Whether {@link peekAccessToken} would return a token now, without starting anything: lets the
   * request hook take axios's synchronous path.
   */
  canPeekAccessToken(connectionId: string): boolean {
    const cached = this.cached(connectionId);
    return cached !== undefined && (!this.isDueForRefresh(cached) || this.isUsable(cached));
  }

  /**
   * Starts the connection's refresh unless one is already running, without waiting for it: a failure
   * is handled as any refresh failure (back-off, or the reauthorization mark) and logged at debug
   * level; callers meanwhile keep the current, still valid, token.
   */
  private refreshAhead(connectionId: string): void {
    if (this.refreshes.has(connectionId) || this.isBackingOff(connectionId)) return;
    this.refresh(connectionId).catch((error: unknown) => {
      this.logger.debug(`Refresh ahead of connection "${connectionId}" failed (${(error as { code?: string }).code ?? (error as Error).name}); the current token is used until it expires.`);
    });
  }

  /**
   * True while refreshes of this connection fail fast (a back-off after a failure): a refresh ahead
   * then would only cost database round trips, so it waits for the back-off to end.
   */
  isBackingOff(connectionId: string): boolean {
    const now = Date.now();
    return this.tokenEndpointBackoffUntil > now || (this.connectionBreakers.get(connectionId)?.backoffUntil ?? 0) > now;
  }

  /** True while refreshes of every connection fail fast after a failure of Hover's token endpoint. */
  get tokenEndpointBackingOff(): boolean {
    return this.tokenEndpointBackoffUntil > Date.now();
  }

  /** True while the access token has more than 5 s left: it can still be sent. */
  private isUsable(connection: HoverConnection | undefined): connection is HoverConnection {
    return connection !== undefined && connection.accessTokenExpiresAt - STILL_VALID_MARGIN_MS > Date.now();
  }

  /**
   * Called after Hover answered 401 to a request sent with `rejectedAccessToken`. Returns the token to
   * retry with: the one another caller or app instance already stored if it differs, else a freshly
   * refreshed one. Refreshes at most once per call.
   * @throws the same errors as {@link getAccessToken}
   */
  async recoverFromUnauthorized(connectionId: string, rejectedAccessToken: string): Promise<string> {
    const inFlight = this.refreshes.get(connectionId);
    if (inFlight) return (await inFlight).accessToken;
    const cached = this.cache.get(connectionId)?.connection;
    if (cached && cached.accessToken !== rejectedAccessToken && !this.isDueForRefresh(cached)) return cached.accessToken;
    return (await this.refresh(connectionId, rejectedAccessToken)).accessToken;
  }

  /**
   * True while `accessToken` is a fresh token Hover's API refused (see {@link noteFreshTokenRejected}):
   * a 401 for it must not spend another refresh yet.
   */
  isFreshTokenRejected(connectionId: string, accessToken: string): boolean {
    const rejected = this.rejectedFreshTokens.get(connectionId);
    return rejected !== undefined && rejected.accessToken === accessToken && rejected.until > Date.now();
  }

  /**
   * Hover's API accepted a token of this connection: a "fresh token rejected" back-off ends (so a real
   * expiry right after an episode of refused tokens refreshes at once). O(1); the map is empty in the
   * steady state.
   */
  noteApiSuccess(connectionId: string): void {
    if (this.rejectedFreshTokens.size > 0) this.rejectedFreshTokens.delete(connectionId);
  }

  /**
   * Records that Hover's API refused `accessToken` on the retry right after it was obtained (a refresh,
   * or another instance's): for a back-off window (1 s doubling to 5 minutes while it repeats) a 401 for
   * this same token does not spend another refresh.
   * @returns the window in milliseconds
   */
  noteFreshTokenRejected(connectionId: string, accessToken: string): number {
    const previous = this.rejectedFreshTokens.get(connectionId);
    const strikes = previous ? previous.strikes + 1 : 1;
    const windowMs = doublingDelayMs(strikes, REJECTED_TOKEN_BACKOFF_MS.initial, REJECTED_TOKEN_BACKOFF_MS.max);
    this.rejectedFreshTokens.set(connectionId, { accessToken, until: Date.now() + windowMs, strikes });
    return windowMs;
  }

  /**
   * Returns the stored connection (through the cache), for guards and status pages.
   * @returns `null` when no connection is stored under this id
   */
  async findConnection(connectionId: string): Promise<HoverConnection | null> {
    const cached = this.cached(connectionId);
    if (cached) return cached;
    const stored = await this.connections.findById(connectionId);
    if (stored?.status === 'active') this.remember(stored);
    return stored;
  }

  /** Sets the flag on the cached row (after the integrations re-check stored it), so the guard sees it at once. */
  noteIntegrations(connectionId: string, integrationsEnabled: boolean): void {
    const entry = this.cache.get(connectionId);
    if (entry) entry.connection.integrationsEnabled = integrationsEnabled;
  }

  /** Drops the cached row, e.g. after the callback stored a new grant for this connection. */
  forget(connectionId: string): void {
    this.cache.delete(connectionId);
    // A new grant (reconnect) or a disconnect starts with a clean slate.
    this.rejectedFreshTokens.delete(connectionId);
    this.connectionBreakers.delete(connectionId);
  }

  /**
   * Disconnects: deletes the stored connection and its cached copy. Other app instances notice within
   * 60 seconds (their cache revalidation). Hover's grant itself is not revoked (Hover does not document
   * `/oauth/revoke`).
   * @returns true if a connection was deleted
   */
  async disconnect(connectionId: string): Promise<boolean> {
    // While the tokens still exist: e.g. the connection's webhooks are deleted at Hover (best effort).
    const hoverOrgId = this.lifecycle ? ((await this.connections.findOrgId(connectionId)) ?? null) : null;
    await this.lifecycle?.leavingOrg(connectionId);
    this.forget(connectionId);
    const deleted = await this.connections.deleteById(connectionId);
    if (deleted) await this.lifecycle?.leftOrg(connectionId, hoverOrgId);
    if (deleted) this.events.emit(HOVER_EVENTS.DISCONNECTED, { connectionId, at: Date.now() });
    return deleted;
  }

  /**
   * The cached row, unless it is older than {@link CACHE_REVALIDATE_MS}: then the next use reads the
   * row again, so a reconnect, a disconnect or a reauthorization mark written by another app instance
   * is seen within that time even when Hover keeps accepting the old access token.
   */
  private cached(connectionId: string): HoverConnection | undefined {
    const entry = this.cache.get(connectionId);
    if (entry === undefined || Date.now() - entry.at >= CACHE_REVALIDATE_MS) return undefined;
    setMostRecent(this.cache, connectionId, entry, this.options.cacheMaxConnections);
    return entry.connection;
  }

  /** Number of connections held in the memory cache. */
  get cachedConnectionCount(): number {
    return this.cache.size;
  }

  private refresh(connectionId: string, rejectedAccessToken?: string): Promise<HoverConnection> {
    const inFlight = this.refreshes.get(connectionId);
    if (inFlight) return inFlight;
    // The entry is removed however the refresh ends (success, refusal, timeout: the token endpoint
    // client has a deadline), so a failed refresh never blocks later calls.
    const refresh = this.performRefresh(connectionId, rejectedAccessToken).finally(() =>
      this.refreshes.delete(connectionId),
    );
    this.refreshes.set(connectionId, refresh);
    return refresh;
  }

  /**
   * Waits for the connection's refresh lease (or for another holder's refresh to land), then refreshes
   * under it. Bounded by `refreshDeadlineMs`.
   */
  private async performRefresh(connectionId: string, rejectedAccessToken?: string): Promise<HoverConnection> {
    const deadline = Date.now() + this.options.refreshDeadlineMs;
    const owner = randomUUID();
    for (let attempt = 0; ; attempt++) {
      // An exchange this process started is still waiting for Hover: wait for it, never send again.
      const pending = this.pendingExchanges.get(connectionId);
      if (pending) return this.awaitExchange(pending, deadline);
      const current = await this.loadActive(connectionId);
      if (this.isReplaced(current, rejectedAccessToken)) return current;
      if (await this.connections.acquireRefreshLease(connectionId, owner, this.options.refreshLeaseMs)) {
        return this.refreshUnderLease(connectionId, owner, deadline, rejectedAccessToken);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new HoverRefreshTimeoutException(connectionId, this.options.refreshDeadlineMs);
      await sleep(Math.min(remaining, leasePollDelayMs(attempt)));
    }
  }

  /**
   * Holding the lease: re-reads the row (another instance may have refreshed between our read and the
   * lease), then starts the exchange and waits for it as a caller.
   */
  private async refreshUnderLease(
    connectionId: string,
    owner: string,
    deadline: number,
    rejectedAccessToken?: string,
  ): Promise<HoverConnection> {
    let exchange: Promise<HoverConnection> | undefined;
    try {
      const current = await this.loadActive(connectionId);
      if (this.isReplaced(current, rejectedAccessToken)) return current;
      if (!current.refreshToken) return await this.requireReauthorization(current, 'no_refresh_token');
      exchange = this.startExchange(current, owner);
    } finally {
      // From the start of the exchange on, the exchange owns the lease and releases it when it settles.
      if (!exchange) await this.releaseLease(connectionId, owner);
    }
    return this.awaitExchange(exchange, deadline);
  }

  /**
   * Sends the refresh token and stores the answer, however long Hover takes (up to
   * REFRESH_REQUEST_TIMEOUT_MS): detached from the callers, who may give up earlier. The lease is renewed
   * while the request is pending and released only when it has settled, so no app instance sends the
   * same single-use refresh token while its answer may still come (a late answer after rotation would
   * otherwise make the next refresh fail with `invalid_grant` and lose the grant).
   */
  private startExchange(current: HoverConnection, owner: string): Promise<HoverConnection> {
    const connectionId = current.connectionId;
    const leaseMs = this.options.refreshLeaseMs;
    const renewal = setInterval(() => {
      this.connections.renewRefreshLease(connectionId, owner, leaseMs).catch((error: unknown) => {
        this.logger.warn(`Could not renew the refresh lease of connection "${connectionId}" (${(error as Error).name}).`);
      });
    }, Math.max(100, Math.floor(leaseMs / 3)));
    renewal.unref();
    this.leaseRenewals.add(renewal);
    const exchange = this.exchange(current).finally(async () => {
      clearInterval(renewal);
      this.leaseRenewals.delete(renewal);
      this.pendingExchanges.delete(connectionId);
      await this.releaseLease(connectionId, owner);
    });
    this.pendingExchanges.set(connectionId, exchange);
    // Every caller may have stopped waiting: the outcome is stored (or logged) either way.
    exchange.catch(() => undefined);
    return exchange;
  }

  /**
   * Waits for an exchange as a caller: at most `httpTimeoutMs`, and never past the call's refresh
   * deadline. Giving up does not cancel the exchange.
   * @throws {HoverTokenEndpointTimeoutException} when the wait ends first
   */
  private async awaitExchange(exchange: Promise<HoverConnection>, deadline: number): Promise<HoverConnection> {
    const waitMs = Math.max(1, Math.min(this.options.httpTimeoutMs, deadline - Date.now()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new HoverTokenEndpointTimeoutException(waitMs)), waitMs);
    });
    try {
      return await Promise.race([exchange, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One refresh grant and its outcome: the new pair stored, or the grant marked, or a typed failure. */
  private async exchange(current: HoverConnection): Promise<HoverConnection> {
    const connectionId = current.connectionId;
    const refreshToken = current.refreshToken as string;
    const breaker = this.connectionBreaker(connectionId);
    let tokens;
    try {
      const timeoutMs = Math.max(REFRESH_REQUEST_TIMEOUT_MS, this.options.httpTimeoutMs);
      tokens = await breaker.execute(() => this.tokenEndpointBreaker.execute(() => this.tokenEndpoint.refresh(refreshToken, timeoutMs)));
      if (breaker.state === CircuitState.Closed) this.connectionBreakers.delete(connectionId);
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        const backoffUntil = Math.max(this.tokenEndpointBackoffUntil, this.connectionBreakers.get(connectionId)?.backoffUntil ?? 0);
        throw HoverTokenEndpointUnavailableException.retryAfter(Math.max(1, Math.ceil((backoffUntil - Date.now()) / 1000)), 
          this.tokenEndpointBreaker.state === CircuitState.Open
            ? "Hover's token endpoint failed recently; refreshes resume after a back-off (1-30 s, or Hover's Retry-After up to 300 s). The grant is kept."
            : "Refreshing this connection failed recently; its refreshes resume after a back-off (1-30 s, or Hover's Retry-After up to 300 s). The grant is kept.",
        );
      }
      if (!(error instanceof HoverInvalidGrantException)) throw error;
      // Another writer may have rotated the refresh token since we read it: then theirs is valid.
      const latest = await this.connections.findById(connectionId);
      if (latest && latest.status === 'active' && latest.version !== current.version) {
        this.remember(latest);
        return latest;
      }
      return await this.requireReauthorization(current, 'invalid_grant');
    }
    const updated = await this.connections.replaceTokens(current, tokens);
    if (updated) {
      this.remember(updated);
      this.events.emit(HOVER_EVENTS.REFRESHED, { connectionId, at: Date.now(), accessTokenExpiresAt: updated.accessTokenExpiresAt });
      return updated;
    }
    // Lost the compare-and-swap: another writer stored a newer grant; use it.
    this.forget(connectionId);
    return await this.loadActive(connectionId);
  }

  /** A no-op when the token write or the reauthorization mark already released it. */
  private async releaseLease(connectionId: string, owner: string): Promise<void> {
    await this.connections.releaseRefreshLease(connectionId, owner).catch((error: unknown) => {
      this.logger.warn(`Could not release the refresh lease of connection "${connectionId}" (${(error as Error).name}); it lapses on its own.`);
    });
  }

  private connectionBreaker(connectionId: string): CircuitBreakerPolicy {
    let entry = this.connectionBreakers.get(connectionId);
    if (!entry) {
      const created: { policy?: CircuitBreakerPolicy; backoffUntil: number } = { backoffUntil: 0 };
      created.policy = circuitBreaker(
        handleWhen((error) => !(error instanceof HoverInvalidGrantException) && !(error instanceof BrokenCircuitError)),
        { halfOpenAfter: refreshBackoff((untilMs) => (created.backoffUntil = untilMs)), breaker: new ConsecutiveBreaker(1) },
      );
      entry = created as { policy: CircuitBreakerPolicy; backoffUntil: number };
      this.connectionBreakers.set(connectionId, entry);
    }
    return entry.policy;
  }


  /**
   * True when `stored` needs no refresh from us: its access token is not due, and it is not the one
   * Hover just rejected (another caller or instance already replaced it).
   */
  private isReplaced(stored: HoverConnection, rejectedAccessToken?: string): boolean {
    return !this.isDueForRefresh(stored) && (rejectedAccessToken === undefined || stored.accessToken !== rejectedAccessToken);
  }

  private async requireReauthorization(rejected: HoverConnection, reason: 'invalid_grant' | 'no_refresh_token'): Promise<never> {
    this.forget(rejected.connectionId);
    // Only the writer whose mark changed the row reports it: one event per change across instances.
    if (await this.connections.markReauthorizationRequired(rejected)) {
      this.logger.warn(
        reason === 'invalid_grant'
          ? `Hover refused the refresh token of connection "${rejected.connectionId}" (invalid_grant); it is now reauthorization_required.`
          : `Connection "${rejected.connectionId}" has no refresh token to renew its access token; it is now reauthorization_required.`,
      );
      this.events.emit(HOVER_EVENTS.REAUTHORIZATION_REQUIRED, { connectionId: rejected.connectionId, at: Date.now(), reason });
    }
    throw new HoverReauthorizationRequiredException(rejected.connectionId, this.options.authorizePath);
  }

  private async loadActive(connectionId: string): Promise<HoverConnection> {
    const stored = await this.connections.findById(connectionId);
    if (!stored) {
      this.forget(connectionId);
      throw new HoverNotConnectedException(connectionId, this.options.authorizePath);
    }
    if (stored.status !== 'active') {
      this.forget(connectionId);
      throw new HoverReauthorizationRequiredException(connectionId, this.options.authorizePath);
    }
    this.remember(stored);
    return stored;
  }

  /**
   * Caches `connection` unless the cache already holds a newer version: a read that started before a
   * concurrent refresh committed must not put the replaced token back.
   */
  private remember(connection: HoverConnection): void {
    const id = connection.connectionId;
    const cached = this.cache.get(id);
    if (cached && connection.version < cached.connection.version) return;
    // Beyond the bound the least recently used row goes; its next call reads it again.
    setMostRecent(this.cache, id, { connection, at: Date.now() }, this.options.cacheMaxConnections);
  }

  /**
   * Due when the access token expires within the refresh margin: `refreshMarginSeconds`, but never
   * more than half the token's real lifetime (expiry − receipt), so a token Hover issues for less than
   * the margin is still used for half its life and refreshed proactively at most once, instead of
   * refreshed on every call. Rows stored before the receipt time was kept use the configured margin.
   */
  private isDueForRefresh(connection: HoverConnection): boolean {
    let marginMs = this.options.refreshMarginSeconds * 1000;
    if (connection.accessTokenIssuedAt !== null && connection.accessTokenIssuedAt !== undefined) {
      marginMs = Math.min(marginMs, Math.floor((connection.accessTokenExpiresAt - connection.accessTokenIssuedAt) / 2));
    }
    return connection.accessTokenExpiresAt - marginMs <= Date.now();
  }
}
