import { createHash, createHmac, randomBytes } from 'crypto';
import { HoverEmulatorFaults } from '../hover-emulator-faults.interface';

/** How far in the past the `Date` of a `webhookSignature: 'stale-date'` delivery is: 1 hour, in MILLISECONDS. */
export const STALE_DATE_OFFSET_MS = 3_600_000;

/** What goes on the wire for one delivery. */
export interface SignedWebhookRequest {
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
}

/**
 * ApiAuth's canonical string as Hover signs it (reference, "Webhooks"; developers.hover.to "Webhook
 * signature verification"): `content-type,content-md5,request-path,date`, joined by commas.
 * @param requestPath the URL's path plus its query string (`/hooks/hover?x=1`)
 */
export function canonicalString(contentType: string, contentMd5: string, requestPath: string, date: string): string {
  return [contentType, contentMd5, requestPath, date].join(',');
}

/**
 * Builds the headers and body of a delivery of `payload` to `url`, signed with the webhook's
 * `hmacSecret` STRING as HMAC key, or deliberately wrong per `mode`:
 * - `'valid'`: `Hover-Signature-256: sha256=<id>:<base64 HMAC-SHA256>` and
 *   `Hover-Signature: sha1=<id>:<base64 HMAC-SHA1>` over the canonical string;
 * - `'wrong-secret'`: the same headers made with another random secret;
 * - `'tampered-body'`: headers (Content-MD5 included) of the real body, but the body sent carries an
 *   extra `"tampered":true` member — what a body changed after signing looks like;
 * - `'stale-date'`: `Date` one hour ago (`STALE_DATE_OFFSET_MS`), correctly signed;
 * - `'missing'`: no signature headers (`Content-MD5` and `Date` still sent).
 * @param nowMs epoch MILLISECONDS for the `Date` header
 */
export function signWebhookRequest(
  url: string,
  payload: Record<string, unknown>,
  webhook: { id: number; hmacSecret: string },
  mode: HoverEmulatorFaults['webhookSignature'],
  nowMs: number,
): SignedWebhookRequest {
  const body = JSON.stringify(payload);
  const contentType = 'application/json';
  const contentMd5 = createHash('md5').update(body).digest('base64');
  const date = new Date(mode === 'stale-date' ? nowMs - STALE_DATE_OFFSET_MS : nowMs).toUTCString();
  const { pathname, search } = new URL(url);
  const canonical = canonicalString(contentType, contentMd5, pathname + search, date);
  const key = mode === 'wrong-secret' ? randomBytes(64).toString('base64') : webhook.hmacSecret;
  const hmac = (algorithm: 'sha256' | 'sha1') => createHmac(algorithm, key).update(canonical).digest('base64');

  const headers: Record<string, string> = { 'content-type': contentType, 'content-md5': contentMd5, date };
  if (mode !== 'missing') {
    headers['hover-signature-256'] = `sha256=${webhook.id}:${hmac('sha256')}`;
    headers['hover-signature'] = `sha1=${webhook.id}:${hmac('sha1')}`;
  }
  return { headers, body: mode === 'tampered-body' ? JSON.stringify({ ...payload, tampered: true }) : body };
}
