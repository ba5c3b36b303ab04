const MAX_RETURN_PATH_LENGTH = 512;
const PROBE_ORIGIN = 'http://return-path.invalid';

/**
 * Accepts only a same-origin relative path (`/settings?tab=hover`) as the place to return to after
 * connecting (RFC 9700 §4.11: open redirectors). Absolute URLs, scheme-relative `//host`, backslashes
 * (which browsers read as slashes), control characters and anything over 512 characters give `null`,
 * so the caller falls back to `successRedirect`.
 *
 * @returns the normalized path (pathname + search + hash), or `null`
 */
export function safeReturnPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_RETURN_PATH_LENGTH) return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\') || /[\x00-\x20\x7f]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return null;
  }
  if (url.origin !== PROBE_ORIGIN) return null;
  const path = url.pathname + url.search + url.hash;
  return path.startsWith('//') ? null : path;
}
