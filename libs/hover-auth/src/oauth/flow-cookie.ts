import { parse, serialize } from 'cookie';
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { AUTHORIZATION_STATE_TTL_SECONDS } from '../hover-auth.constants';
import type { HoverIncomingRequest, ResolvedHoverAuthOptions } from '../hover-auth-options.interface';

/** What a started flow remembers until its callback: sealed in a cookie of the browser that started it. */
export interface SealedFlow {
  /** The connection the flow creates or replaces. */
  connectionId: string;
  /** PKCE code verifier (RFC 7636), or null without PKCE. */
  codeVerifier: string | null;
  /** Validated same-origin path to return to, or null. */
  returnTo: string | null;
  /** When the flow expires, epoch milliseconds (600 s after the start). */
  expiresAt: number;
}

/** Prefix of the flow cookies' names; the rest is derived from the flow's `state`. */
export const FLOW_COOKIE_PREFIX = 'hover_oauth_';

/** A flow cookie's name: the prefix and 16 base64url characters (see {@link flowCookieName}). */
const FLOW_COOKIE_NAME = new RegExp(`^${FLOW_COOKIE_PREFIX}[A-Za-z0-9_-]{16}$`);

const FORMAT = 'f1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals a started authorization flow (connection id, PKCE code verifier, return path, expiry) into a
 * cookie of the browser that started it, instead of a database row: starting a flow then costs the
 * database nothing, so an anonymous flood of the authorize route stores nothing (RFC 9700 §4.7: the
 * state is bound to the user agent by the cookie itself). Single use is enforced when a valid callback
 * arrives (one row per used state, see AuthorizationStateStore).
 *
 * AES-256-GCM under a key derived with HKDF-SHA256 from each `encryptionKeys` entry (info
 * "hover-auth flow cookie v1", so the token key itself never encrypts cookies); the newest key seals, all
 * open. The additional authenticated data binds the value to its `state` and key id: a cookie copied to
 * another flow, altered or relabelled does not open. Written here rather than with a cookie-sealing
 * library because that binding to the `state` is the point, and node:crypto's AES-GCM and HKDF are the
 * audited primitives underneath.
 */
export class FlowCookieSealer {
  private readonly keys: Array<{ id: string; key: Buffer }>;
  private readonly keysById: Map<string, Buffer>;

  constructor(encryptionKeys: ReadonlyArray<{ id: string; key: Buffer }>) {
    this.keys = encryptionKeys.map((entry) => ({
      id: entry.id,
      key: Buffer.from(hkdfSync('sha256', entry.key, Buffer.alloc(0), 'hover-auth flow cookie v1', 32)),
    }));
    this.keysById = new Map(this.keys.map((entry) => [entry.id, entry.key]));
  }

  /** `f1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts). */
  seal(flow: SealedFlow, state: string): string {
    const { id, key } = this.keys[0];
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(state, id));
    const plaintext = JSON.stringify([flow.connectionId, flow.codeVerifier, flow.returnTo, flow.expiresAt]);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, id, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** @returns the flow, or `null` for anything but an intact value sealed for this `state` */
  open(sealed: string, state: string): SealedFlow | null {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== FORMAT) return null;
    const [, keyId, ivText, ciphertextText, tagText] = parts;
    const key = this.keysById.get(keyId);
    if (!key) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(state, keyId));
      decipher.setAuthTag(Buffer.from(tagText, 'base64url'));
      const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64url')), decipher.final()]).toString('utf8');
      const [connectionId, codeVerifier, returnTo, expiresAt] = JSON.parse(plaintext) as [string, string | null, string | null, number];
      return { connectionId, codeVerifier, returnTo, expiresAt };
    } catch {
      return null;
    }
  }
}

function aad(state: string, keyId: string): Buffer {
  return Buffer.from(`hover-auth/${FORMAT}|flow|${state}|${keyId}`, 'utf8');
}

/** The cookie name of the flow with this `state`: the prefix and 16 characters of its SHA-256. */
export function flowCookieName(state: string): string {
  return FLOW_COOKIE_PREFIX + createHash('sha256').update(state).digest('base64url').slice(0, 16);
}

/**
 * Most flows one browser keeps open at once. Each start adds a cookie of about 250–450 bytes sent with
 * every request to the app for 10 minutes: without a cap, a browser that clicks Connect a hundred times
 * would send a Cookie header too large for servers and proxies (HTTP 431) to every route.
 */
export const MAX_OPEN_FLOWS_PER_BROWSER = 5;

/**
 * Names of this browser's flow cookies beyond the newest `MAX_OPEN_FLOWS_PER_BROWSER - 1`, oldest
 * first, to delete when a new flow starts. Browsers send cookies of the same path in creation order
 * (RFC 6265 §5.4), so the first ones are the oldest.
 */
export function staleFlowCookieNames(request: HoverIncomingRequest): string[] {
  const header = request.headers?.cookie;
  if (typeof header !== 'string') return [];
  const names = header
    .split(';')
    .map((pair) => pair.split('=', 1)[0].trim())
    .filter((name) => FLOW_COOKIE_NAME.test(name));
  const unique = [...new Set(names)];
  return unique.slice(0, Math.max(0, unique.length - (MAX_OPEN_FLOWS_PER_BROWSER - 1)));
}

/** The sealed value of the flow cookie for `state` the browser sent, or `null`. */
export function readFlowCookie(request: HoverIncomingRequest, state: string): string | null {
  const header = request.headers?.cookie;
  if (typeof header !== 'string' || header.length > 16_384) return null;
  const value = parse(header)[flowCookieName(state)];
  return typeof value === 'string' && value.length > 0 && value.length <= 4096 ? value : null;
}

/**
 * Attributes of a flow cookie: HttpOnly, SameSite=Lax (sent on Hover's top-level redirect back, not on
 * cross-site subrequests), Secure unless the redirect URI is plain-http loopback, path `/`, 600 seconds.
 */
export function flowCookieAttributes(options: ResolvedHoverAuthOptions) {
  return {
    httpOnly: true as const,
    sameSite: 'lax' as const,
    secure: new URL(options.redirectUri).protocol === 'https:',
    path: '/' as const,
    maxAgeSeconds: AUTHORIZATION_STATE_TTL_SECONDS,
  };
}

/** A `Set-Cookie` value for the flow cookie; `maxAgeSeconds` 0 deletes it. */
export function flowCookieHeader(name: string, value: string, options: ResolvedHoverAuthOptions, maxAgeSeconds?: number): string {
  const attributes = flowCookieAttributes(options);
  return serialize(name, value, {
    httpOnly: attributes.httpOnly,
    sameSite: attributes.sameSite,
    secure: attributes.secure,
    path: attributes.path,
    maxAge: maxAgeSeconds ?? attributes.maxAgeSeconds,
  });
}
