/**
 * Names under which hover-auth dispatches received Hover webhook events through the host's
 * `@nestjs/event-emitter` (required when the `webhook` option is set): `hover.webhook.` + Hover's
 * `event` name. Listen with `@OnEvent(HOVER_WEBHOOK_EVENTS.JOB_STATE_CHANGED)`; every event Hover sends
 * is dispatched, also those not listed here (`hover.webhook.<event>`, or `@OnEvent('hover.webhook.*')`
 * with `EventEmitterModule.forRoot({ wildcard: true })`).
 *
 * Each accepted delivery is dispatched once across all app instances sharing the database, by the
 * instance that received it, after the HTTP answer was sent. The verification event
 * (`webhook-verification-code`) is handled by hover-auth itself and is not dispatched; instead
 * `HOVER_EVENTS.WEBHOOK_VERIFIED` (`hover.connection.webhook_verified`, outside this namespace) says the
 * webhook is active.
 *
 * Source of the event names and payloads: developers.hover.to, "Hover Webhook Events" (see
 * shared/hover-reference.md, "Webhooks").
 */
export const HOVER_WEBHOOK_EVENTS = {
  /** A job moved to another state. Payload {@link HoverWebhookEvent}<{@link HoverJobStateChangedPayload}>. */
  JOB_STATE_CHANGED: 'hover.webhook.job-state-changed',
  /** A 3D model was created. Payload {@link HoverWebhookEvent} (body as Hover sends it). */
  MODEL_CREATED: 'hover.webhook.model-created',
  /** A 3D model changed state. Payload {@link HoverWebhookEvent} (body as Hover sends it). */
  MODEL_STATE_CHANGED: 'hover.webhook.model-state-changed',
} as const;

/** Prefix of every dispatched webhook event name. */
export const HOVER_WEBHOOK_EVENT_PREFIX = 'hover.webhook.';

/** The job states Hover lists for `job-state-changed` (developers.hover.to, "Hover Webhook Events"), in pipeline order. */
export type HoverJobState =
  | 'uploading'
  | 'processing_upload'
  | 'submitting'
  | 'working'
  | 'waitlisted'
  | 'waiting_approval'
  | 'retrieving'
  | 'processing'
  | 'paying'
  | 'complete'
  | 'failed'
  | 'cancelled'
  | 'requesting_corrections'
  | 'processing_upload_for_improvements';

/** Body of a `job-state-changed` delivery, as Hover sends it (fields in Hover's snake case). */
export interface HoverJobStateChangedPayload {
  event: 'job-state-changed';
  webhook_id: number;
  job_id: number;
  /** The integrator's own id of the job, when it set one; else `null`. */
  job_external_identifier: string | null;
  /** The new state. Typed with Hover's documented states; a state added later arrives as its string. */
  state: HoverJobState | (string & {});
  'content-available'?: number;
  /** Hover's estimate, in **hours**, or `null`. */
  job_estimated_hours_to_completion?: number | null;
  [field: string]: unknown;
}

/** Body of any delivery: Hover's JSON object with at least `event`. */
export interface HoverWebhookPayload {
  event: string;
  [field: string]: unknown;
}

/**
 * What a listener of a `hover.webhook.*` event receives: the delivery's JSON body (`payload`, never
 * modified) and what hover-auth knows about it. Contains no secret.
 */
export interface HoverWebhookEvent<P extends HoverWebhookPayload = HoverWebhookPayload> {
  /** Hover's event name, e.g. `job-state-changed`. */
  event: string;
  /** Hover's webhook id the delivery was signed for (as text). */
  webhookId: string;
  /**
   * The connection that manages the webhook: one webhook serves all connections of an org, so use
   * `hoverOrgId` to find whose jobs these are.
   */
  connectionId: string;
  /** The Hover org whose jobs these are (the webhook's org), or `null` when unknown. */
  hoverOrgId: string | null;
  /** When this app instance accepted the delivery, epoch milliseconds. */
  receivedAt: number;
  /** SHA-256 (hex) of webhook id, `Date` and body: the same for a repeat of the delivery (handy as an idempotency key). */
  deliveryKey: string;
  /** The body as Hover sent it. */
  payload: P;
}

/** Payload type of each named webhook event. */
export interface HoverWebhookEventPayloads {
  'hover.webhook.job-state-changed': HoverWebhookEvent<HoverJobStateChangedPayload>;
  'hover.webhook.model-created': HoverWebhookEvent;
  'hover.webhook.model-state-changed': HoverWebhookEvent;
}
