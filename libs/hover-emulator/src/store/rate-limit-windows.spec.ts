import { RateLimitWindows } from './rate-limit-windows';

/** Decides one request per time (epoch ms) and returns the admissions. */
function admitAt(windows: RateLimitWindows, key: string, times: number[], limit: { perMinute: number; perHour?: number }): boolean[] {
  return times.map((t) => windows.admit(key, t, limit));
}

describe('RateLimitWindows (sliding windows, times in epoch ms)', () => {
  const T0 = 1_750_000_000_000;

  it('perMinute: the window is (now - 60 s, now]; a request admitted at t frees its slot at t + 60 000 ms exactly', () => {
    const windows = new RateLimitWindows();
    const limit = { perMinute: 2 };
    expect(admitAt(windows, 'a', [T0, T0 + 1000, T0 + 2000], limit)).toEqual([true, true, false]);
    expect(windows.admit('a', T0 + 59_999, limit)).toBe(false);
    expect(windows.admit('a', T0 + 60_000, limit)).toBe(true);
    expect(windows.admit('a', T0 + 60_500, limit)).toBe(false);
    expect(windows.admit('a', T0 + 61_000, limit)).toBe(true);
  });

  it('refused requests use no budget: a client retrying every second is served again a minute after its first admission', () => {
    const windows = new RateLimitWindows();
    const limit = { perMinute: 3 };
    const answers = admitAt(windows, 'a', Array.from({ length: 65 }, (_, s) => T0 + s * 1000), limit);
    expect(answers.map((ok, s) => (ok ? s : -1)).filter((s) => s >= 0)).toEqual([0, 1, 2, 60, 61, 62]);
  });

  it('perHour applies across minutes; each key has its own windows', () => {
    const windows = new RateLimitWindows();
    const limit = { perMinute: 10, perHour: 3 };
    expect(admitAt(windows, 'a', [T0, T0 + 120_000, T0 + 240_000, T0 + 360_000, T0 + 3_599_999], limit)).toEqual([true, true, true, false, false]);
    expect(windows.admit('b', T0 + 360_000, limit)).toBe(true);
    expect(windows.admit('a', T0 + 3_600_000, limit)).toBe(true);
    expect(windows.admit('a', T0 + 3_600_001, limit)).toBe(false);
    expect(windows.admit('a', T0 + 3_720_000, limit)).toBe(true);
  });

  it('a clock moved backwards keeps the windows ordered', () => {
    const windows = new RateLimitWindows();
    const limit = { perMinute: 2 };
    expect(admitAt(windows, 'a', [T0 + 30_000, T0, T0 + 1000], limit)).toEqual([true, true, false]);
    expect(windows.admit('a', T0 + 60_000, limit)).toBe(true); // T0 left the window; T0 + 30 s is still in it
    expect(windows.admit('a', T0 + 60_001, limit)).toBe(false);
  });

  it('clear() empties every window', () => {
    const windows = new RateLimitWindows();
    expect(admitAt(windows, 'a', [T0, T0], { perMinute: 1 })).toEqual([true, false]);
    windows.clear();
    expect(windows.admit('a', T0, { perMinute: 1 })).toBe(true);
  });
});
