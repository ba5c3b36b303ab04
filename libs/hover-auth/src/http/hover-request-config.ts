import type { AxiosRequestConfig, InternalAxiosRequestConfig } from 'axios';

/**
 * Config of a {@link HoverHttpClient} request: axios's own request config. `url` is relative to
 * `{baseUrl}/api` (e.g. `/v3/jobs`); the `Authorization` header is set by hover-auth.
 */
export type HoverRequestConfig<D = any> = AxiosRequestConfig<D>;

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
}

export type HoverScopedRequestConfig<D = any> = AxiosRequestConfig<D> & HoverRequestFields;
export type HoverInternalRequestConfig<D = any> = InternalAxiosRequestConfig<D> & HoverRequestFields;
