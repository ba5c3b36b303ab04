import { HoverEmulatorFaults } from '../hover-emulator-faults.interface';

type Check = (value: unknown) => boolean;

const oneOf =
  (...allowed: unknown[]): Check =>
  (value) =>
    allowed.includes(value);
const nonNegativeMs: Check = (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const httpStatusOrNull: Check = (value) => value === null || (Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599);

const rawResponseOrNull: Check = (value) => {
  if (value === null) return true;
  if (typeof value !== 'object' || Array.isArray(value)) return false;
  const { status, contentType, body, headers } = value as Record<string, unknown>;
  const headersOk =
    headers === undefined ||
    (typeof headers === 'object' && headers !== null && !Array.isArray(headers) && Object.values(headers).every((header) => typeof header === 'string'));
  return httpStatusOrNull(status) && status !== null && typeof contentType === 'string' && typeof body === 'string' && headersOk;
};

const positiveInt = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 1;
/** A header value Node will send: printable ASCII, spaces and tabs (no CR/LF, no control characters). */
const headerText = (value: unknown): boolean => typeof value === 'string' && /^[\t\x20-\x7e]*$/.test(value);

/** A plain object with every `required` key, no key outside `required` and `optional`, each passing its check. */
const shape =
  (required: Record<string, Check>, optional: Record<string, Check> = {}): Check =>
  (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const fields = value as Record<string, unknown>;
    if (Object.keys(fields).some((key) => !Object.hasOwn(required, key) && !Object.hasOwn(optional, key))) return false;
    return (
      Object.entries(required).every(([key, check]) => check(fields[key])) &&
      Object.entries(optional).every(([key, check]) => fields[key] === undefined || check(fields[key]))
    );
  };
const orNull =
  (check: Check): Check =>
  (value) =>
    value === null || check(value);

const apiRateLimitOrNull = orNull(shape({ perMinute: positiveInt }, { perHour: positiveInt }));
const apiStatusOrNull = orNull(
  shape(
    { status: (value) => Number.isInteger(value) && (value as number) >= 400 && (value as number) <= 599 },
    { retryAfter: headerText, times: positiveInt, body: (value) => typeof value === 'string', contentType: (value) => headerText(value) && value !== '' },
  ),
);

const CHECKS: Record<keyof HoverEmulatorFaults, [Check, string]> = {
  rotation: [oneOf('revoke-on-refresh', 'revoke-on-first-use'), "'revoke-on-refresh' or 'revoke-on-first-use'"],
  tokenErrorStatus: [oneOf('doorkeeper', 'always-401'), "'doorkeeper' or 'always-401'"],
  consentWithoutIntegrations: [oneOf('block', 'allow'), "'block' or 'allow'"],
  omitRefreshTokenOnRefresh: [oneOf(true, false), 'a boolean'],
  tokenEndpointDelayMs: [nonNegativeMs, 'a number of milliseconds ≥ 0'],
  tokenAnswerDelayMs: [nonNegativeMs, 'a number of milliseconds ≥ 0'],
  tokenEndpointHang: [oneOf(true, false), 'a boolean'],
  tokenEndpointStatus: [httpStatusOrNull, 'an HTTP status 100–599 or null'],
  tokenEndpointResponse: [rawResponseOrNull, 'null or { status, contentType, body, headers? } (body a string, headers strings)'],
  apiRejectAllTokens: [oneOf(true, false), 'a boolean'],
  pkce: [oneOf('honour', 'ignore'), "'honour' or 'ignore'"],
  apiDelayMs: [nonNegativeMs, 'a number of milliseconds ≥ 0'],
  apiRateLimit: [apiRateLimitOrNull, 'null or { perMinute, perHour? } (integers ≥ 1)'],
  apiStatus: [
    apiStatusOrNull,
    'null or { status: 400–599, retryAfter?: header text, times?: integer ≥ 1, body?: string, contentType?: header text } (no other keys)',
  ],
  webhookSignature: [
    oneOf('valid', 'wrong-secret', 'tampered-body', 'stale-date', 'missing'),
    "'valid', 'wrong-secret', 'tampered-body', 'stale-date' or 'missing'",
  ],
  webhookDeliveryDelayMs: [nonNegativeMs, 'a number of milliseconds ≥ 0'],
  webhookDuplicateDeliveries: [oneOf(true, false), 'a boolean'],
  reportedExpiresIn: [
    (value) => value === null || typeof value === 'string' || (typeof value === 'number' && !Number.isNaN(value)),
    "'actual', 'omit', a number, a string or null",
  ],
};

/**
 * Checks a partial faults object (from code or from `POST /__emulator/faults`).
 * @returns the same object, typed
 * @throws TypeError naming the first unknown key or invalid value and what is expected
 */
export function validateFaults(partial: unknown): Partial<HoverEmulatorFaults> {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) {
    throw new TypeError('Faults must be an object, e.g. {"rotation":"revoke-on-first-use"}.');
  }
  for (const [key, value] of Object.entries(partial)) {
    const entry = Object.hasOwn(CHECKS, key) ? CHECKS[key as keyof HoverEmulatorFaults] : undefined;
    if (!entry) throw new TypeError(`Unknown fault "${key}"; known faults: ${Object.keys(CHECKS).join(', ')}.`);
    if (!entry[0](value)) throw new TypeError(`Fault "${key}" must be ${entry[1]}, got ${JSON.stringify(value)}.`);
  }
  return partial as Partial<HoverEmulatorFaults>;
}
