/** One stored cookie; `hostOnly` unless a `Domain` attribute widened it (RFC 6265 §5.3). */
interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  /** Epoch MILLISECONDS; `null` = session cookie. */
  expiresAt: number | null;
}

/**
 * The cookie handling of a browser, reduced to what an OAuth test flow needs (RFC 6265 §5): cookies
 * are kept per host (a `Domain` attribute widens them to subdomains), matched by path, replaced by
 * name, and dropped when `Max-Age` ≤ 0 or `Expires` is past. `Secure` and `SameSite` are ignored: the
 * flow runs over loopback HTTP and every request to the app is a top-level navigation. Internal.
 */
export class CookieJar {
  private cookies: StoredCookie[] = [];

  /** Adds the `name=value` pairs of a Cookie request header as session cookies of `url`'s host, path `/`. */
  addCookieHeader(url: URL, header: string): void {
    for (const pair of header.split(';')) {
      const separator = pair.indexOf('=');
      if (separator <= 0) continue;
      this.store({
        name: pair.slice(0, separator).trim(),
        value: pair.slice(separator + 1).trim(),
        domain: url.hostname,
        hostOnly: true,
        path: '/',
        expiresAt: null,
      });
    }
  }

  /** Applies every `Set-Cookie` header of `response`, received from `url`. */
  absorb(url: URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) this.applySetCookie(url, line);
  }

  /** The Cookie header a browser would send to `url` (`""` when none). */
  headerFor(url: URL, now = Date.now()): string {
    return this.matching(url, now)
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  /** The cookies a browser would send to `url`, as `{ name: value }`. */
  valuesFor(url: URL, now = Date.now()): Record<string, string> {
    return Object.fromEntries(this.matching(url, now).map((cookie) => [cookie.name, cookie.value]));
  }

  private applySetCookie(url: URL, line: string): void {
    const [pair, ...attributes] = line.split(';');
    const separator = pair.indexOf('=');
    if (separator <= 0) return;
    const cookie: StoredCookie = {
      name: pair.slice(0, separator).trim(),
      value: pair.slice(separator + 1).trim(),
      domain: url.hostname,
      hostOnly: true,
      path: defaultPath(url),
      expiresAt: null,
    };
    let maxAgeSeen = false;
    for (const attribute of attributes) {
      const [rawKey, ...rest] = attribute.split('=');
      const key = rawKey.trim().toLowerCase();
      const value = rest.join('=').trim();
      if (key === 'max-age' && /^-?\d+$/.test(value)) {
        maxAgeSeen = true;
        cookie.expiresAt = Date.now() + Number(value) * 1000;
      } else if (key === 'expires' && !maxAgeSeen) {
        const time = Date.parse(value);
        if (!Number.isNaN(time)) cookie.expiresAt = time;
      } else if (key === 'domain' && value) {
        const domain = value.replace(/^\./, '').toLowerCase();
        if (!domainMatches(url.hostname, domain)) return; // a browser rejects a foreign Domain
        cookie.domain = domain;
        cookie.hostOnly = false;
      } else if (key === 'path' && value.startsWith('/')) {
        cookie.path = value;
      }
    }
    this.store(cookie);
  }

  /** A replaced cookie keeps its place (creation order, RFC 6265 §5.3 step 11); an expired one is removed. */
  private store(cookie: StoredCookie): void {
    const alive = cookie.expiresAt === null || cookie.expiresAt > Date.now();
    const index = this.cookies.findIndex((c) => c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path);
    if (index >= 0 && alive) this.cookies[index] = cookie;
    else if (index >= 0) this.cookies.splice(index, 1);
    else if (alive) this.cookies.push(cookie);
  }

  /** Longer paths first, then creation order (RFC 6265 §5.4 step 2). */
  private matching(url: URL, now: number): StoredCookie[] {
    return this.cookies
      .filter(
      (c) =>
        (c.expiresAt === null || c.expiresAt > now) &&
        (c.hostOnly ? c.domain === url.hostname : domainMatches(url.hostname, c.domain)) &&
        pathMatches(url.pathname, c.path),
      )
      .sort((a, b) => b.path.length - a.path.length);
  }
}

function domainMatches(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** RFC 6265 §5.1.4: the request path up to its last `/`. */
function defaultPath(url: URL): string {
  const lastSlash = url.pathname.lastIndexOf('/');
  return lastSlash <= 0 ? '/' : url.pathname.slice(0, lastSlash);
}
