import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HoverWebhookSignatureException } from '../exceptions/hover-webhook.exceptions';

/*
 * Why our own code: Hover signs deliveries the way the Ruby `api-auth` gem (github.com/mgomes/api_auth)
 * signs requests — HMAC over the ApiAuth canonical string `content-type,content-md5,request-uri,date`
 * (`Headers#canonical_string_without_http_method`, lib/api_auth/headers.rb; since 1.4 the upper-case
 * method may come first, CHANGELOG "1.4") — but carries it in its own header,
 * `Hover-Signature-256: sha256=<webhook id>:<base64>`, not ApiAuth's `Authorization: APIAuth <id>:<sig>`.
 * The npm port `api_auth_server` ("an HMAC server compatible with mgomes/api_auth") is built for that
 * `Authorization` header; `authhmac` (after Ruby's AuthHMAC) and `ofuda` (AWS S3 style) sign other,
 * newline-separated canonical strings that start with the method. Searching for "Hover-Signature-256"
 * finds no library at all. So no maintained library verifies Hover's header exactly; node:crypto does the
 * cryptography, and this file only assembles the canonical string and compares.
 */

/** Hash of the HMAC: `sha256` for `Hover-Signature-256`, `sha1` for the legacy `Hover-Signature`. */
export type HoverWebhookAlgorithm = 'sha256' | 'sha1';

/** A webhook delivery as received, and how to judge it. */
export interface HoverWebhookDelivery {
  /**
   * HTTP method as received (Hover POSTs). Optional: when given, a signature over the api-auth 1.4+/2.x
   * canonical string, which starts with the upper-case method, is accepted too.
   */
  method?: string;
  /** Request path plus query string exactly as received (Node's `req.url`), e.g. `/hover/webhooks?x=1`. */
  path: string;
  /** Request headers, Node's `IncomingHttpHeaders` shape; names are looked up case-insensitively. */
  headers: IncomingHttpHeaders;
  /** The body exactly as received, before any JSON parsing. */
  rawBody: Buffer;
  /** Current time, epoch **milliseconds**. */
  now: number;
  /** Largest accepted distance between `Date` and `now`, either way, in **seconds**. Default 300. */
  toleranceSeconds?: number;
  /** Accept the legacy `Hover-Signature: sha1=…` when `Hover-Signature-256` is absent. Default `false`. */
  allowLegacySha1?: boolean;
  /**
   * The `hmac_secret` registration returned for a webhook id, or `null` when that id is unknown. An
   * error it throws (a database failure) propagates unchanged: it is not the sender's fault.
   */
  secretFor(webhookId: string): Promise<string | null>;
}

/** What a delivery with a valid signature proves. */
export interface VerifiedHoverWebhook {
  /** The webhook id named in the signature header, whose secret made the signature. */
  webhookId: string;
  algorithm: HoverWebhookAlgorithm;
}

/** Default of {@link HoverWebhookDelivery.toleranceSeconds}: 5 minutes. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

const SIGNATURE_HEADERS: Record<HoverWebhookAlgorithm, string> = {
  sha256: 'hover-signature-256',
  sha1: 'hover-signature',
};
const WEBHOOK_ID = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Verifies that a webhook delivery was signed by Hover with the secret of the webhook it names, that its
 * body is the one signed, and that its `Date` is recent (shared/hover-reference.md, "Webhooks": HMAC over
 * `content-type,content-md5(base64 of body),request-path,date`, header
 * `Hover-Signature-256: sha256=<webhook_id>:<base64 HMAC-SHA256>`, key = the `hmac_secret` string as is).
 *
 * Checks, in this order (the cheap ones before the secret lookup): the signature header is present and
 * well formed; `Date` is an HTTP-date (RFC 7231 §7.1.1.1: IMF-fixdate, or the obsolete RFC 850 and asctime
 * forms) within ±`toleranceSeconds` of `now`; `Content-MD5`, when sent, is base64(MD5(rawBody)); the
 * webhook id has a secret; the HMAC matches (compared in constant time).
 *
 * Without a `Content-MD5` header the canonical string uses the digest computed from the body: Hover
 * signs "content-md5 (base64 of body)" and always sends the header, so this is what it signed, and a
 * proxy that drops the header does not break verification. api-auth itself would sign an empty field
 * then, which binds no body; that form is not accepted.
 *
 * @returns the webhook id and algorithm of the valid signature
 * @throws HoverWebhookSignatureException (401) with code `HOVER_WEBHOOK_SIGNATURE_MISSING`,
 *   `…_SIGNATURE_MALFORMED`, `HOVER_WEBHOOK_DATE_OUT_OF_RANGE`, `HOVER_WEBHOOK_BODY_DIGEST_MISMATCH`,
 *   `HOVER_WEBHOOK_UNKNOWN` or `HOVER_WEBHOOK_SIGNATURE_INVALID`; messages never contain the secret,
 *   the signature or the body
 * @throws RangeError when `now` or `toleranceSeconds` is not a finite number (≥ 0): a programming error
 */
export async function verifyHoverWebhookSignature(delivery: HoverWebhookDelivery): Promise<VerifiedHoverWebhook> {
  const toleranceSeconds = delivery.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  if (!Number.isFinite(delivery.now)) throw new RangeError('`now` must be epoch milliseconds.');
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) throw new RangeError('`toleranceSeconds` must be a number of seconds ≥ 0.');

  const { algorithm, webhookId, signature } = readSignatureHeader(delivery.headers, delivery.allowLegacySha1 ?? false);
  const date = checkDate(header(delivery.headers, 'date'), delivery.now, toleranceSeconds, webhookId);
  const contentMd5 = checkContentMd5(header(delivery.headers, 'content-md5'), delivery.rawBody, webhookId);

  const secret = await delivery.secretFor(webhookId);
  if (secret === null || secret === '') {
    throw new HoverWebhookSignatureException('HOVER_WEBHOOK_UNKNOWN', 'The webhook named in the signature header is not registered here.', webhookId);
  }

  const canonical = [header(delivery.headers, 'content-type') ?? '', contentMd5, requestPath(delivery.path), date].join(',');
  const candidates = delivery.method ? [canonical, `${delivery.method.toUpperCase()},${canonical}`] : [canonical];
  // Every candidate is computed and compared, so the time taken does not say which one came close.
  const matches = candidates.map((text) => equalInConstantTime(createHmac(algorithm, Buffer.from(secret, 'utf8')).update(text, 'utf8').digest(), signature));
  if (!matches.includes(true)) {
    throw new HoverWebhookSignatureException(
      'HOVER_WEBHOOK_SIGNATURE_INVALID',
      'The webhook signature does not match this delivery (wrong secret, or its body, path, Content-Type or Date changed).',
      webhookId,
    );
  }
  return { webhookId, algorithm };
}

/** Reads `Hover-Signature-256`, else (when allowed) the legacy `Hover-Signature`; never downgrades a bad SHA-256 header. */
function readSignatureHeader(headers: IncomingHttpHeaders, allowLegacySha1: boolean): { algorithm: HoverWebhookAlgorithm; webhookId: string; signature: Buffer } {
  const sha256 = header(headers, SIGNATURE_HEADERS.sha256);
  const sha1 = header(headers, SIGNATURE_HEADERS.sha1);
  if (sha256 !== undefined) return parseSignature('sha256', sha256);
  if (sha1 !== undefined && allowLegacySha1) return parseSignature('sha1', sha1);
  throw new HoverWebhookSignatureException(
    'HOVER_WEBHOOK_SIGNATURE_MISSING',
    sha1 === undefined
      ? 'The webhook delivery has no Hover-Signature-256 header.'
      : 'The webhook delivery has only the legacy Hover-Signature (SHA-1) header, which is not accepted unless legacy SHA-1 signatures are allowed.',
  );
}

/** `<algorithm>=<webhook id>:<base64 HMAC>`. The signature's length is checked later, in constant time. */
function parseSignature(algorithm: HoverWebhookAlgorithm, value: string): { algorithm: HoverWebhookAlgorithm; webhookId: string; signature: Buffer } {
  const prefix = `${algorithm}=`;
  const text = value.trim();
  const colon = text.indexOf(':');
  const webhookId = colon < 0 ? '' : text.slice(prefix.length, colon);
  const signature = colon < 0 ? '' : text.slice(colon + 1);
  if (text.slice(0, prefix.length).toLowerCase() !== prefix || !WEBHOOK_ID.test(webhookId) || signature === '' || !BASE64.test(signature)) {
    const name = algorithm === 'sha256' ? 'Hover-Signature-256' : 'Hover-Signature';
    throw new HoverWebhookSignatureException('HOVER_WEBHOOK_SIGNATURE_MALFORMED', `The ${name} header is not "${prefix}<webhook id>:<base64 HMAC>".`);
  }
  return { algorithm, webhookId, signature: Buffer.from(signature, 'base64') };
}

/** @returns the `Date` header as sent (it is part of the canonical string) */
function checkDate(value: string | undefined, now: number, toleranceSeconds: number, webhookId: string): string {
  const time = value === undefined ? null : parseHttpDate(value, now);
  if (value === undefined || time === null) {
    throw new HoverWebhookSignatureException(
      'HOVER_WEBHOOK_DATE_OUT_OF_RANGE',
      value === undefined ? 'The webhook delivery has no Date header.' : 'The Date header of the webhook delivery is not an HTTP-date.',
      webhookId,
    );
  }
  const skewSeconds = Math.round((time - now) / 1000);
  if (Math.abs(time - now) > toleranceSeconds * 1000) {
    throw new HoverWebhookSignatureException(
      'HOVER_WEBHOOK_DATE_OUT_OF_RANGE',
      `The Date of the webhook delivery is ${Math.abs(skewSeconds)} s in the ${skewSeconds < 0 ? 'past' : 'future'}; at most ${toleranceSeconds} s is accepted (a replay, or a clock out of sync).`,
      webhookId,
    );
  }
  return value;
}

/** @returns the Content-MD5 to sign: the header when sent (and right), else the one computed from the body */
function checkContentMd5(value: string | undefined, rawBody: Buffer, webhookId: string): string {
  const computed = createHash('md5').update(rawBody).digest('base64');
  if (value === undefined || value === '') return computed;
  if (value !== computed) {
    throw new HoverWebhookSignatureException('HOVER_WEBHOOK_BODY_DIGEST_MISMATCH', 'The Content-MD5 header is not the MD5 digest of the body received.', webhookId);
  }
  return value;
}

/** As api-auth's `parse_uri`: an absolute URI loses scheme and host; an empty path is `/`. */
function requestPath(path: string): string {
  const withoutHost = path.replace(/^https?:\/\/[^/?]*/i, '');
  return withoutHost === '' ? '/' : withoutHost;
}

function equalInConstantTime(expected: Buffer, given: Buffer): boolean {
  // timingSafeEqual throws on different lengths; the length of a valid HMAC is public anyway.
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Case-insensitive header lookup; repeated values are joined with ", " as Node does. */
function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    values.push(...(Array.isArray(value) ? value : [value]));
  }
  return values.length === 0 ? undefined : values.join(', ');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/**
 * Parses an HTTP-date (RFC 7231 §7.1.1.1) field by field rather than with `Date.parse`, which reads
 * asctime (no zone) as local time and accepts many non-HTTP forms.
 * @param now epoch milliseconds, to place an RFC 850 two-digit year in the century that puts it less than
 *   50 years back and at most 50 years ahead
 * @returns epoch milliseconds, or `null` when it is no HTTP-date or no real calendar time
 */
function parseHttpDate(value: string, now: number): number | null {
  let parts: [day: string, month: string, year: number, hour: string, minute: string, second: string];
  let match: RegExpExecArray | null;
  if ((match = IMF_FIXDATE.exec(value))) {
    parts = [match[1], match[2], Number(match[3]), match[4], match[5], match[6]];
  } else if ((match = RFC_850.exec(value))) {
    const thisYear = new Date(now).getUTCFullYear();
    let year = thisYear - (thisYear % 100) + Number(match[3]);
    if (year > thisYear + 50) year -= 100;
    else if (year <= thisYear - 50) year += 100;
    parts = [match[1], match[2], year, match[4], match[5], match[6]];
  } else if ((match = ASCTIME.exec(value))) {
    parts = [match[2].trim(), match[1], Number(match[6]), match[3], match[4], match[5]];
  } else {
    return null;
  }
  const [day, month, year, hour, minute, second] = [Number(parts[0]), MONTHS.indexOf(parts[1]), parts[2], Number(parts[3]), Number(parts[4]), Number(parts[5])];
  if (hour > 23 || minute > 59 || second > 60) return null;
  const date = new Date(Date.UTC(year, month, day, hour, minute, second));
  // Date.UTC rolls 31 Feb over into March; a real date maps back onto itself.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month || date.getUTCDate() !== day) return null;
  return date.getTime();
}
