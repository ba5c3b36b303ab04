import { parse, serialize } from 'cookie';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AUTHORIZATION_STATE_TTL_SECONDS } from '../hover-auth.constants';
import type { HoverIncomingRequest, ResolvedHoverAuthOptions } from '../hover-auth-options.interface';

/** Cookie that ties a pending authorization request to the browser that started it (RFC 9700 §4.7.1). */
export const BROWSER_BINDING_COOKIE = 'hover_oauth_browser';

const VALUE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The browser's binding value from its cookie, if it carries a well-formed one. */
export function readBrowserBinding(request: HoverIncomingRequest): string | null {
  const header = request.headers?.cookie;
  if (typeof header !== 'string' || header.length > 8192) return null;
  const value = parse(header)[BROWSER_BINDING_COOKIE];
  return value && VALUE_PATTERN.test(value) ? value : null;
}

/** A new binding value: base64url of 32 random bytes. */
export function newBrowserBinding(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored server-side: SHA-256 hex, so a database reader cannot forge the cookie. */
export function hashBrowserBinding(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time check of a browser's cookie value against the stored hash. */
export function browserBindingMatches(value: string | null, storedHash: string | null): boolean {
  if (value === null || storedHash === null) return false;
  const actual = Buffer.from(hashBrowserBinding(value), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * `Set-Cookie` value: HttpOnly, SameSite=Lax (sent on Hover's top-level redirect back, not on
 * cross-site subrequests), Secure unless the redirect URI is plain-http loopback, living as long as a
 * pending request (600 s). Path `/`: the authorize route must see it too, so that flows started in two
 * tabs of one browser share the binding instead of the second replacing the first's.
 */
export function browserBindingCookie(value: string, options: ResolvedHoverAuthOptions): string {
  const attributes = browserBindingCookieAttributes(options);
  return serialize(BROWSER_BINDING_COOKIE, value, {
    httpOnly: attributes.httpOnly,
    sameSite: attributes.sameSite,
    secure: attributes.secure,
    path: attributes.path,
    maxAge: attributes.maxAgeSeconds,
  });
}

/** The attributes of {@link browserBindingCookie}; `maxAgeSeconds` in seconds. */
export function browserBindingCookieAttributes(options: ResolvedHoverAuthOptions) {
  return {
    httpOnly: true as const,
    sameSite: 'lax' as const,
    secure: new URL(options.redirectUri).protocol === 'https:',
    path: '/' as const,
    maxAgeSeconds: AUTHORIZATION_STATE_TTL_SECONDS,
  };
}

/** Adds a `Set-Cookie` header on Express or Fastify replies without dropping others. */
export function appendSetCookie(reply: any, cookie: string): void {
  if (typeof reply.getHeader === 'function' && typeof reply.setHeader === 'function') {
    const existing = reply.getHeader('Set-Cookie');
    const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    reply.setHeader('Set-Cookie', [...list, cookie]);
  } else if (typeof reply.header === 'function') {
    reply.header('Set-Cookie', cookie);
  }
}
