/**
 * One POST the emulator sent (or tried to send) to a webhook URL, as kept by
 * `HoverEmulator.webhookDeliveries()` and `GET /__emulator/webhook-deliveries`. A delivery sent twice
 * (fault `webhookDuplicateDeliveries`) is two entries with the same body and headers.
 */
export interface HoverEmulatorWebhookDelivery {
  /** Sequence number of the attempt, 1, 2, … since start or the last `reset()`. Not sent to the receiver. */
  id: number;
  /** When the POST was sent, in epoch MILLISECONDS (after `webhookDeliveryDelayMs`). */
  at: number;
  webhookId: number;
  /** `"webhook-verification-code"` or `"job-state-changed"`. */
  event: string;
  /** The webhook's URL as registered. */
  url: string;
  /**
   * The headers the emulator set (lower-case names): `content-type`, `content-md5`, `date` and, unless
   * `webhookSignature: 'missing'`, `hover-signature-256` and `hover-signature`. Node's fetch adds its
   * own (`user-agent`, `accept`, …), not listed here.
   */
  headers: Record<string, string>;
  /** The raw body exactly as sent (with `webhookSignature: 'tampered-body'`, the tampered one). */
  body: string;
  /** The receiver's HTTP status (redirects are not followed), or `null` while pending or after a network error. */
  status: number | null;
  /** Why no status came back (`"fetch failed: ECONNREFUSED"`, a timeout, `"aborted"` by stop/reset), else `null`. */
  error: string | null;
}
