import type { HttpService } from '@nestjs/axios';
import type { AxiosResponse } from 'axios';
import type { Observable } from 'rxjs';
import { Logger } from '@nestjs/common';
import { HoverInvalidArgumentException } from '../exceptions/hover-connection.exceptions';
import type { HoverJob, HoverJobPagingOptions, HoverJobsPageV2, HoverJobsPageV3, HoverUserProfile } from './hover-api.models';
import type { HoverRequestConfig, HoverScopedRequestConfig } from './hover-request-config';

const logger = new Logger('HoverAuth');

const dataOf = <T>(response: AxiosResponse<T>): T => response.data;

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
  requestData<T = any>(config: HoverRequestConfig): Promise<T> {
    // Straight to the axios instance, and no async function: an Observable or an extra await would
    // only add cost on every call.
    return this.http.axiosRef.request<T>(this.scope(config)).then(dataOf);
  }

  /** `GET url` and resolve to the response body, e.g. `getData<JobsPage>('/v3/jobs', { params: { page: 1 } })`. */
  getData<T = any>(url: string, config?: HoverRequestConfig): Promise<T> {
    // One copy of the config (scope() with the method and URL), not two: this runs on every call.
    return this.http.axiosRef.request<T>(this.scope(config, 'GET', url)).then(dataOf);
  }

  /** `POST url` with `data` (JSON) and resolve to the response body. Not retried unless `hoverRetry: true`. */
  postData<T = any>(url: string, data?: unknown, config?: HoverRequestConfig): Promise<T> {
    return this.requestData<T>({ ...config, method: 'POST', url, data });
  }

  /** `PUT url` with `data` (JSON) and resolve to the response body. Retried after 429/502/503/504 (idempotent). */
  putData<T = any>(url: string, data?: unknown, config?: HoverRequestConfig): Promise<T> {
    return this.requestData<T>({ ...config, method: 'PUT', url, data });
  }

  /** `PATCH url` with `data` (JSON) and resolve to the response body. Not retried unless `hoverRetry: true`. */
  patchData<T = any>(url: string, data?: unknown, config?: HoverRequestConfig): Promise<T> {
    return this.requestData<T>({ ...config, method: 'PATCH', url, data });
  }

  /** `DELETE url` and resolve to the response body (often empty). Retried after 429/502/503/504 (idempotent). */
  deleteData<T = any>(url: string, config?: HoverRequestConfig): Promise<T> {
    return this.requestData<T>({ ...config, method: 'DELETE', url });
  }

  /** `GET /v2/users/profile`: the user this connection acts for and their orgs. */
  getProfile(config?: HoverRequestConfig): Promise<HoverUserProfile> {
    return this.getData<HoverUserProfile>('/v2/users/profile', config);
  }

  /** `GET /v3/jobs/{id}`. @throws {HoverApiException} 404 when the job does not exist for this org */
  async getJob(id: number, config?: HoverRequestConfig): Promise<HoverJob> {
    if (!Number.isSafeInteger(id) || id < 1) throw new HoverInvalidArgumentException('`id` must be a positive integer job id.');
    return this.getData<HoverJob>(`/v3/jobs/${id}`, config);
  }

  /**
   * Every job of the org, page after page of `GET /v3/jobs?page=&per=` (one request per page, when the
   * loop needs it). Stops after the page whose `next_page` is `null`; never requests a page twice (a
   * `next_page` that does not move forward ends the iteration with a warning, instead of looping).
   * @example for await (const job of hover.forConnection(id).jobsV3({ perPage: 100 })) { … }
   * @throws {HoverInvalidArgumentException} for a `perPage` outside 1–100 or a `startPage` below 1
   * @throws {HoverApiException} (and the other errors of every call) as a page fails
   */
  async *jobsV3(options: HoverJobPagingOptions = {}): AsyncGenerator<HoverJob, void, undefined> {
    for await (const page of this.jobPagesV3(options)) yield* page.results;
  }

  /** The pages behind {@link jobsV3}, for callers that need `pagination` (totals) too. */
  async *jobPagesV3(options: HoverJobPagingOptions = {}): AsyncGenerator<HoverJobsPageV3, void, undefined> {
    const { perPage, startPage } = pagingOptions(options);
    let page: number | null = startPage;
    while (page !== null && !options.signal?.aborted) {
      const answer: HoverJobsPageV3 = await this.getData<HoverJobsPageV3>('/v3/jobs', {
        params: { ...options.params, page, per: perPage },
        signal: options.signal,
      });
      const results = Array.isArray(answer?.results) ? answer.results : [];
      yield { pagination: answer?.pagination, results } as HoverJobsPageV3;
      const next: unknown = answer?.pagination?.next_page;
      if (next === null || next === undefined) return;
      if (typeof next !== 'number' || !Number.isSafeInteger(next) || next <= page) {
        logger.warn(`Hover's /v3/jobs page ${page} names next_page ${typeof next === 'number' ? next : typeof next}, which does not move forward: stopping.`);
        return;
      }
      page = next;
    }
  }

  /**
   * Every job of the org through the v2 list, `GET /v2/jobs?page=&per_page=`: pages 1 (or `startPage`)
   * to `total_pages` as the first page states it, so a list that grows while it is read cannot make the
   * loop run on. An empty page ends it too.
   * @throws as {@link jobsV3}
   */
  async *jobsV2(options: HoverJobPagingOptions = {}): AsyncGenerator<HoverJob, void, undefined> {
    for await (const page of this.jobPagesV2(options)) yield* page.results;
  }

  /** The pages behind {@link jobsV2}. */
  async *jobPagesV2(options: HoverJobPagingOptions = {}): AsyncGenerator<HoverJobsPageV2, void, undefined> {
    const { perPage, startPage } = pagingOptions(options);
    let lastPage = Number.POSITIVE_INFINITY;
    for (let page = startPage; page <= lastPage && !options.signal?.aborted; page++) {
      const answer: HoverJobsPageV2 = await this.getData<HoverJobsPageV2>('/v2/jobs', {
        params: { ...options.params, page, per_page: perPage },
        signal: options.signal,
      });
      const results = Array.isArray(answer?.results) ? answer.results : [];
      yield { pagination: answer?.pagination, results } as HoverJobsPageV2;
      const total = answer?.pagination?.total_pages;
      if (lastPage === Number.POSITIVE_INFINITY) lastPage = typeof total === 'number' && Number.isSafeInteger(total) ? total : page;
      if (results.length === 0) return;
    }
  }

  /** Binds the request to this connection; hover-auth's internal fields cannot come from the caller. */
  private scope(config: HoverRequestConfig = {}, method?: string, url?: string): HoverScopedRequestConfig {
    const scoped: HoverScopedRequestConfig = method === undefined ? { ...config } : { ...config, method, url };
    scoped.hoverConnectionId = this.connectionId;
    // Rarely present (only a caller trying to set them): checked first, so the common case copies once.
    if (scoped.hoverAccessToken !== undefined || scoped.hoverRetried !== undefined || scoped.hoverAttempt !== undefined || scoped.hoverSynchronous !== undefined) {
      const { hoverAccessToken: _token, hoverRetried: _retried, hoverAttempt: _attempt, hoverSynchronous: _synchronous, ...rest } = scoped;
      return rest;
    }
    return scoped;
  }

}

/** Validated paging options: `perPage` 1–100 (default 50), `startPage` ≥ 1 (default 1). */
function pagingOptions(options: HoverJobPagingOptions): { perPage: number; startPage: number } {
  const perPage = options.perPage ?? 50;
  const startPage = options.startPage ?? 1;
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
    throw new HoverInvalidArgumentException('`perPage` must be an integer from 1 to 100 (Hover serves at most 100 jobs per page).');
  }
  if (!Number.isSafeInteger(startPage) || startPage < 1) throw new HoverInvalidArgumentException('`startPage` must be an integer of 1 or more.');
  return { perPage, startPage };
}
