const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Budget of one key: requests per sliding minute and, optionally, per sliding hour. */
export interface RateLimit {
  perMinute: number;
  perHour?: number;
}

/**
 * Sliding-window rate limiting per key (the emulator keys by client id): a request is admitted when
 * fewer than `perMinute` requests were admitted in the last 60 s and, with `perHour`, fewer than
 * `perHour` in the last 3600 s. Only admitted requests are remembered, so a refused request uses up
 * no budget. No timers; every time is epoch MILLISECONDS passed in by the caller. Internal.
 */
export class RateLimitWindows {
  /** Admission times per key, ascending, no older than the longest window in use. */
  private readonly admitted = new Map<string, number[]>();

  /**
   * Decides one request at `nowMs` and remembers it when admitted.
   * @returns `true` when admitted, `false` when over `perMinute` or `perHour`
   */
  admit(key: string, nowMs: number, limit: RateLimit): boolean {
    const times = this.admitted.get(key) ?? [];
    // A window is (now - length, now]: a request admitted at t has left it at t + length exactly.
    times.splice(0, firstAfter(times, nowMs - (limit.perHour === undefined ? MINUTE_MS : HOUR_MS)));
    const inLastMinute = times.length - firstAfter(times, nowMs - MINUTE_MS);
    const overHour = limit.perHour !== undefined && times.length >= limit.perHour;
    if (inLastMinute >= limit.perMinute || overHour) {
      this.admitted.set(key, times);
      return false;
    }
    // Sorted insert rather than push: a test may move Date.now() backwards.
    times.splice(firstAfter(times, nowMs), 0, nowMs);
    this.admitted.set(key, times);
    return true;
  }

  /** Empties every window. */
  clear(): void {
    this.admitted.clear();
  }
}

/** Index of the first element > `cutoff` in an ascending array (its length when none). */
function firstAfter(sorted: readonly number[], cutoff: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= cutoff) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
