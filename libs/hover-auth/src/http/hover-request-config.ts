import type { AxiosRequestConfig, InternalAxiosRequestConfig } from 'axios';

/**
 * Config of a {@link HoverHttpClient} request: axios's own request config, plus `hoverRetry`. `url` is
 * relative to `{baseUrl}/api` (e.g. `/v3/jobs`); the `Authorization` header is set by hover-auth.
 */
export type HoverRequestConfig<D = any> = AxiosRequestConfig<D> & {
  /**
   * Retries of this request after 429, 502, 503, 504 or a network error (module option `retry`):
   * `true` retries it even when its method is not idempotent (e.g. a POST you know Hover deduplicates),
   * `false` never retries it. Default: retried only for GET, HEAD, OPTIONS, PUT and DELETE. A body that
   * cannot be sent twice (a stream) is never retried either way.
   */
  hoverRetry?: boolean;
};

/**
 * Fields hover-auth adds to a request config internally, read by {@link HoverAxiosHooks}. Kept off
 * axios's own type declarations on purpose (augmenting `AxiosRequestConfig` would leak into the host's
 * typings) and off the public {@link HoverRequestConfig}: a caller cannot set them.
 */
export interface HoverRequestFields {
  /** The connection whose access token authorizes the request. Requests without it are left alone. */
  hoverConnectionId?: string;
  /** Access token to send instead of asking the token manager (set on the one retry after a 401). */
  hoverAccessToken?: string;
  /** True on the retry after a 401, so a second 401 is returned to the caller instead of looping. */
  hoverRetried?: boolean;
  /** Set on the attempts the retry policy makes (2, 3, …), so their failures are not retried again. */
  hoverAttempt?: number;
  /** Which request hook authorizes this request: `true` the synchronous one, `false` the asynchronous one. */
  hoverSynchronous?: boolean;
  /** Set on the integrations monitor's own profile read: its 403 must not wait for that same read. */
  hoverIntegrationsCheck?: boolean;
}

export type HoverScopedRequestConfig<D = any> = AxiosRequestConfig<D> & HoverRequestFields;
export type HoverInternalRequestConfig<D = any> = InternalAxiosRequestConfig<D> & HoverRequestFields;
