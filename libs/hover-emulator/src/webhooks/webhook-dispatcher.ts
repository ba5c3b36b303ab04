import { setTimeout as sleep } from 'timers/promises';
import { HoverEmulatorFaults } from '../hover-emulator-faults.interface';
import { HoverEmulatorWebhookDelivery } from '../hover-emulator-webhook-delivery.interface';
import { WebhookRecord } from '../store/emulator-records.interface';
import { signWebhookRequest } from './webhook-signature';

/**
 * How long a receiver may take to answer, in MILLISECONDS, before the attempt is logged as failed.
 * Hover's own timeout is unknown; 10 s keeps a hung receiver from holding a test for long.
 */
export const WEBHOOK_DELIVERY_TIMEOUT_MS = 10_000;

/** Only the last this many deliveries are kept in the log. */
export const MAX_WEBHOOK_DELIVERY_LOG_ENTRIES = 10_000;

/**
 * Sends webhook events the way Hover does: one JSON POST per event, signed (see
 * `signWebhookRequest`), asynchronously after `webhookDeliveryDelayMs`, with no retry (Hover's retry
 * policy is [open] in the reference). Every attempt is logged; a failure (network error, timeout,
 * non-2xx) is logged and written to the webhook's `last_error`, never thrown. Internal.
 */
export class WebhookDispatcher {
  private log: HoverEmulatorWebhookDelivery[] = [];
  private readonly pending = new Set<Promise<void>>();
  private controller = new AbortController();
  private nextId = 1;

  /**
   * @param faults live view of the fault switches (read when each delivery starts)
   * @param now epoch MILLISECONDS
   * @param logLine one line per attempt (URL path and status only; never the secret or the body)
   */
  constructor(
    private readonly faults: () => Readonly<HoverEmulatorFaults>,
    private readonly now: () => number,
    private readonly logLine: (line: string) => void,
  ) {}

  /** Schedules the delivery of `payload` (its `event` member names it) to the webhook's URL; returns at once. */
  send(webhook: WebhookRecord, payload: { event: string } & Record<string, unknown>): void {
    const task = this.deliver(webhook, payload, this.controller.signal).finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  /** Resolves once every scheduled delivery has been attempted (answered, failed or aborted). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** @returns copies of the logged attempts, oldest first. */
  deliveries(): HoverEmulatorWebhookDelivery[] {
    return this.log.slice(-MAX_WEBHOOK_DELIVERY_LOG_ENTRIES).map((d) => ({ ...d, headers: { ...d.headers } }));
  }

  /** Aborts pending deliveries (waiting or in flight; logged as `"aborted"` when already sent). */
  abort(): void {
    this.controller.abort();
    this.controller = new AbortController();
  }

  /** Aborts pending deliveries and empties the log. */
  clear(): void {
    this.abort();
    this.log = [];
    this.nextId = 1;
  }

  private async deliver(webhook: WebhookRecord, payload: { event: string } & Record<string, unknown>, signal: AbortSignal): Promise<void> {
    const { webhookDeliveryDelayMs } = this.faults();
    try {
      await sleep(webhookDeliveryDelayMs, undefined, { signal });
    } catch {
      return; // stopped or reset while waiting: never sent
    }
    const { webhookSignature, webhookDuplicateDeliveries } = this.faults();
    const request = signWebhookRequest(webhook.url, payload, webhook, webhookSignature, this.now());
    // The duplicate is the same request again (same Date and signature): a replay, as a retry would be.
    for (let i = 0; i < (webhookDuplicateDeliveries ? 2 : 1) && !signal.aborted; i++) {
      await this.post(webhook, payload.event, request, signal);
    }
  }

  private async post(webhook: WebhookRecord, event: string, request: { headers: Record<string, string>; body: string }, signal: AbortSignal): Promise<void> {
    const entry: HoverEmulatorWebhookDelivery = {
      id: this.nextId++,
      at: this.now(),
      webhookId: webhook.id,
      event,
      url: webhook.url,
      headers: { ...request.headers },
      body: request.body,
      status: null,
      error: null,
    };
    this.log.push(entry);
    if (this.log.length >= 2 * MAX_WEBHOOK_DELIVERY_LOG_ENTRIES) this.log = this.log.slice(-MAX_WEBHOOK_DELIVERY_LOG_ENTRIES);
    try {
      const res = await fetch(webhook.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(WEBHOOK_DELIVERY_TIMEOUT_MS)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      entry.status = res.status;
      if (res.status < 200 || res.status > 299) webhook.lastError = `HTTP ${res.status}`;
    } catch (err) {
      entry.error = signal.aborted ? 'aborted' : describe(err);
      if (!signal.aborted) webhook.lastError = entry.error;
    }
    this.logLine(`webhook ${webhook.id} ${event} -> ${entry.status ?? entry.error}`);
  }
}

/** `"fetch failed: ECONNREFUSED"`, `"TimeoutError: …"`: the error and its cause's code, never the body. */
function describe(err: unknown): string {
  // Duck-typed, not `instanceof Error`: fetch's errors may come from another realm (Jest's VM).
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; message?: unknown; cause?: { code?: string; message?: string } };
  if (typeof e.message !== 'string') return String(err);
  const head = e.name === 'TimeoutError' ? `TimeoutError: no answer within ${WEBHOOK_DELIVERY_TIMEOUT_MS} ms` : e.message;
  const detail = e.cause?.code ?? e.cause?.message;
  return detail ? `${head}: ${detail}` : head;
}
