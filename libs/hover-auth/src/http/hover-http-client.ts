import type { HttpService } from '@nestjs/axios';
import type { AxiosResponse } from 'axios';
import type { Observable } from 'rxjs';
import type { HoverRequestConfig, HoverScopedRequestConfig } from './hover-request-config';

/**
 * Calls Hover's API (`{baseUrl}/api`, so paths look like `/v3/jobs`) on behalf of one connection. The
 * access token is attached and refreshed automatically. Shaped like `@nestjs/axios`'s `HttpService`
 * (cold Observables of `AxiosResponse`), plus promise helpers that resolve to the response body.
 *
 * Errors (all {@link HoverAuthException}s with a stable `code`): {@link HoverNotConnectedException},
 * {@link HoverReauthorizationRequiredException}, {@link HoverTokenEndpointException} subclasses or
 * {@link HoverRefreshTimeoutException} when a needed refresh fails, {@link HoverTokenDecryptionException},
 * and {@link HoverApiException} when Hover's API answers an error or does not answer. A request the
 * caller cancels (`signal`) rejects with axios's `CanceledError`.
 */
export class HoverHttpClient {
  constructor(
    protected readonly http: HttpService,
    /** The connection this client acts for. */
    readonly connectionId: string,
  ) {}

  request<T = any>(config: HoverRequestConfig): Observable<AxiosResponse<T>> {
    return this.http.request<T>(this.scope(config));
  }

  get<T = any>(url: string, config?: HoverRequestConfig): Observable<AxiosResponse<T>> {
    return this.http.get<T>(url, this.scope(config));
  }

  delete<T = any>(url: string, config?: HoverRequestConfig): Observable<AxiosResponse<T>> {
    return this.http.delete<T>(url, this.scope(config));
  }

  head<T = any>(url: string, config?: HoverRequestConfig): Observable<AxiosResponse<T>> {
    return this.http.head<T>(url, this.scope(config));
  }

  post<T = any>(url: string, data?: unknown, config?: HoverRequestConfig): Observable<AxiosResponse<T>> {
    return this.http.post<T>(url, data, this.scope(config));
  }

  put<T = any>(url: string, data?: unknown, config?: HoverRequestConfig): Observable<AxiosResponse<T>> {
    return this.http.put<T>(url, data, this.scope(config));
  }

  patch<T = any>(url: string, data?: unknown, config?: HoverRequestConfig): Observable<AxiosResponse<T>> {
    return this.http.patch<T>(url, data, this.scope(config));
  }

  /** Sends `config` and resolves to the response body. */
  async requestData<T = any>(config: HoverRequestConfig): Promise<T> {
    // Straight to the axios instance: an Observable round trip would only add cost here.
    return (await this.http.axiosRef.request<T>(this.scope(config))).data;
  }

  /** `GET url` and resolve to the response body, e.g. `getData<JobsPage>('/v3/jobs', { params: { page: 1 } })`. */
  getData<T = any>(url: string, config?: HoverRequestConfig): Promise<T> {
    return this.requestData<T>({ ...config, method: 'GET', url });
  }

  /** `POST url` with `data` (JSON) and resolve to the response body. */
  postData<T = any>(url: string, data?: unknown, config?: HoverRequestConfig): Promise<T> {
    return this.requestData<T>({ ...config, method: 'POST', url, data });
  }

  /** Binds the request to this connection; hover-auth's internal fields cannot come from the caller. */
  private scope(config: HoverRequestConfig = {}): HoverScopedRequestConfig {
    const { hoverAccessToken: _token, hoverRetried: _retried, ...rest } = config as HoverScopedRequestConfig;
    return { ...rest, hoverConnectionId: this.connectionId };
  }
}
