import { HoverIntegrationsUnavailableException } from '../exceptions/hover-connection.exceptions';
import type { HttpService } from '@nestjs/axios';
import axios, { AxiosError, AxiosHeaders, CanceledError, type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { resolveHoverAuthOptions } from '../config/resolve-hover-auth-options';
import { HoverApiException } from '../exceptions/hover-api.exception';
import { TEST_ENCRYPTION_KEYS } from '../testing/hover-auth-test-fixtures';
import type { HoverTokenManager } from '../tokens/hover-token-manager.service';
import type { HoverAuthModuleOptions } from '../hover-auth-options.interface';
import { HoverAxiosHooks } from './hover-axios-hooks';
import type { HoverIntegrationsMonitor } from './hover-integrations-monitor';
import { HoverRateLimiter } from './hover-rate-limiter';
import { HoverHttpClient } from './hover-http-client';

const ACCESS_TOKEN = 'at-SECRET-0123456789abcdef';
const optionsWith = (overrides: Partial<HoverAuthModuleOptions> = {}) =>
  resolveHoverAuthOptions({
    clientId: 'client',
    clientSecret: 'secret',
    redirectUri: 'http://localhost:3000/hover/callback',
    baseUrl: 'http://127.0.0.1:9',
    encryptionKeys: TEST_ENCRYPTION_KEYS,
    ...overrides,
  });
const options = optionsWith();

/** A client whose transport answers with `answer` (a response tuple or a thrown error). */
function clientAnswering(
  answer: (config: InternalAxiosRequestConfig) => Promise<{ status: number; data?: unknown; headers?: Record<string, string> }>,
  resolved = options,
  limiter: HoverRateLimiter | null = null,
) {
  const sentAt: number[] = [];
  const adapter: AxiosAdapter = async (config) => {
    sentAt.push(Date.now());
    const { status, data = '', headers = {} } = await answer(config);
    const response = { status, statusText: String(status), data, headers: AxiosHeaders.from(headers), config, request: {} };
    if (status >= 400) throw new AxiosError(`Request failed with status code ${status}`, 'ERR_BAD_RESPONSE', config, {}, response);
    return response;
  };
  const http = { axiosRef: axios.create({ adapter }) } as unknown as HttpService;
  const tokens = {
    peekAccessToken: () => ACCESS_TOKEN,
    canPeekAccessToken: () => true,
    recoverFromUnauthorized: jest.fn(async () => ACCESS_TOKEN),
    isFreshTokenRejected: () => false,
    noteFreshTokenRejected: jest.fn(() => 1000),
    noteApiSuccess: () => undefined,
    findConnection: jest.fn(async () => ({ integrationsEnabled: true })),
  } as unknown as HoverTokenManager;
  const integrations = { noteUse: () => undefined, noteForbidden: jest.fn(async () => undefined) };
  const hooks = new HoverAxiosHooks(http, tokens, resolved, integrations as unknown as HoverIntegrationsMonitor, limiter);
  hooks.onModuleInit();
  return { client: new HoverHttpClient(http, 'acct'), tokens, hooks, integrations, sentAt };
}

async function failureOf(promise: Promise<unknown>): Promise<HoverApiException> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HoverApiException);
  const rendered = inspect(error, { depth: 12 });
  expect(rendered).not.toContain(ACCESS_TOKEN);
  return error as HoverApiException;
}

describe('HoverAxiosHooks: API failures become HoverApiException', () => {
  it('429 with a Retry-After beyond retry.maxRetryAfterSeconds → 503 HOVER_API_RATE_LIMITED carrying retryAfterSeconds; no retry, no refresh', async () => {
    let calls = 0;
    const { client, tokens } = clientAnswering(async () => {
      calls++;
      return { status: 429, data: { error: 'rate limited' }, headers: { 'retry-after': '142' } };
    });
    const error = await failureOf(client.getData('/v3/jobs', { params: { page: 2 } }));
    expect([error.getStatus(), error.code, error.hoverStatus, error.retryAfterSeconds, error.path, error.method]).toEqual([503, 'HOVER_API_RATE_LIMITED', 429, 142, '/v3/jobs', 'GET']);
    expect(error.hoverBody).toEqual({ error: 'rate limited' });
    expect(calls).toBe(1);
    expect(tokens.recoverFromUnauthorized).not.toHaveBeenCalled();
  });

  it('Retry-After as an HTTP-date is converted to seconds', async () => {
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    const { client } = clientAnswering(async () => ({ status: 503, headers: { 'retry-after': inAMinute } }));
    const error = await failureOf(client.postData('/v2/jobs', { job: { name: 'x' } }));
    expect([error.getStatus(), error.code, error.method]).toEqual([503, 'HOVER_API_ERROR', 'POST']);
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(58);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('a 401 is retried once with a recovered token; a second 401 → 502 HOVER_API_TOKEN_REJECTED', async () => {
    let calls = 0;
    const { client, tokens } = clientAnswering(async () => {
      calls++;
      return { status: 401, data: '' };
    });
    const error = await failureOf(client.getData('/v3/jobs/1'));
    expect([error.getStatus(), error.code, error.hoverStatus, error.hoverBody, calls]).toEqual([502, 'HOVER_API_TOKEN_REJECTED', 401, null, 2]);
    expect(tokens.recoverFromUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('a long text body is kept, cut to 2 KiB; the query string never reaches path or message', async () => {
    const { client } = clientAnswering(async () => ({ status: 500, data: 'x'.repeat(5000) }));
    const error = await failureOf(client.getData('/v3/jobs?email=someone@example.com'));
    expect([error.getStatus(), (error.hoverBody as string).length, error.path]).toEqual([502, 2048, '/v3/jobs']);
    expect(error.message).not.toContain('someone@example.com');
  });

  it('no answer: a network error → 503 HOVER_API_UNAVAILABLE, a timeout → 504 HOVER_API_TIMEOUT', async () => {
    const refused = clientAnswering(async (config) => {
      throw new AxiosError('connect ECONNREFUSED', 'ECONNREFUSED', config);
    });
    const unavailable = await failureOf(refused.client.getData('/v3/jobs'));
    expect([unavailable.getStatus(), unavailable.code, unavailable.hoverStatus]).toEqual([503, 'HOVER_API_UNAVAILABLE', null]);
    const slow = clientAnswering(async (config) => {
      throw new AxiosError('timeout of 30000ms exceeded', 'ECONNABORTED', config);
    });
    const timedOut = await failureOf(slow.client.getData('/v3/jobs'));
    expect([timedOut.getStatus(), timedOut.code]).toEqual([504, 'HOVER_API_TIMEOUT']);
  });

  it("a request the caller cancelled stays axios's CanceledError (not Hover's failure)", async () => {
    // A transport that never answers but gives up on abort, as axios's own adapters do (the request is
    // already dispatched when the caller aborts: the steady-state hook is synchronous).
    const { client } = clientAnswering(
      (config) =>
        new Promise((_resolve, reject) =>
          (config.signal as AbortSignal).addEventListener('abort', () => reject(new CanceledError(undefined, undefined, config))),
        ),
    );
    const controller = new AbortController();
    const pending = client.getData('/v3/jobs', { signal: controller.signal });
    controller.abort();
    const error = await pending.catch((caught: unknown) => caught);
    expect(axios.isCancel(error)).toBe(true);
  });

  it("a caller cannot smuggle hover-auth's internal fields in: the managed access token is always sent", async () => {
    const sent: string[] = [];
    const { client } = clientAnswering(async (config) => {
      sent.push(String(config.headers.get('Authorization')));
      return { status: 200, data: { ok: true } };
    });
    const smuggled = { hoverAccessToken: 'attacker-token', hoverRetried: true, hoverConnectionId: 'other-account' } as object;
    expect(await client.getData('/v3/jobs', smuggled)).toEqual({ ok: true });
    expect(sent).toEqual([`Bearer ${ACCESS_TOKEN}`]);
  });

  it.each<[string, string, object]>([
    ['an absolute URL to another host', 'http://127.0.0.1:3335/steal', {}],
    ['a protocol-relative URL', '//evil.example/x', {}],
    ['a baseURL override', '/v3/jobs', { baseURL: 'http://127.0.0.1:3335' }],
    ['a path climbing out of /api', '/../oauth/token', {}],
    ['an absolute URL to Hover outside /api', 'http://127.0.0.1:9/oauth/token', {}],
  ])('the bearer token never leaves the API: %s is refused before anything is sent', async (_label, url, config) => {
    let sent = 0;
    const { client } = clientAnswering(async () => {
      sent++;
      return { status: 200, data: {} };
    });
    const failure = await client.getData(url, config).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'HOVER_INVALID_ARGUMENT' });
    expect((failure as Error).message).toBe(
      'A Hover API request must stay under http://127.0.0.1:9/api/: pass a path such as /v3/jobs, not an absolute URL or another baseURL. Nothing was sent.',
    );
    expect(sent).toBe(0);
  });

  it('an absolute URL under the API, or the API baseURL itself, is fine', async () => {
    const urls: string[] = [];
    const { client } = clientAnswering(async (config) => {
      urls.push(String(config.url));
      return { status: 200, data: { ok: true } };
    });
    expect(await client.getData('http://127.0.0.1:9/api/v3/jobs/1')).toEqual({ ok: true });
    expect(await client.getData('v3/jobs', { baseURL: 'http://127.0.0.1:9/api/' })).toEqual({ ok: true });
    expect(urls).toHaveLength(2);
  });

  it('a body axios cannot encode is the caller\'s error (HOVER_INVALID_ARGUMENT), not "Hover unavailable"', async () => {
    const { client } = clientAnswering(async (config) => {
      throw new AxiosError('Data after transformation must be a string, an ArrayBuffer, a Buffer, or a Stream', 'ERR_BAD_REQUEST', config);
    });
    const failure = await client.postData('/v3/jobs', {}).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'HOVER_INVALID_ARGUMENT' });
    expect((failure as Error).message).toBe('The request POST /v3/jobs could not be sent (axios ERR_BAD_REQUEST): check its body and options.');
  });
});

describe('HoverHttpService.forConnection', () => {
  it.each([undefined, null, 42, '', 'x'.repeat(192)])('refuses %p with HOVER_INVALID_CONNECTION_ID before any request', (id) => {
    const { HoverHttpService } = jest.requireActual('./hover-http.service') as typeof import('./hover-http.service');
    const service = new HoverHttpService({ axiosRef: axios.create() } as unknown as HttpService);
    expect(() => service.forConnection(id as string)).toThrow(expect.objectContaining({ code: 'HOVER_INVALID_CONNECTION_ID' }));
  });
});

describe('HoverAxiosHooks: retries of transient API failures (option retry)', () => {
  const fast = optionsWith({ retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 }, rateLimit: false });

  /** A transport answering `statuses` in turn (then 200), recording each attempt's method and time. */
  function sequence(statuses: Array<number | 'network'>, resolved = fast, headers: Record<string, string> = {}) {
    const attempts: Array<{ method: string; at: number; body: unknown }> = [];
    const answered = clientAnswering(async (config) => {
      attempts.push({ method: (config.method ?? '').toUpperCase(), at: Date.now(), body: config.data });
      const next = statuses[attempts.length - 1] ?? 200;
      if (next === 'network') throw new AxiosError('connect ECONNREFUSED', 'ECONNREFUSED', config);
      return { status: next, data: next === 200 ? { ok: attempts.length } : { error: 'x' }, headers: next === 200 ? {} : headers };
    }, resolved);
    return { ...answered, attempts };
  }

  it.each([429, 502, 503, 504])('a GET answered %i, then 200, is retried and succeeds', async (status) => {
    const { client, attempts } = sequence([status]);
    expect(await client.getData('/v3/jobs')).toEqual({ ok: 2 });
    expect(attempts.map((attempt) => attempt.method)).toEqual(['GET', 'GET']);
  });

  it('a network error (no answer) is retried; after maxAttempts the last failure reaches the caller', async () => {
    const { client, attempts } = sequence(['network', 'network', 'network', 'network']);
    const error = await failureOf(client.getData('/v3/jobs'));
    expect(error.code).toBe('HOVER_API_UNAVAILABLE');
    expect(attempts).toHaveLength(3);
  });

  it('a POST answered 503 is not retried by default', async () => {
    const { client, attempts } = sequence([503]);
    const error = await failureOf(client.postData('/v2/jobs', { job: { name: 'roof' } }));
    expect([error.hoverStatus, error.method]).toEqual([503, 'POST']);
    expect(attempts).toHaveLength(1);
  });

  it('a POST opted in with hoverRetry: true is retried with the same body', async () => {
    const { client, attempts } = sequence([503]);
    expect(await client.postData('/v2/jobs', { job: { name: 'roof' } }, { hoverRetry: true })).toEqual({ ok: 2 });
    expect(attempts.map((attempt) => [attempt.method, attempt.body])).toEqual([
      ['POST', JSON.stringify({ job: { name: 'roof' } })],
      ['POST', JSON.stringify({ job: { name: 'roof' } })],
    ]);
  });

  it('a GET opted out with hoverRetry: false is not retried', async () => {
    const { client, attempts } = sequence([503]);
    expect((await failureOf(client.getData('/v3/jobs', { hoverRetry: false }))).hoverStatus).toBe(503);
    expect(attempts).toHaveLength(1);
  });

  it('a body that cannot be sent twice (a stream) is never retried, even when opted in', async () => {
    const { client, attempts } = sequence([503]);
    const error = await failureOf(client.postData('/v2/uploads', Readable.from(['chunk']), { hoverRetry: true }));
    expect(error.hoverStatus).toBe(503);
    expect(attempts).toHaveLength(1);
  });

  it('waits at least the Retry-After Hover sent (seconds) before the next attempt', async () => {
    const { client, attempts } = sequence([503], fast, { 'retry-after': '1' });
    expect(await client.getData('/v3/jobs')).toEqual({ ok: 2 });
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(990);
  });

  it('a timeout is not retried (Hover may have processed it)', async () => {
    const attempts: number[] = [];
    const { client } = clientAnswering(async (config) => {
      attempts.push(Date.now());
      throw new AxiosError('timeout of 100ms exceeded', 'ECONNABORTED', config);
    }, fast);
    expect((await failureOf(client.getData('/v3/jobs'))).code).toBe('HOVER_API_TIMEOUT');
    expect(attempts).toHaveLength(1);
  });

  it('retry: false turns retries off', async () => {
    const { client, attempts } = sequence([503], optionsWith({ retry: false, rateLimit: false }));
    expect((await failureOf(client.getData('/v3/jobs'))).hoverStatus).toBe(503);
    expect(attempts).toHaveLength(1);
  });

  it('a retry attempt answered 401 refreshes once more (it is a new send, not the replay of a fresh token)', async () => {
    // 401 → refresh → replay 503 → back-off → retry attempt 401 (the token expired meanwhile) → refresh → replay 200.
    const { client, attempts, tokens } = sequence([401, 503, 401]);
    expect(await client.getData('/v3/jobs')).toEqual({ ok: 4 });
    expect(attempts).toHaveLength(4);
    expect(tokens.recoverFromUnauthorized).toHaveBeenCalledTimes(2);
    expect(tokens.noteFreshTokenRejected).not.toHaveBeenCalled();
  });

  it('a 403 asks the integrations monitor to re-read the profile, and is not retried', async () => {
    const { client, attempts, integrations } = sequence([403]);
    expect((await failureOf(client.getData('/v3/jobs'))).hoverStatus).toBe(403);
    expect(attempts).toHaveLength(1);
    expect(integrations.noteForbidden).toHaveBeenCalledWith('acct');
  });

  it('a 403 after which the re-read profile says the plan lost integrations is HOVER_INTEGRATIONS_UNAVAILABLE', async () => {
    const { client, tokens } = sequence([403]);
    (tokens.findConnection as jest.Mock).mockResolvedValue({ integrationsEnabled: false });
    const failure = await client.getData('/v3/jobs').then(
      () => undefined,
      (caught: unknown) => caught as HoverIntegrationsUnavailableException,
    );
    expect(failure).toBeInstanceOf(HoverIntegrationsUnavailableException);
    if (!failure) throw new Error('expected a failure');
    expect(failure.getResponse()).toMatchObject({ statusCode: 403, code: 'HOVER_INTEGRATIONS_UNAVAILABLE', connectionId: 'acct' });
  });
});

describe('HoverAxiosHooks: the steady state costs no promise hop before the transport', () => {
  it('with the token cached and a free rate-limit slot, the request reaches the transport in the same tick', async () => {
    let dispatched = false;
    const { client } = clientAnswering(async () => {
      dispatched = true;
      return { status: 200, data: { ok: true } };
    });
    const pending = client.getData('/v3/jobs');
    expect(dispatched).toBe(true);
    expect(await pending).toEqual({ ok: true });
  });

  it('without a cached token the asynchronous hook runs: the token is fetched first, then sent', async () => {
    const sent: string[] = [];
    const http = {
      axiosRef: axios.create({
        adapter: async (config) => {
          sent.push(String(config.headers.get('Authorization')));
          return { status: 200, statusText: 'OK', data: { ok: true }, headers: AxiosHeaders.from({}), config, request: {} };
        },
      }),
    } as unknown as HttpService;
    const tokens = {
      canPeekAccessToken: () => false,
      peekAccessToken: () => undefined,
      getAccessToken: jest.fn(async () => 'at-after-refresh'),
      noteApiSuccess: () => undefined,
    } as unknown as HoverTokenManager;
    new HoverAxiosHooks(http, tokens, options, { noteUse: () => undefined, noteForbidden: () => undefined } as unknown as HoverIntegrationsMonitor).onModuleInit();
    const pending = new HoverHttpClient(http, 'acct').getData('/v3/jobs');
    expect(sent).toEqual([]);
    expect(await pending).toEqual({ ok: true });
    expect(sent).toEqual(['Bearer at-after-refresh']);
    expect(tokens.getAccessToken).toHaveBeenCalledWith('acct');
  });
});

describe('HoverAxiosHooks: cancelling and pausing with the rate limiter on', () => {
  function withLimiter(
    answer: (config: InternalAxiosRequestConfig) => Promise<{ status: number; data?: unknown; headers?: Record<string, string> }>,
    windows = [{ limit: 120, windowMs: 60_000 }],
  ) {
    const limiter = new HoverRateLimiter({ windows, maxQueue: 10, maxWaitMs: 1000 });
    const { client, hooks, sentAt } = clientAnswering(answer, optionsWith({ retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 } }), limiter);
    return { client, limiter, attempts: sentAt, hooks };
  }

  let unhandled: unknown[];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled = [];
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('an already aborted request rejects with axios CanceledError, sends nothing, takes no slot and leaves no unhandled rejection', async () => {
    const { client, limiter, attempts, hooks } = withLimiter(async () => ({ status: 200, data: {} }));
    const error = await client.getData('/v3/jobs', { signal: AbortSignal.abort() }).catch((caught: unknown) => caught);
    await new Promise((resolve) => setImmediate(resolve));
    expect(axios.isCancel(error)).toBe(true);
    expect(attempts).toEqual([]);
    expect(limiter.stats().windows[0].used).toBe(0);
    expect(unhandled).toEqual([]);
    hooks.onModuleDestroy();
  });

  it('aborting while the call waits for a retry back-off (Retry-After: 5) ends it at once with CanceledError', async () => {
    const { client, attempts, hooks } = withLimiter(async () => ({ status: 503, headers: { 'retry-after': '5' } }));
    const controller = new AbortController();
    const started = Date.now();
    const pending = client.getData('/v3/jobs', { signal: controller.signal }).catch((caught: unknown) => caught);
    setTimeout(() => controller.abort(), 100);
    const error = await pending;
    expect(axios.isCancel(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(attempts).toHaveLength(1);
    hooks.onModuleDestroy();
  });

  it('a request cancelled by its cancel token (an unsubscribed @nestjs/axios Observable) while queued leaves the queue at once', async () => {
    // 2 per 800 ms: the third request can get a slot within maxWaitMs (1 s), so it waits in the queue.
    const { client, limiter, attempts, hooks } = withLimiter(async () => ({ status: 200, data: { ok: true } }), [{ limit: 2, windowMs: 800 }]);
    for (let i = 0; i < 2; i++) await client.getData('/v3/jobs');
    const source = axios.CancelToken.source();
    const queued = client.getData('/v3/jobs', { cancelToken: source.token }).catch((caught: unknown) => caught);
    await new Promise((resolve) => setImmediate(resolve));
    expect(limiter.stats().queued).toBe(1);
    source.cancel();
    const error = await queued;
    expect(axios.isCancel(error)).toBe(true);
    expect(limiter.stats()).toMatchObject({ queued: 0, windows: [{ used: 2 }] });
    expect(attempts).toHaveLength(2);
    expect(unhandled).toEqual([]);
    hooks.onModuleDestroy();
  });

  it('a 429 with Retry-After: 86400 pauses this instance for at most retry.maxRetryAfterSeconds (60 s), and later calls are refused at once', async () => {
    const { client, limiter, hooks } = withLimiter(async () => ({ status: 429, headers: { 'retry-after': '86400' } }));
    const before = Date.now();
    const error = (await client.getData('/v3/jobs').catch((caught: unknown) => caught)) as HoverApiException;
    expect([error.code, error.retryAfterSeconds]).toEqual(['HOVER_API_RATE_LIMITED', 86400]);
    const pausedUntil = limiter.stats().pausedUntil as number;
    expect(pausedUntil).toBeGreaterThanOrEqual(before + 60_000);
    expect(pausedUntil).toBeLessThanOrEqual(Date.now() + 60_000);
    const started = Date.now();
    const refused = await client.getData('/v3/jobs').catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(500); // not maxWaitMs: the pause outlasts it, so refused at once
    expect(refused).toMatchObject({ code: 'HOVER_RATE_LIMIT_QUEUE_FULL', reason: 'wait_exceeded' });
    hooks.onModuleDestroy();
  });
});
