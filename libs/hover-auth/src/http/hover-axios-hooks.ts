import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { RetryPolicy } from 'cockatiel';
import { AxiosHeaders, type AxiosError, CanceledError, isAxiosError, isCancel } from 'axios';
import { HoverApiException, HoverRequestNotReplayedException, parseRetryAfterSeconds } from '../exceptions/hover-api.exception';
import { HoverInvalidArgumentException } from '../exceptions/hover-connection.exceptions';
import { isReplayableBody } from './replayable-body';
import { HOVER_AUTH_RESOLVED_OPTIONS } from '../hover-auth.constants';
import type { ResolvedHoverAuthOptions } from '../hover-auth-options.interface';
import { HoverTokenManager } from '../tokens/hover-token-manager.service';
import type { HoverInternalRequestConfig } from './hover-request-config';
import { HoverIntegrationsUnavailableException } from '../exceptions/hover-connection.exceptions';
import { apiRetryPolicy, isTransientApiFailure, mayRetryRequest } from './api-retry';
import { HoverRateLimiter } from './hover-rate-limiter';
import { HoverIntegrationsMonitor } from './hover-integrations-monitor';

const BEARER_PREFIX = 'Bearer ';

/**
 * Installs the request/response hooks on the module's own axios instance (`HttpModule.register`,
 * never the global axios) once at module init and removes them on destroy:
 * - request: wait for the client-side rate limiter (option `rateLimit`) when it has no free slot, then
 *   attach `Authorization: Bearer <access token>` (refreshed ahead inside `refreshMarginSeconds`, waited
 *   for only once expired);
 * - response: on a 401, get a replacement token (another writer's, or one refresh) and retry once —
 *   unless the body cannot be sent twice (a stream): then {@link HoverRequestNotReplayedException};
 *   on 429, 502, 503, 504 or a network error, retry with back-off (option `retry`) when the request may
 *   be sent again; on a 403, have the org's integrations re-read; any other failure (or a second 401)
 *   becomes a {@link HoverApiException} with the bearer token scrubbed.
 * Only requests carrying `hoverConnectionId` (set by {@link HoverHttpService}) are touched.
 */
@Injectable()
export class HoverAxiosHooks implements OnModuleInit, OnModuleDestroy {
  private requestHooks: number[] = [];
  private responseHook: number | null = null;
  /** `apiBaseUrl` parsed once: every request is checked against it on the hot path. */
  private readonly api: { origin: string; path: string };

  private readonly retryPolicy: RetryPolicy | null;

  constructor(
    private readonly http: HttpService,
    private readonly tokens: HoverTokenManager,
    @Inject(HOVER_AUTH_RESOLVED_OPTIONS) private readonly options: ResolvedHoverAuthOptions,
    private readonly integrations: HoverIntegrationsMonitor,
    // Explicit token: a `HoverRateLimiter | null` parameter type is emitted as `Object` for Nest's DI.
    @Optional() @Inject(HoverRateLimiter) private readonly limiter: HoverRateLimiter | null = null,
  ) {
    const api = new URL(options.apiBaseUrl);
    this.api = { origin: api.origin, path: api.pathname.replace(/\/+$/, '') };
    this.retryPolicy = options.retry ? apiRetryPolicy(options.retry) : null;
  }

  onModuleInit(): void {
    const axios = this.http.axiosRef;
    axios.defaults.baseURL = this.options.apiBaseUrl;
    axios.defaults.timeout = this.options.httpTimeoutMs;
    // Two request hooks, exactly one of which runs per request (axios evaluates every `runWhen` first):
    // when the token is cached and the rate limiter has a free slot (the steady state), a synchronous
    // hook, so axios dispatches the request in the same tick instead of through a promise chain; else
    // an asynchronous one that may wait for the limiter or a refresh.
    this.requestHooks = [
      axios.interceptors.request.use((config) => this.authorizeNow(config as HoverInternalRequestConfig), undefined, {
        synchronous: true,
        runWhen: (config) => this.canAuthorizeNow(config as HoverInternalRequestConfig),
      }),
      axios.interceptors.request.use((config) => this.authorize(config as HoverInternalRequestConfig), undefined, {
        runWhen: (config) => (config as HoverInternalRequestConfig).hoverSynchronous === false,
      }),
    ];
    this.responseHook = axios.interceptors.response.use(
      (response) => this.succeeded(response),
      (error: unknown) => this.recover(error),
    );
  }

  onModuleDestroy(): void {
    const axios = this.http.axiosRef;
    for (const hook of this.requestHooks) axios.interceptors.request.eject(hook);
    if (this.responseHook !== null) axios.interceptors.response.eject(this.responseHook);
    this.requestHooks = [];
    this.responseHook = null;
    // Requests still waiting for a slot fail now instead of after the app has gone.
    this.limiter?.close();
  }

  /**
   * Decides, without side effects, whether the request can be authorized synchronously; the decision
   * is left on the config for the other hook's `runWhen`. Requests not bound to a connection pass
   * through synchronously.
   */
  private canAuthorizeNow(config: HoverInternalRequestConfig): boolean {
    const connectionId = config.hoverConnectionId;
    const now =
      typeof connectionId !== 'string' ||
      // An aborted request takes the asynchronous hook, which turns the abort into axios's CanceledError.
      (!(config.signal as AbortSignal | undefined)?.aborted &&
        (config.hoverAccessToken !== undefined || this.tokens.canPeekAccessToken(connectionId)) &&
        (this.limiter === null || this.limiter.hasFreeSlot()));
    config.hoverSynchronous = now;
    return now;
  }

  /** The synchronous hook: runs only when {@link canAuthorizeNow} said so, in the same tick. */
  private authorizeNow(config: HoverInternalRequestConfig): HoverInternalRequestConfig {
    const authorized = this.authorize(config);
    // Cannot happen (same tick as canAuthorizeNow); if it did, axios would send a Promise as the config.
    if (authorized instanceof Promise) throw new Error('hover-auth: the synchronous request hook could not authorize synchronously.');
    return authorized;
  }

  /**
   * Checks the target, takes a rate-limit slot and attaches the access token; synchronous when both
   * are at hand (the steady state).
   */
  private authorize(config: HoverInternalRequestConfig): HoverInternalRequestConfig | Promise<HoverInternalRequestConfig> {
    const connectionId = config.hoverConnectionId;
    if (typeof connectionId !== 'string') return config;
    // The bearer token goes to Hover's API and nowhere else: not to an absolute URL or a `baseURL`
    // override pointing elsewhere, not to `/api/../oauth/...`.
    if (!isUnderApiBase(config, this.options.apiBaseUrl, this.api)) {
      throw new HoverInvalidArgumentException(
        `A Hover API request must stay under ${this.options.apiBaseUrl}/: pass a path such as /v3/jobs, not an absolute URL or another baseURL. Nothing was sent.`,
      );
    }
    if ((config.signal as AbortSignal | undefined)?.aborted || config.cancelToken?.reason) throw new CanceledError(undefined, undefined, config);
    if (!this.limiter) return this.attachToken(config, connectionId);
    // Waiting for a slot ends when the caller cancels, by `signal` or by the cancel token that
    // @nestjs/axios's Observables use when unsubscribed: the request leaves the queue, using no slot.
    const cancel = cancellationOf(config);
    const slot = this.limiter.acquire(connectionId, cancel.signal);
    if (!slot) {
      cancel.release();
      return this.attachToken(config, connectionId);
    }
    return slot
      .then(
        () => this.attachToken(config, connectionId),
        (error: unknown) => {
          // Cancelled while waiting for a slot: the caller sees axios's CanceledError, as for any cancel.
          throw cancel.signal?.aborted ? new CanceledError(undefined, undefined, config) : error;
        },
      )
      .finally(cancel.release);
  }

  private attachToken(config: HoverInternalRequestConfig, connectionId: string): HoverInternalRequestConfig | Promise<HoverInternalRequestConfig> {
    const ready = config.hoverAccessToken ?? this.tokens.peekAccessToken(connectionId);
    if (ready !== undefined) return withBearer(config, ready);
    return this.tokens.getAccessToken(connectionId).then((accessToken) => withBearer(config, accessToken));
  }

  /** A success ends any "fresh token rejected" back-off of the connection (a later 401 may refresh again). */
  private succeeded<T extends { config?: unknown }>(response: T): T {
    const connectionId = (response.config as HoverInternalRequestConfig | undefined)?.hoverConnectionId;
    if (typeof connectionId === 'string') {
      this.tokens.noteApiSuccess(connectionId);
      this.integrations.noteUse(connectionId);
    }
    return response;
  }

  private async recover(error: unknown): Promise<unknown> {
    if (!isAxiosError(error) || !error.config) throw error;
    const config = error.config as HoverInternalRequestConfig;
    const connectionId = config.hoverConnectionId;
    if (typeof connectionId !== 'string') throw error;
    if (error.response?.status === 401) {
      const sent = String(AxiosHeaders.from(config.headers).get('Authorization') ?? '').slice(BEARER_PREFIX.length);
      // A 401 for a token obtained a moment ago (the retry), or for one refused that way recently: Hover's
      // API refuses even fresh tokens, so another refresh would only spend the single-use refresh token.
      const freshTokenRejected = config.hoverRetried === true || this.tokens.isFreshTokenRejected(connectionId, sent);
      if (freshTokenRejected) {
        if (config.hoverRetried) this.tokens.noteFreshTokenRejected(connectionId, sent);
        scrubAxiosError(error);
        throw toHoverApiException(error, this.options.apiBaseUrl, 'HOVER_API_TOKEN_REJECTED');
      }
      const accessToken = await this.tokens.recoverFromUnauthorized(connectionId, sent);
      if (!isReplayableBody(config.data)) {
        // The token is renewed for the caller's next attempt, but this body is spent: never resend it.
        scrubAxiosError(error);
        const { method, path } = describeRequest(config, this.options.apiBaseUrl);
        throw new HoverRequestNotReplayedException(method, path);
      }
      return this.http.axiosRef.request({ ...config, hoverRetried: true, hoverAccessToken: accessToken } as HoverInternalRequestConfig);
    }
    scrubAxiosError(error);
    // A request the caller cancelled is not Hover's failure: it stays axios's CanceledError.
    if (isCancel(error)) throw error;
    const failure = toHoverApiException(error, this.options.apiBaseUrl);
    if (failure instanceof HoverApiException) {
      if (failure.hoverStatus === 403 && !config.hoverIntegrationsCheck) {
        // A 403 may be the org's plan losing integrations (Hover's body for it is not documented): wait
        // for the profile re-read, so this caller already gets the typed error the guard gives next.
        await this.integrations.noteForbidden(connectionId);
        if ((await this.tokens.findConnection(connectionId))?.integrationsEnabled === false) {
          throw new HoverIntegrationsUnavailableException(connectionId);
        }
      }
      if (failure.hoverStatus === 429 && failure.retryAfterSeconds !== null) {
        // Hold this instance's sends back as long as Hover asked, but never longer than the longest
        // Retry-After honoured (`retry.maxRetryAfterSeconds`, 60 s without retries): one answer must not
        // stop every connection for a day.
        const capSeconds = this.options.retry ? this.options.retry.maxRetryAfterSeconds : 60;
        this.limiter?.pauseUntil(Date.now() + Math.min(failure.retryAfterSeconds, capSeconds) * 1000);
      }
      // The first failure of a request hands it to the retry policy; the attempts it makes carry
      // `hoverAttempt` and come back here only to be classified.
      if (this.options.retry && this.retryPolicy && config.hoverAttempt === undefined && mayRetryRequest(config) && isTransientApiFailure(failure, this.options.retry.maxRetryAfterSeconds)) {
        const cancel = cancellationOf(config);
        const retried = this.retryPolicy.execute(({ attempt }) => {
          if (attempt === 0) throw failure;
          // A new send: its own 401 may refresh once (not the "fresh token rejected" of a replay), and it
          // takes whatever token is current then.
          return this.http.axiosRef.request({ ...config, hoverAttempt: attempt + 1, hoverRetried: false, hoverAccessToken: undefined } as HoverInternalRequestConfig);
        }, cancel.signal);
        return cancel.signal ? untilAborted(retried, cancel.signal, config).finally(cancel.release) : retried;
      }
    }
    throw failure;
  }
}

/**
 * One AbortSignal for a request's cancellation, whether the caller passed `signal`, a `cancelToken`
 * (what @nestjs/axios's `HttpService` sets and fires when its Observable is unsubscribed), or both.
 * `release()` stops listening to the cancel token. No signal when the request cannot be cancelled.
 */
function cancellationOf(config: HoverInternalRequestConfig): { signal: AbortSignal | undefined; release: () => void } {
  const signal = config.signal as AbortSignal | undefined;
  const token = config.cancelToken;
  if (!token) return { signal, release: () => undefined };
  const controller = new AbortController();
  const onCancel = () => controller.abort();
  token.subscribe(onCancel);
  return {
    signal: signal ? AbortSignal.any([signal, controller.signal]) : controller.signal,
    release: () => token.unsubscribe(onCancel),
  };
}

/**
 * `retried`, or axios's CanceledError as soon as `signal` aborts: cockatiel's back-off sleep does not
 * watch the signal, and a caller who cancels must not wait it out (the policy then sends nothing: its
 * next attempt carries the aborted signal).
 */
function untilAborted<T>(retried: Promise<T>, signal: AbortSignal, config: HoverInternalRequestConfig): Promise<T> {
  if (signal.aborted) {
    retried.catch(() => undefined);
    return Promise.reject(new CanceledError(undefined, undefined, config));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CanceledError(undefined, undefined, config));
    signal.addEventListener('abort', onAbort, { once: true });
    retried.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** axios error codes raised before anything reached the network. */
const CLIENT_SIDE_ERROR_CODES = new Set(['ERR_BAD_REQUEST', 'ERR_BAD_OPTION', 'ERR_BAD_OPTION_VALUE', 'ERR_INVALID_URL', 'ERR_NOT_SUPPORT']);

/**
 * True when the request, as axios will build it (`baseURL` + relative `url`, or an absolute `url`),
 * lands on the API origin under the API path once dot segments are resolved.
 */
function isUnderApiBase(config: HoverInternalRequestConfig, apiBaseUrl: string, api: { origin: string; path: string }): boolean {
  const url = config.url ?? '';
  // Hot path: a plain relative path (letters, digits, `_`, `-`, `/`; no dot or percent sign, so no dot
  // segment, encoded or not; not `//host`) with an optional query, on the module's own base URL, cannot
  // leave the API: no URL parsing needed.
  if ((config.baseURL === undefined || config.baseURL === apiBaseUrl) && PLAIN_API_PATH.test(url)) return true;
  const absolute = /^([a-z][a-z\d+\-.]*:)?\/\//i.test(url);
  const base = (config.baseURL ?? apiBaseUrl).replace(/\/+$/, '');
  let target: URL;
  try {
    target = new URL(absolute ? url : url ? `${base}/${url.replace(/^\/+/, '')}` : base, apiBaseUrl);
  } catch {
    return false;
  }
  return target.origin === api.origin && (target.pathname === api.path || target.pathname.startsWith(`${api.path}/`));
}

/** `/v3/jobs/42?page=2`-like: see {@link isUnderApiBase}. */
const PLAIN_API_PATH = /^\/?(?!\/)[\w\-/]*(?:\?[^#]*)?$/;

/** Longest text of a Hover error body kept on the exception, in characters. */
const MAX_ERROR_TEXT = 2048;

/** See {@link HoverApiException}: the status mapping lives there, the classification here. */
function toHoverApiException(
  error: AxiosError,
  apiBaseUrl: string,
  code?: 'HOVER_API_TOKEN_REJECTED',
): HoverApiException | HoverInvalidArgumentException {
  const { method, path } = describeRequest(error.config, apiBaseUrl);
  const response = error.response;
  if (!response && CLIENT_SIDE_ERROR_CODES.has(error.code ?? '')) {
    // axios refused to send (a body type it cannot encode, a bad option): the caller's bug, not Hover's.
    return new HoverInvalidArgumentException(`The request ${method} ${path} could not be sent (axios ${error.code}): check its body and options.`);
  }
  if (!response) {
    const timedOut = error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT';
    return new HoverApiException({
      code: timedOut ? 'HOVER_API_TIMEOUT' : 'HOVER_API_UNAVAILABLE',
      method,
      path,
      hoverStatus: null,
      hoverBody: null,
      retryAfterSeconds: null,
      cause: error,
    });
  }
  const data: unknown = response.data;
  return new HoverApiException({
    code: code ?? (response.status === 429 ? 'HOVER_API_RATE_LIMITED' : 'HOVER_API_ERROR'),
    method,
    path,
    hoverStatus: response.status,
    hoverBody: data === '' || data === undefined ? null : typeof data === 'string' ? data.slice(0, MAX_ERROR_TEXT) : data,
    retryAfterSeconds: parseRetryAfterSeconds(AxiosHeaders.from(response.headers as any).get('retry-after')),
    cause: error,
  });
}

/**
 * A failed request as errors name it: the upper-case method, and the path relative to the API base URL
 * without query string or fragment (they may carry user data).
 */
function describeRequest(config: { method?: string; url?: string } | undefined, apiBaseUrl: string): { method: string; path: string } {
  const withoutQuery = (config?.url ?? '').split(/[?#]/, 1)[0];
  return {
    method: (config?.method ?? 'get').toUpperCase(),
    path: withoutQuery.startsWith(apiBaseUrl) ? withoutQuery.slice(apiBaseUrl.length) || '/' : withoutQuery || '/',
  };
}

function withBearer(config: HoverInternalRequestConfig, accessToken: string): HoverInternalRequestConfig {
  if (!(config.headers instanceof AxiosHeaders)) config.headers = AxiosHeaders.from(config.headers);
  config.headers.set('Authorization', BEARER_PREFIX + accessToken);
  return config;
}

/** Stands in for the Node `ClientRequest` of a scrubbed error: truthy, like the request it replaces. */
const REDACTED_REQUEST = Object.freeze({ redacted: 'the request object held the Authorization header' });

/**
 * Hosts often log axios errors whole: the config (headers), the Node `ClientRequest` (its raw header
 * text) and the response's copies of both all carry the bearer token. Replace every copy.
 */
export function scrubAxiosError(error: AxiosError): void {
  for (const config of [error.config, error.response?.config] as Array<HoverInternalRequestConfig | undefined>) {
    if (!config) continue;
    const headers = AxiosHeaders.from(config.headers);
    if (headers.has('Authorization')) {
      headers.set('Authorization', 'Bearer [REDACTED]');
      config.headers = headers;
    }
    delete config.hoverAccessToken;
  }
  if (error.request) error.request = REDACTED_REQUEST;
  if (error.response?.request) error.response.request = REDACTED_REQUEST;
}
