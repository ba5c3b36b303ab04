/**
 * A webhook registered at the emulator, as `HoverEmulator.registeredWebhooks()` and `GET /__emulator/webhooks`
 * return it. Includes the emulator's `hmacSecret` (a test fixture, not a real secret) so a test can
 * sign a delivery of its own; times in epoch MILLISECONDS.
 */
export interface HoverEmulatorWebhook {
  id: number;
  orgId: number;
  url: string;
  hmacSecret: string;
  /** `null` until `PUT /api/v2/webhooks/{code}/verify`; only verified webhooks receive events. */
  verifiedAt: number | null;
  createdAt: number;
  /** What the last failed delivery got (`"HTTP 401"`, `"fetch failed: …"`), else `null`. */
  lastError: string | null;
}
