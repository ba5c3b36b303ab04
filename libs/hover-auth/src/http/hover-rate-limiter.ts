import { HoverAuthConfigurationError } from '../exceptions/hover-auth-configuration.error';
import { HoverRateLimitQueueFullException } from '../exceptions/hover-rate-limit.exceptions';

/** Options of {@link HoverRateLimiter}. No defaults except `now`: the caller passes resolved values. */
export interface HoverRateLimiterOptions {
  /**
   * Sliding windows; a request is sent only if every window has room. Hover allows
   * 120 requests per minute or 7,200 per hour per integration (Hover API docs, "Rate limits"), i.e.
   * `[{ limit: 120, windowMs: 60_000 }, { limit: 7200, windowMs: 3_600_000 }]`. `limit` is a count of
   * requests (positive integer, at most 1,000,000: the limiter keeps one timestamp per allowed request),
   * `windowMs` a duration in milliseconds (positive integer).
   */
  windows: ReadonlyArray<{ limit: number; windowMs: number }>;
  /**
   * Most requests waiting at once, all connections together (positive integer). One more is refused at
   * once with `HoverRateLimitQueueFullException('queue_full', …)`; the queue is left as it was.
   */
  maxQueue: number;
  /**
   * Longest a request waits for a slot, in milliseconds (positive integer); then it is refused with
   * `HoverRateLimitQueueFullException('wait_exceeded', …)` and nothing is sent.
   */
  maxWaitMs: number;
  /** Clock in epoch milliseconds, for tests. Default `Date.now()`. */
  now?: () => number;
}

/** What {@link HoverRateLimiter.stats} reports, for health checks. */
export interface HoverRateLimiterStats {
  /** Requests waiting for a slot now (all connections). */
  queued: number;
  /** Epoch ms until which {@link HoverRateLimiter.pauseUntil} holds every request back; `undefined` when not paused. */
  pausedUntil: number | undefined;
  /** Per configured window: its `limit` and `windowMs` (ms), and how many requests were sent in the last `windowMs`. */
  windows: Array<{ limit: number; windowMs: number; used: number }>;
}

/**
 * Client-side limiter in front of every Hover API request of one app instance, so a busy app stays under
 * Hover's limit instead of collecting 429s: Hover allows 120 requests per minute or 7,200 per hour per
 * integration — all connections of one OAuth client id together — and answers 429 without `Retry-After`
 * beyond that (Hover API docs, "Rate limits").
 *
 * Why not a library: none that is kept up does what this needs together — several sliding windows over
 * one shared budget, a bounded queue that refuses with a typed error, round-robin fairness between
 * connections, and a synchronous fast path (no promise hop while under the limit, which is the steady
 * state). `bottleneck` is unmaintained (last release 2019) and its `Group` gives every key its own
 * limiter instead of sharing one budget fairly; `p-queue` is ESM-only (this package is CommonJS) and
 * counts fixed intervals, one at a time, not sliding windows; `cockatiel` has no rate limiter at all.
 *
 * How it works:
 * - Each window is a ring of the send times of its last `limit` requests. It has room when it holds
 *   fewer than `limit` sends or its oldest is at least `windowMs` old; so no `windowMs`-long span ever
 *   holds more than `limit` sends. Memory is O(sum of limits) (57 KB for the 7,200/hour ring); a send
 *   costs O(number of windows).
 * - A request is counted as sent the moment it is let through (the caller sends right away).
 * - Waiting requests queue per key (the connection id), FIFO within a key; freed slots go to the keys
 *   round-robin, so a connection with 500 queued calls does not starve one with a single call.
 * - At most one timer exists, set for the earliest of: the next free slot (or the end of a pause) and
 *   the earliest `maxWaitMs` deadline. Every request waits the same `maxWaitMs`, so deadlines expire in
 *   arrival order and one arrival-ordered list finds the earliest in O(1). The timer is unref'd: it never
 *   keeps the process alive. No polling.
 * - If the clock steps back (NTP, a resumed VM), recorded times, deadlines and the pause move back by
 *   the step seen between two readings, so the step cannot stall sending for its own length. The time
 *   that passed between those readings is taken as zero: at worst a request waits up to one window
 *   longer than needed, never less. A forward step only lets windows free early (Hover's own count is
 *   what matters; a 429 then feeds {@link pauseUntil}).
 *
 * Usage: `const wait = limiter.acquire(connectionId, signal); if (wait) await wait;` then send.
 */
export class HoverRateLimiter {
  private readonly windows: readonly SendWindow[];
  private readonly maxQueue: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;

  /** All waiting requests in arrival order, which is also deadline order. */
  private readonly arrivals = new Line<Waiter>();
  /** Waiting requests per key; Map order is the round-robin turn order (the key served last moves to the end). */
  private readonly lines = new Map<string, Line<Waiter>>();
  private pausedUntilMs = -Infinity;
  private lastNow = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;
  private closed = false;

  /** @throws HoverAuthConfigurationError when an option is not a positive integer (or `now` not a function), naming each. */
  constructor(options: HoverRateLimiterOptions) {
    assertValidOptions(options);
    this.windows = options.windows.map(({ limit, windowMs }) => new SendWindow(limit, windowMs));
    this.maxQueue = options.maxQueue;
    this.maxWaitMs = options.maxWaitMs;
    const clock = options.now;
    // A closure, not a captured `Date.now`, so fake clocks installed after construction apply too.
    this.now = clock ?? (() => Date.now());
  }

  /**
   * Takes a slot for one request of `key` (the connection id). Returns `undefined` synchronously when a
   * slot is free now and nobody is queued (the fast path: no promise, no microtask), else a promise that
   * resolves when the request may go. Either way the slot is counted as used at that moment: send at once.
   *
   * @param key connection id; waiting requests are served round-robin across keys, FIFO within a key.
   * @param signal aborts waiting: the entry leaves the queue and no slot is used. Ignored on the fast path.
   * @returns `undefined` (send now) or a promise that resolves when the request may be sent.
   * @throws (as a rejected promise, never synchronously) `HoverRateLimitQueueFullException` with reason
   *   `'queue_full'` (already `maxQueue` waiting; the queue is unchanged) or `'wait_exceeded'` (no slot
   *   within `maxWaitMs`); `retryAfterSeconds` says when the next slot frees (whole seconds, ≥ 1).
   *   `signal.reason` (an `AbortError` when none was given) when `signal` aborts while waiting or before.
   *   An `Error` named `HoverRateLimiterClosedError` after {@link close}.
   */
  acquire(key: string, signal?: AbortSignal): Promise<void> | undefined {
    if (this.closed) return Promise.reject(closedError());
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const now = this.time();
    // Requests whose slot came while the timer was still pending go first: they are older.
    if (this.arrivals.size > 0) this.drain(now);
    if (this.arrivals.size === 0 && this.canSend(now)) {
      this.recordSend(now);
      return undefined;
    }
    if (this.arrivals.size >= this.maxQueue) {
      return Promise.reject(new HoverRateLimitQueueFullException('queue_full', this.retryAfterSeconds(now)));
    }
    // Refuse at once what cannot get a slot within maxWaitMs even in the best case, instead of holding
    // the caller for maxWaitMs first (a burst far over the limit, or a long pause after a 429).
    const earliest = this.earliestSlotAt(key, now);
    if (earliest > now + this.maxWaitMs) {
      return Promise.reject(new HoverRateLimitQueueFullException('wait_exceeded', Math.max(1, Math.ceil((earliest - now) / 1000))));
    }
    return this.enqueue(key, now, signal);
  }

  /**
   * Whether {@link acquire} would take a slot synchronously right now (nobody waits, no pause, room in
   * every window). No side effects: lets a caller choose a synchronous path before acquiring.
   */
  hasFreeSlot(): boolean {
    if (this.closed || this.arrivals.size > 0) return false;
    return this.canSend(this.time());
  }

  /**
   * Holds every request back — the fast path too — until `untilMs` has passed: for when Hover answered
   * 429 anyway (another app instance, or another app using the same client id). Hover sends no
   * `Retry-After`, so the caller picks the pause. A pause never shortens one already in force.
   *
   * @param untilMs epoch milliseconds (same clock as the `now` option).
   * @throws RangeError when `untilMs` is not a finite number.
   */
  pauseUntil(untilMs: number): void {
    if (!Number.isFinite(untilMs)) throw new RangeError(`HoverRateLimiter.pauseUntil() needs finite epoch milliseconds, got ${untilMs}.`);
    const now = this.time();
    if (untilMs <= this.pausedUntilMs) return;
    this.pausedUntilMs = untilMs;
    this.schedule(now);
  }

  /** Counts for health checks: requests waiting, the pause if any, and requests sent in each window now. */
  stats(): HoverRateLimiterStats {
    const now = this.time();
    return {
      queued: this.arrivals.size,
      pausedUntil: this.pausedUntilMs > now ? this.pausedUntilMs : undefined,
      windows: this.windows.map((w) => ({ limit: w.limit, windowMs: w.windowMs, used: w.used(now) })),
    };
  }

  /**
   * For module shutdown: rejects every waiting request with an `Error` named `HoverRateLimiterClosedError`
   * (nothing was sent), clears the timer, and makes later {@link acquire} calls reject the same way.
   * Idempotent.
   */
  close(): void {
    this.closed = true;
    this.clearTimer();
    for (let node = this.arrivals.first; node; node = this.arrivals.first) {
      this.take(node.value);
      node.value.reject(closedError());
    }
  }

  private enqueue(key: string, now: number, signal: AbortSignal | undefined): Promise<void> {
    let resolve!: () => void;
    let reject!: (reason: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const waiter = new Waiter(key, now + this.maxWaitMs, resolve, reject, signal);
    let line = this.lines.get(key);
    if (!line) this.lines.set(key, (line = new Line<Waiter>()));
    line.append(waiter.byKey);
    this.arrivals.append(waiter.byArrival);
    if (signal) {
      waiter.onAbort = () => this.cancel(waiter, abortReason(signal));
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
    this.schedule(now);
    return promise;
  }

  /** Serves what the windows allow now, refuses what waited too long, and re-arms the timer. */
  private drain(now: number): void {
    this.serve(now);
    this.expire(now);
    this.schedule(now);
  }

  /** One request per key in turn (round-robin), FIFO within a key, while every window has room. */
  private serve(now: number): void {
    while (this.arrivals.size > 0 && this.canSend(now)) {
      const turn = this.lines.entries().next();
      if (turn.done) return;
      const [key, line] = turn.value;
      const waiter = line.first!.value;
      this.take(waiter);
      if (line.size > 0) {
        // Move the key behind the others: its next request waits for their turns.
        this.lines.delete(key);
        this.lines.set(key, line);
      }
      this.recordSend(now);
      waiter.resolve();
    }
  }

  /**
   * Refuses requests past their deadline. Runs after {@link serve}, so a request is never refused while
   * a slot is free for it, even when the timer fires a little late.
   */
  private expire(now: number): void {
    for (let node = this.arrivals.first; node && node.value.deadline <= now; node = this.arrivals.first) {
      this.take(node.value);
      node.value.reject(new HoverRateLimitQueueFullException('wait_exceeded', this.retryAfterSeconds(now)));
    }
  }

  private cancel(waiter: Waiter, reason: unknown): void {
    if (waiter.settled) return;
    this.take(waiter);
    waiter.reject(reason);
    this.schedule(this.time());
  }

  /** Removes a waiting request from every queue; the caller settles its promise. */
  private take(waiter: Waiter): void {
    waiter.settled = true;
    this.arrivals.remove(waiter.byArrival);
    const line = this.lines.get(waiter.key)!;
    line.remove(waiter.byKey);
    if (line.size === 0) this.lines.delete(waiter.key);
    if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
  }

  /** Arms the single timer for the next moment something can change, or clears it when nobody waits. */
  private schedule(now: number): void {
    const first = this.arrivals.first;
    if (!first || this.closed) return this.clearTimer();
    const wakeAt = Math.min(this.nextSendAt(now), first.value.deadline);
    if (this.timer && this.timerAt === wakeAt) return;
    this.clearTimer();
    this.timerAt = wakeAt;
    // ≥ 1 ms so an early-firing timer cannot spin; capped because longer delays overflow to 1 ms in Node.
    const delay = Math.min(Math.max(wakeAt - now, 1), MAX_TIMER_DELAY_MS);
    this.timer = setTimeout(() => this.onTimer(), delay);
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = undefined;
    this.drain(this.time());
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }

  private canSend(now: number): boolean {
    if (now < this.pausedUntilMs) return false;
    for (const window of this.windows) if (!window.hasRoom(now)) return false;
    return true;
  }

  private recordSend(now: number): void {
    for (const window of this.windows) window.record(now);
  }

  /**
   * A lower bound of when a new request of `key` could be served, epoch ms: every request of the same
   * key already waiting goes first, and with none waiting, one request of each other waiting key
   * (round-robin); then every window must have room for it, and any pause must be over.
   */
  private earliestSlotAt(key: string, now: number): number {
    const ahead = this.lines.get(key)?.size ?? this.lines.size;
    let at = Math.max(now, this.pausedUntilMs);
    for (const window of this.windows) at = Math.max(at, window.slotAt(ahead, now));
    return at;
  }

  /** Epoch ms when every window has room and no pause holds (≤ `now` when that is already so). */
  private nextSendAt(now: number): number {
    let at = this.pausedUntilMs;
    for (const window of this.windows) at = Math.max(at, window.freesAt(now));
    return at;
  }

  private retryAfterSeconds(now: number): number {
    return Math.max(1, Math.ceil((this.nextSendAt(now) - now) / 1000));
  }

  /**
   * Reads the clock; if it went back since the last reading, moves every stored time back by as much,
   * keeping their ages as of that last reading (see the class doc).
   */
  private time(): number {
    const now = this.now();
    if (now < this.lastNow) {
      const step = now - this.lastNow;
      for (const window of this.windows) window.shift(step);
      for (let node = this.arrivals.first; node; node = node.next) node.value.deadline += step;
      if (this.pausedUntilMs !== -Infinity) this.pausedUntilMs += step;
      // The pending timer still fires at the right moment in real time; only its label moves.
      if (this.timerAt !== undefined) this.timerAt += step;
    }
    this.lastNow = now;
    return now;
  }
}

/** Node turns setTimeout delays above 2^31−1 ms into 1 ms. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;
const MAX_WINDOW_LIMIT = 1_000_000;

/** Send times of the last `limit` requests, oldest first, in a ring. */
class SendWindow {
  private readonly times: Float64Array;
  private oldest = 0;
  private count = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    this.times = new Float64Array(limit);
  }

  hasRoom(now: number): boolean {
    return this.count < this.limit || now - this.times[this.oldest] >= this.windowMs;
  }

  /** When this window next has room: `now` if it has room already, else when its oldest send ages out. */
  freesAt(now: number): number {
    return this.count < this.limit ? now : this.times[this.oldest] + this.windowMs;
  }

  /**
   * When the send that comes after `ahead` further sends could go, as far as this window can tell (a
   * lower bound, epoch ms): once the send `limit` places before it has aged out.
   */
  slotAt(ahead: number, now: number): number {
    const index = this.count + ahead - this.limit;
    if (index < 0) return now;
    if (index < this.count) return Math.max(now, this.at(index) + this.windowMs);
    return now + this.windowMs;
  }

  /** Records a send; with the ring full it overwrites the oldest, which `hasRoom` showed has aged out. */
  record(now: number): void {
    if (this.count < this.limit) {
      this.times[(this.oldest + this.count) % this.limit] = now;
      this.count++;
    } else {
      this.times[this.oldest] = now;
      this.oldest = (this.oldest + 1) % this.limit;
    }
  }

  /** Sends in the last `windowMs` (binary search: times are in order, so O(log limit)). */
  used(now: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (now - this.at(mid) >= this.windowMs) lo = mid + 1;
      else hi = mid;
    }
    return this.count - lo;
  }

  shift(deltaMs: number): void {
    for (let i = 0; i < this.count; i++) this.times[(this.oldest + i) % this.limit] += deltaMs;
  }

  private at(index: number): number {
    return this.times[(this.oldest + index) % this.limit];
  }
}

/** A request waiting for a slot; it sits in its key's line and in the arrival line at once. */
class Waiter {
  readonly byKey = new LineNode<Waiter>(this);
  readonly byArrival = new LineNode<Waiter>(this);
  onAbort: (() => void) | undefined;
  settled = false;

  constructor(
    readonly key: string,
    /** Epoch ms; mutable only to follow a clock that stepped back. */
    public deadline: number,
    readonly resolve: () => void,
    readonly reject: (reason: unknown) => void,
    readonly signal: AbortSignal | undefined,
  ) {}
}

class LineNode<T> {
  prev: LineNode<T> | undefined;
  next: LineNode<T> | undefined;
  constructor(readonly value: T) {}
}

/** FIFO of nodes with O(1) removal from anywhere (an aborted or expired request leaves mid-line). */
class Line<T> {
  first: LineNode<T> | undefined;
  private last: LineNode<T> | undefined;
  size = 0;

  append(node: LineNode<T>): void {
    node.prev = this.last;
    node.next = undefined;
    if (this.last) this.last.next = node;
    else this.first = node;
    this.last = node;
    this.size++;
  }

  remove(node: LineNode<T>): void {
    if (node.prev) node.prev.next = node.next;
    else this.first = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.last = node.prev;
    node.prev = node.next = undefined;
    this.size--;
  }
}

function abortReason(signal: AbortSignal): unknown {
  // Node sets a DOMException AbortError as reason when abort() gets none; this covers other signal sources.
  const fallback = new Error('The Hover API request was aborted while waiting for the rate limit.');
  return signal.reason ?? Object.assign(fallback, { name: 'AbortError' });
}

function closedError(): Error {
  return Object.assign(
    new Error('The Hover rate limiter was closed (the application is shutting down); the Hover API request was not sent.'),
    { name: 'HoverRateLimiterClosedError' },
  );
}

function assertValidOptions(options: HoverRateLimiterOptions): void {
  const problems: string[] = [];
  const positiveInteger = (value: unknown, path: string, max = Number.MAX_SAFE_INTEGER): void => {
    if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > max) {
      problems.push(`${path} must be a positive integer${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}, got ${String(value)}.`);
    }
  };
  if (!Array.isArray(options.windows) || options.windows.length === 0) {
    problems.push(
      'rateLimit.windows must list at least one { limit, windowMs }, e.g. Hover\'s ' +
        '[{ limit: 120, windowMs: 60000 }, { limit: 7200, windowMs: 3600000 }].',
    );
  } else {
    options.windows.forEach((window, i) => {
      positiveInteger(window?.limit, `rateLimit.windows[${i}].limit (requests)`, MAX_WINDOW_LIMIT);
      positiveInteger(window?.windowMs, `rateLimit.windows[${i}].windowMs (milliseconds)`);
    });
  }
  positiveInteger(options.maxQueue, 'rateLimit.maxQueue (requests)');
  positiveInteger(options.maxWaitMs, 'rateLimit.maxWaitMs (milliseconds)');
  if (options.now !== undefined && typeof options.now !== 'function') problems.push('now must be a function returning epoch milliseconds.');
  if (problems.length > 0) throw new HoverAuthConfigurationError(problems);
}
