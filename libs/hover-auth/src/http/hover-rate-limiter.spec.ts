import { getEventListeners } from 'node:events';
import { HoverAuthConfigurationError } from '../exceptions/hover-auth-configuration.error';
import { HoverRateLimitQueueFullException } from '../exceptions/hover-rate-limit.exceptions';
import { HoverRateLimiter, HoverRateLimiterOptions } from './hover-rate-limiter';

const T0 = Date.UTC(2025, 0, 1);
const MINUTE = { limit: 120, windowMs: 60_000 };

/** Observes a promise without awaiting it: `state()` after flushing microtasks. */
function track(promise: Promise<void> | undefined) {
  const result = { settled: false, error: undefined as unknown, at: undefined as number | undefined };
  promise?.then(
    () => Object.assign(result, { settled: true, at: Date.now() }),
    (error: unknown) => Object.assign(result, { settled: true, error, at: Date.now() }),
  );
  return result;
}

describe('HoverRateLimiter', () => {
  let limiter: HoverRateLimiter | undefined;
  const create = (options: Partial<HoverRateLimiterOptions> = {}) =>
    (limiter = new HoverRateLimiter({ windows: [MINUTE], maxQueue: 1000, maxWaitMs: 600_000, ...options }));

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    limiter?.close();
    limiter = undefined;
    jest.useRealTimers();
  });

  it('lets `limit` requests through synchronously, then queues one until the oldest send leaves the window', async () => {
    const rl = create();
    for (let i = 0; i < 120; i++) expect(rl.acquire('a')).toBeUndefined();
    const next = rl.acquire('a');
    expect(next).toBeInstanceOf(Promise);
    const seen = track(next);
    expect(rl.stats()).toEqual({ queued: 1, pausedUntil: undefined, windows: [{ limit: 120, windowMs: 60_000, used: 120 }] });
    expect(jest.getTimerCount()).toBe(1);

    await jest.advanceTimersByTimeAsync(59_999);
    expect(seen.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(seen).toEqual({ settled: true, error: undefined, at: T0 + 60_000 });
    // The released request counts as sent at that moment; the 120 older ones aged out together.
    expect(rl.stats()).toEqual({ queued: 0, pausedUntil: undefined, windows: [{ limit: 120, windowMs: 60_000, used: 1 }] });
    expect(jest.getTimerCount()).toBe(0);
    expect(rl.acquire('a')).toBeUndefined();
  });

  it('keeps a burst of 500 under 120 sends in every 60 s window, serves all, FIFO within each key, with one timer', async () => {
    const rl = create();
    const keys = ['a', 'b', 'c'];
    const sends: Array<{ key: string; index: number; at: number }> = [];
    const pending: Array<Promise<void>> = [];
    for (let index = 0; index < 500; index++) {
      const key = keys[index % 7 === 0 ? 2 : index % 2]; // uneven mix: c is rarer
      const wait = rl.acquire(key);
      if (wait === undefined) sends.push({ key, index, at: Date.now() });
      else pending.push(wait.then(() => void sends.push({ key, index, at: Date.now() })));
    }
    expect(sends).toHaveLength(120);
    expect(rl.stats().queued).toBe(380);

    let maxTimers = 0;
    for (let t = 0; t < 5 * 60_000; t += 1000) {
      maxTimers = Math.max(maxTimers, jest.getTimerCount());
      const used = rl.stats().windows[0].used;
      expect(used).toBeLessThanOrEqual(120);
      await jest.advanceTimersByTimeAsync(1000);
    }
    await Promise.all(pending);

    expect(maxTimers).toBe(1);
    expect(sends).toHaveLength(500);
    // Any 121 consecutive sends span at least 60 s ⇔ no 60 s window holds more than 120.
    const times = sends.map((s) => s.at).sort((x, y) => x - y);
    for (let i = 0; i + 120 < times.length; i++) expect(times[i + 120] - times[i]).toBeGreaterThanOrEqual(60_000);
    // 120 at 0, 60, 120, 180 s, the last 20 at 240 s: the limit is used fully, never exceeded.
    const perMinute = new Map<number, number>();
    for (const t of times) perMinute.set(t - T0, (perMinute.get(t - T0) ?? 0) + 1);
    expect([...perMinute]).toEqual([[0, 120], [60_000, 120], [120_000, 120], [180_000, 120], [240_000, 20]]);
    for (const key of keys) {
      const order = sends.filter((s) => s.key === key).map((s) => s.index);
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
    expect(rl.stats().queued).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('enforces every window: the longer one holds requests back once it is full', async () => {
    const rl = create({ windows: [{ limit: 3, windowMs: 1000 }, { limit: 5, windowMs: 10_000 }] });
    const seen = Array.from({ length: 7 }, () => track(rl.acquire('a') ?? Promise.resolve()));
    await jest.advanceTimersByTimeAsync(0);
    await jest.advanceTimersByTimeAsync(15_000);
    // 3 at once; 2 more when the short window frees; then the long window (5 per 10 s) holds the rest.
    expect(seen.map((s) => s.at! - T0)).toEqual([0, 0, 0, 1000, 1000, 10_000, 10_000]);
    expect(rl.stats().windows.map((w) => w.used)).toEqual([0, 2]); // at 15 s: the two sent at 10 s, in the 10 s window
  });

  it('serves keys round-robin: one waiting request of B goes before the 50 of A queued earlier', async () => {
    const rl = create({ windows: [{ limit: 1, windowMs: 1000 }] });
    expect(rl.acquire('a')).toBeUndefined();
    const order: string[] = [];
    const all = [
      ...Array.from({ length: 50 }, (_, i) => rl.acquire('a')!.then(() => void order.push(`a${i}`))),
      rl.acquire('b')!.then(() => void order.push('b')),
    ];
    await jest.advanceTimersByTimeAsync(1000);
    await jest.advanceTimersByTimeAsync(1000);
    expect(order).toEqual(['a0', 'b']);
    await jest.advanceTimersByTimeAsync(49_000);
    await Promise.all(all);
    expect(order).toEqual(['a0', 'b', ...Array.from({ length: 49 }, (_, i) => `a${i + 1}`)]);
  });

  it('alternates between keys that both have many waiting', async () => {
    const rl = create({ windows: [{ limit: 1, windowMs: 100 }] });
    rl.acquire('x');
    const order: string[] = [];
    const all: Array<Promise<void>> = [];
    for (let i = 0; i < 3; i++) all.push(rl.acquire('a')!.then(() => void order.push(`a${i}`)));
    for (let i = 0; i < 3; i++) all.push(rl.acquire('b')!.then(() => void order.push(`b${i}`)));
    await jest.advanceTimersByTimeAsync(600);
    await Promise.all(all);
    expect(order).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });

  it('refuses one request more than maxQueue with queue_full, leaving the queue as it was', async () => {
    const rl = create({ windows: [{ limit: 1, windowMs: 60_000 }], maxQueue: 2 });
    rl.acquire('a');
    const queued = [track(rl.acquire('a')), track(rl.acquire('b'))];
    const refused = rl.acquire('c');
    await expect(refused).rejects.toBeInstanceOf(HoverRateLimitQueueFullException);
    const error = (await refused!.catch((e: unknown) => e)) as HoverRateLimitQueueFullException;
    expect(error).toMatchObject({ reason: 'queue_full', retryAfterSeconds: 60, code: 'HOVER_RATE_LIMIT_QUEUE_FULL' });
    expect(error.getStatus()).toBe(503);
    expect(rl.stats().queued).toBe(2);

    await jest.advanceTimersByTimeAsync(30_500);
    const later = (await rl.acquire('c')!.catch((e: unknown) => e)) as HoverRateLimitQueueFullException;
    expect(later).toMatchObject({ reason: 'queue_full', retryAfterSeconds: 30 }); // 29.5 s, rounded up

    await jest.advanceTimersByTimeAsync(29_500 + 60_000);
    expect(queued.map((q) => [q.error, q.at! - T0])).toEqual([[undefined, 60_000], [undefined, 120_000]]);
  });

  it('refuses at once, with wait_exceeded, a request that cannot get a slot within maxWaitMs even at best', async () => {
    const rl = create({ windows: [{ limit: 1, windowMs: 60_000 }], maxWaitMs: 5000 });
    rl.acquire('a');
    await jest.advanceTimersByTimeAsync(2000);
    const refused = track(rl.acquire('b'));
    await jest.advanceTimersByTimeAsync(0);
    expect(refused.at).toBe(T0 + 2000);
    expect(refused.error).toBeInstanceOf(HoverRateLimitQueueFullException);
    expect(refused.error).toMatchObject({ reason: 'wait_exceeded', retryAfterSeconds: 58 });
    expect(rl.stats()).toMatchObject({ queued: 0, windows: [{ used: 1 }] });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('refuses at once while a pause outlasts maxWaitMs (a 429 with a long Retry-After)', async () => {
    const rl = create({ windows: [{ limit: 100, windowMs: 60_000 }], maxWaitMs: 5000 });
    rl.pauseUntil(T0 + 120_000);
    const refused = track(rl.acquire('a'));
    await jest.advanceTimersByTimeAsync(0);
    expect(refused.at).toBe(T0);
    expect(refused.error).toMatchObject({ reason: 'wait_exceeded', retryAfterSeconds: 120 });
    expect(rl.stats()).toMatchObject({ queued: 0, windows: [{ used: 0 }] });
  });

  it('refuses a request with wait_exceeded at its own maxWaitMs deadline when the best case did not come, using no slot', async () => {
    // 1 per second: a1 (1 s), b1 (2 s) and c1 (3 s) could each have gone after 1 s at best (round-robin
    // puts one request of each key ahead), but c1 comes third: refused at its 2.5 s deadline.
    const rl = create({ windows: [{ limit: 1, windowMs: 1000 }], maxWaitMs: 2500 });
    rl.acquire('a');
    const a1 = track(rl.acquire('a'));
    const b1 = track(rl.acquire('b'));
    const c1 = track(rl.acquire('c'));
    expect(jest.getTimerCount()).toBe(1);
    await jest.advanceTimersByTimeAsync(2499);
    expect([a1.at, b1.at, c1.settled]).toEqual([T0 + 1000, T0 + 2000, false]);
    await jest.advanceTimersByTimeAsync(1);
    expect(c1.at).toBe(T0 + 2500);
    expect(c1.error).toBeInstanceOf(HoverRateLimitQueueFullException);
    expect(c1.error).toMatchObject({ reason: 'wait_exceeded', retryAfterSeconds: 1 });
    expect(rl.stats()).toMatchObject({ queued: 0, windows: [{ used: 1 }] });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('serves rather than refuses a request whose slot frees at its deadline', async () => {
    const rl = create({ windows: [{ limit: 1, windowMs: 1000 }], maxWaitMs: 1000 });
    rl.acquire('a');
    const waiting = track(rl.acquire('a'));
    await jest.advanceTimersByTimeAsync(1000);
    expect(waiting).toEqual({ settled: true, error: undefined, at: T0 + 1000 });
  });

  it('removes an aborted request from the queue without using a slot', async () => {
    const rl = create({ windows: [{ limit: 1, windowMs: 1000 }] });
    rl.acquire('a');
    const controller = new AbortController();
    const aborted = track(rl.acquire('a', controller.signal));
    const other = track(rl.acquire('b'));
    const reason = new Error('client went away');
    controller.abort(reason);
    await jest.advanceTimersByTimeAsync(0);
    expect(aborted).toEqual({ settled: true, error: reason, at: T0 });
    expect(rl.stats().queued).toBe(1);

    await jest.advanceTimersByTimeAsync(1000);
    // B got the first freed slot: the aborted request took none.
    expect(other).toEqual({ settled: true, error: undefined, at: T0 + 1000 });
    expect(rl.stats()).toMatchObject({ queued: 0, windows: [{ used: 1 }] });
  });

  it('rejects with an AbortError for abort() without a reason, and at once for an already aborted signal', async () => {
    const rl = create({ windows: [{ limit: 1, windowMs: 1000 }] });
    const before = new AbortController();
    before.abort();
    await expect(rl.acquire('a', before.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(rl.stats().windows[0].used).toBe(0); // an aborted request takes no slot, even a free one

    rl.acquire('a');
    const controller = new AbortController();
    const waiting = rl.acquire('a', controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('drops its abort listener once a request is served, so a long-lived signal does not collect them', async () => {
    const rl = create({ windows: [{ limit: 1, windowMs: 1000 }] });
    const shared = new AbortController();
    rl.acquire('a', shared.signal);
    const served = rl.acquire('a', shared.signal);
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1000);
    await served;
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });

  it('pauseUntil holds back even the fast path, and never shortens a pause', async () => {
    const rl = create();
    rl.pauseUntil(T0 - 1); // in the past: no effect
    expect(rl.acquire('a')).toBeUndefined();

    rl.pauseUntil(T0 + 5000);
    rl.pauseUntil(T0 + 1000);
    expect(rl.stats().pausedUntil).toBe(T0 + 5000);
    const held = rl.acquire('a');
    expect(held).toBeInstanceOf(Promise);
    const seen = track(held);
    await jest.advanceTimersByTimeAsync(4999);
    expect(seen.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(seen).toEqual({ settled: true, error: undefined, at: T0 + 5000 });
    expect(rl.stats().pausedUntil).toBeUndefined();
    expect(rl.acquire('a')).toBeUndefined();
    expect(() => rl.pauseUntil(Number.NaN)).toThrow(RangeError);
  });

  it('retryAfterSeconds counts a pause', async () => {
    const rl = create({ maxQueue: 1 });
    rl.pauseUntil(T0 + 12_300);
    rl.acquire('a')!.catch(() => undefined); // rejected by close() in afterEach
    await expect(rl.acquire('b')).rejects.toMatchObject({ reason: 'queue_full', retryAfterSeconds: 13 });
  });

  it('close() rejects every waiting request, clears the timer, and refuses later requests', async () => {
    const rl = create({ windows: [{ limit: 1, windowMs: 60_000 }] });
    rl.acquire('a');
    const waiting = [rl.acquire('a'), rl.acquire('b')];
    expect(jest.getTimerCount()).toBe(1);
    rl.close();
    await Promise.all(waiting.map((w) => expect(w).rejects.toMatchObject({ name: 'HoverRateLimiterClosedError' })));
    expect(rl.stats().queued).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    await expect(rl.acquire('c')).rejects.toMatchObject({ name: 'HoverRateLimiterClosedError' });
    rl.close();
  });

  it('keeps sending when the clock steps back instead of stalling for the length of the step', async () => {
    let offset = 0;
    const rl = create({ windows: [{ limit: 2, windowMs: 10_000 }], now: () => Date.now() + offset });
    rl.acquire('a');
    rl.acquire('a');
    await jest.advanceTimersByTimeAsync(4000);
    offset = -3_600_000; // wall clock set back one hour
    const waiting = track(rl.acquire('a'));
    expect(rl.stats().windows[0].used).toBe(2);
    // The limiter cannot tell how much of the 4 s passed before the step, so it assumes none: the two
    // sends look fresh, and the third waits one full window (never less than needed), not an hour more.
    await jest.advanceTimersByTimeAsync(9999);
    expect(waiting.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(waiting).toEqual({ settled: true, error: undefined, at: T0 + 14_000 });
  });

  it('validates its options, naming each problem', () => {
    const bad = () =>
      new HoverRateLimiter({ windows: [{ limit: 0, windowMs: 1.5 }], maxQueue: -1, maxWaitMs: Number.NaN });
    expect(bad).toThrow(HoverAuthConfigurationError);
    expect(bad).toThrow(/windows\[0\]\.limit \(requests\) must be a positive integer up to 1000000, got 0/);
    expect(bad).toThrow(/windows\[0\]\.windowMs \(milliseconds\) must be a positive integer, got 1\.5/);
    expect(bad).toThrow(/maxQueue \(requests\) must be a positive integer, got -1/);
    expect(bad).toThrow(/maxWaitMs \(milliseconds\) must be a positive integer, got NaN/);
    expect(() => new HoverRateLimiter({ windows: [], maxQueue: 1, maxWaitMs: 1 })).toThrow(/at least one/);
    const huge = { windows: [{ limit: 2_000_000, windowMs: 1 }], maxQueue: 1, maxWaitMs: 1 };
    expect(() => new HoverRateLimiter(huge)).toThrow(/up to 1000000, got 2000000/);
  });
});

describe('HoverRateLimiter in real time', () => {
  it('releases a queued request after the window on an unref\'d timer', async () => {
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
    const rl = new HoverRateLimiter({ windows: [{ limit: 1, windowMs: 50 }], maxQueue: 10, maxWaitMs: 1000 });
    try {
      const start = Date.now();
      expect(rl.acquire('a')).toBeUndefined();
      await rl.acquire('a');
      const waited = Date.now() - start;
      expect(waited).toBeGreaterThanOrEqual(49);
      expect(waited).toBeLessThan(500);
      // Only the limiter's timer: Jest's own timers have other delays.
      const timers = setTimeoutSpy.mock.calls
        .map((call, i) => ({ delay: call[1], timer: setTimeoutSpy.mock.results[i].value as NodeJS.Timeout }))
        .filter(({ delay }) => typeof delay === 'number' && delay >= 1 && delay <= 50)
        .map(({ timer }) => timer);
      expect(timers).toHaveLength(1);
      expect(timers[0].hasRef()).toBe(false);
    } finally {
      rl.close();
      setTimeoutSpy.mockRestore();
    }
  });
});
