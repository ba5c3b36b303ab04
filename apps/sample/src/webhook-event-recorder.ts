import { HOVER_EVENTS, type HoverWebhookEvent, type HoverWebhookVerifiedEvent } from '@hover-auth/nestjs';
import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';

/** How many events the sample keeps (all users together); older ones are dropped. */
export const MAX_RECORDED_WEBHOOK_EVENTS = 200;

/** Prefix of the events hover-auth dispatches for webhooks (`HOVER_WEBHOOK_EVENTS`). */
const PREFIX = 'hover.webhook.';

/** One event hover-auth dispatched, as the sample shows it on `GET /webhooks/events`. Never a secret. */
export interface RecordedWebhookEvent {
  /** The dispatched event's name without `hover.webhook.`: Hover's event (`job-state-changed`, …), or `verified` (hover-auth's own). */
  event: string;
  /** The connection whose webhook received it (the sample user's: `user:<id>`). */
  connectionId: string;
  /** Hover's webhook id, as text. */
  webhookId: string;
  hoverOrgId: string | null;
  /** `job_id` of the delivery, when it has one. */
  jobId: number | null;
  /** `job_external_identifier` of the delivery, when it has one. */
  jobExternalIdentifier: string | null;
  /** The job's new `state`, when the delivery has one. */
  state: string | null;
  /** When this app accepted the delivery (for `verified`: when Hover confirmed the code), ISO 8601. */
  receivedAt: string;
}

/**
 * Keeps the last {@link MAX_RECORDED_WEBHOOK_EVENTS} webhook events hover-auth dispatched, in memory
 * (a restart forgets them; several instances each keep their own: a real app stores what it needs, e.g.
 * the job's new state, in its own tables). One wildcard listener (`EventEmitterModule.forRoot({
 * wildcard: true })`) sees every `hover.webhook.<event>`, also events Hover adds later.
 */
@Injectable()
export class WebhookEventRecorder {
  private readonly logger = new Logger('SampleWebhooks');
  /** Newest first. */
  private readonly events: RecordedWebhookEvent[] = [];

  /** Every `hover.webhook.*` event: one per delivery Hover sent, whatever its `event`. */
  @OnEvent(`${PREFIX}*`)
  recordDelivery(payload: HoverWebhookEvent): void {
    this.record(fromDelivery(payload));
  }

  /** hover-auth's own: Hover confirmed a webhook's verification code. */
  @OnEvent(HOVER_EVENTS.WEBHOOK_VERIFIED)
  recordVerification(payload: HoverWebhookVerifiedEvent): void {
    this.record(fromVerification(payload));
  }

  private record(entry: RecordedWebhookEvent): void {
    this.events.unshift(entry);
    this.events.length = Math.min(this.events.length, MAX_RECORDED_WEBHOOK_EVENTS);
    const job = entry.jobId === null ? '' : `: job ${entry.jobId}${entry.state === null ? '' : ` → ${entry.state}`}`;
    this.logger.log(`Webhook event ${entry.event} for connection "${entry.connectionId}" (webhook ${entry.webhookId})${job}`);
  }

  /**
   * The recorded events of one Hover org, newest first (copies): one webhook per org serves all of the
   * org's connections (users of the same org see the same events).
   */
  list(hoverOrgId: string | null): RecordedWebhookEvent[] {
    if (hoverOrgId === null) return [];
    return this.events.filter((event) => event.hoverOrgId === hoverOrgId).map((event) => ({ ...event }));
  }
}

function fromDelivery(delivery: HoverWebhookEvent): RecordedWebhookEvent {
  const { job_id: jobId, job_external_identifier: external, state } = delivery.payload;
  return {
    event: short(delivery.event),
    connectionId: delivery.connectionId,
    webhookId: delivery.webhookId,
    hoverOrgId: delivery.hoverOrgId,
    jobId: typeof jobId === 'number' && Number.isSafeInteger(jobId) ? jobId : null,
    jobExternalIdentifier: typeof external === 'string' ? short(external) : null,
    state: typeof state === 'string' ? short(state) : null,
    receivedAt: new Date(delivery.receivedAt).toISOString(),
  };
}

function fromVerification(verified: HoverWebhookVerifiedEvent): RecordedWebhookEvent {
  return {
    event: 'verified',
    connectionId: verified.connectionId,
    webhookId: verified.webhookId,
    hoverOrgId: verified.hoverOrgId,
    jobId: null,
    jobExternalIdentifier: null,
    state: null,
    receivedAt: new Date(verified.at).toISOString(),
  };
}

/** Hover's text, capped: the page shows it and memory keeps 200 of them. */
function short(text: string): string {
  return text.slice(0, 100);
}
