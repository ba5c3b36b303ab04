import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HoverEventPublisher } from '../events/hover-event-publisher';
import { HOVER_EVENTS } from '../events/hover-events';
import { HOVER_WEBHOOK_EVENT_PREFIX, type HoverWebhookEvent, type HoverWebhookPayload } from '../events/hover-webhook-events';
import { HoverTokenDecryptionException } from '../exceptions/hover-token-cipher.exceptions';
import { HoverApiException } from '../exceptions/hover-api.exception';
import { HoverWebhookRequestException, HoverWebhookSignatureException } from '../exceptions/hover-webhook.exceptions';
import { HOVER_AUTH_RESOLVED_OPTIONS } from '../hover-auth.constants';
import type { HoverWebhookOptions, ResolvedHoverAuthOptions } from '../hover-auth-options.interface';
import { HoverHttpService } from '../http/hover-http.service';
import type { HoverWebhook } from '../tokens/hover-webhook.entity';
import { HoverWebhookRepository } from '../tokens/hover-webhook.repository';
import { HOVER_WEBHOOKS_PATH } from './hover-webhooks.service';
import { verifyHoverWebhookSignature } from './webhook-signature';
import { errorSummary } from '../exceptions/error-summary';

/** A delivery as the route received it. */
export interface ReceivedHoverWebhook {
  /** HTTP method, e.g. `POST`. */
  method: string;
  /** Path and query string as received (`req.originalUrl`), e.g. `/hover/webhooks?x=1`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  rawBody: Buffer;
}

/** How to answer a delivery, and what to do once the answer is sent. */
export interface HoverWebhookAnswer {
  status: number;
  body: Record<string, unknown>;
  /** Runs after the answer was sent (dispatch to listeners); never rejects. */
  afterResponse?: () => Promise<void>;
}

/**
 * How long the verification handshake waits for the webhook's row, in milliseconds: Hover may POST the
 * code before the registration's row is committed (it sends it right after answering the registration).
 */
const VERIFICATION_LOOKUP_MS = 5000;
const VERIFICATION_LOOKUP_EVERY_MS = 100;
/**
 * Most verification deliveries waiting for their row at once, per instance: beyond it an unknown
 * webhook id is refused at once, so a flood of made-up codes cannot hold requests and poll the database.
 */
const MAX_VERIFICATION_WAITS = 16;
/** Most often the record of deliveries is pruned, in milliseconds. */
const PRUNE_EVERY_MS = 60_000;

const EVENT_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/i;
const WEBHOOK_ID = /^[A-Za-z0-9_-]{1,64}$/;
const VERIFICATION_CODE = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Judges and handles one webhook delivery: body size and shape, the verification handshake, the
 * signature (`verifyHoverWebhookSignature`), replays (a delivery key claimed in the database, so one
 * instance of many dispatches it), then dispatch after the answer. Refusals are
 * `HoverAuthException`s whose JSON is the answer; nothing is stored or dispatched for them.
 */
@Injectable()
export class HoverWebhookReceiver {
  private readonly logger = new Logger('HoverAuth');
  private lastPruneAt = 0;
  private verificationWaits = 0;

  constructor(
    @Inject(HOVER_AUTH_RESOLVED_OPTIONS) private readonly options: ResolvedHoverAuthOptions,
    private readonly webhooks: HoverWebhookRepository,
    private readonly http: HoverHttpService,
    private readonly events: HoverEventPublisher,
  ) {}

  private get settings(): Required<HoverWebhookOptions> {
    if (!this.options.webhook) throw new Error('hover-auth: the webhook option is not set.');
    return this.options.webhook;
  }

  /**
   * @returns the answer to send: 200 for an accepted delivery or a confirmed verification code
   * @throws {HoverAuthException} the refusal to send as JSON (400, 401, 413, 500, 503; see the README's
   *   "Webhooks" section); any other error is unexpected (a database failure) and becomes a 500
   */
  async receive(delivery: ReceivedHoverWebhook): Promise<HoverWebhookAnswer> {
    const settings = this.settings;
    if (delivery.rawBody.length > settings.maxBodyBytes) {
      throw new HoverWebhookRequestException('HOVER_WEBHOOK_BODY_TOO_LARGE', `The webhook body is over ${settings.maxBodyBytes} bytes.`);
    }
    const payload = parseBody(delivery.rawBody);
    if (payload.event === 'webhook-verification-code') return this.verify(delivery, payload);

    const now = Date.now();
    let row: HoverWebhook | null = null;
    const verified = await verifyHoverWebhookSignature({
      method: delivery.method,
      path: this.signedPath(delivery.path),
      headers: delivery.headers,
      rawBody: delivery.rawBody,
      now,
      toleranceSeconds: settings.toleranceSeconds,
      allowLegacySha1: settings.allowLegacySha1,
      secretFor: async (webhookId) => {
        row = await this.webhooks.findById(webhookId);
        return row && this.secretOf(row);
      },
    });
    // Verified, so the lookup above found the row of `verified.webhookId`.
    const webhook = row as unknown as HoverWebhook;
    const date = String(delivery.headers.date ?? '');
    const deliveryKey = createHash('sha256').update(`${verified.webhookId}\n${date}\n`).update(delivery.rawBody).digest('hex');
    const claimed = await this.webhooks.claimDelivery({ deliveryKey, webhookId: verified.webhookId, event: payload.event, receivedAt: now });
    if (!claimed) {
      throw new HoverWebhookRequestException('HOVER_WEBHOOK_REPLAYED', 'This webhook delivery was received before and was dispatched then; it is not dispatched again.', {
        webhookId: verified.webhookId,
      });
    }
    const event: HoverWebhookEvent = {
      event: payload.event,
      webhookId: verified.webhookId,
      connectionId: webhook.connectionId,
      hoverOrgId: webhook.hoverOrgId,
      receivedAt: now,
      deliveryKey,
      payload,
    };
    return {
      status: 200,
      body: { status: 'accepted' },
      afterResponse: async () => {
        await this.events.dispatch(`${HOVER_WEBHOOK_EVENT_PREFIX}${payload.event}`, event);
        this.pruneNowAndThen(now);
      },
    };
  }

  /**
   * The verification handshake: find the webhook (waiting for its row, up to 5 s), check the signature
   * when the delivery carries one, then confirm the code at Hover with the webhook's connection.
   * Hover's "Verify Webhook" page documents no signature on this POST, so an unsigned one is accepted:
   * only Hover can confirm the code it issued, so a forged code verifies nothing.
   */
  private async verify(delivery: ReceivedHoverWebhook, payload: HoverWebhookPayload): Promise<HoverWebhookAnswer> {
    const code = payload.code;
    const webhookId = typeof payload.webhook_id === 'number' && Number.isSafeInteger(payload.webhook_id) ? String(payload.webhook_id) : payload.webhook_id;
    if (typeof code !== 'string' || !VERIFICATION_CODE.test(code) || typeof webhookId !== 'string' || !WEBHOOK_ID.test(webhookId)) {
      throw new HoverWebhookRequestException('HOVER_WEBHOOK_INVALID_BODY', 'A webhook-verification-code event needs a `code` and a `webhook_id`.');
    }
    const row = await this.waitForWebhook(webhookId);
    if (row === null) {
      throw new HoverWebhookSignatureException('HOVER_WEBHOOK_UNKNOWN', 'The webhook of this verification code is not registered here.', webhookId);
    }
    const signed = delivery.headers['hover-signature-256'] !== undefined || (this.settings.allowLegacySha1 && delivery.headers['hover-signature'] !== undefined);
    if (signed) {
      const verified = await verifyHoverWebhookSignature({
        method: delivery.method,
        path: this.signedPath(delivery.path),
        headers: delivery.headers,
        rawBody: delivery.rawBody,
        now: Date.now(),
        toleranceSeconds: this.settings.toleranceSeconds,
        allowLegacySha1: this.settings.allowLegacySha1,
        secretFor: async (id) => {
          const signer = id === row.webhookId ? row : await this.webhooks.findById(id);
          return signer && this.secretOf(signer);
        },
      });
      if (verified.webhookId !== row.webhookId) {
        throw new HoverWebhookSignatureException('HOVER_WEBHOOK_SIGNATURE_INVALID', 'The verification code is signed for another webhook than the one it names.', webhookId);
      }
    }
    // Nothing to confirm: Hover is not asked again, whatever the code.
    if (row.verifiedAt !== null) return { status: 200, body: { status: 'already_verified', webhookId } };
    try {
      // Hover's page says the call needs no token; sending the org's does no harm and covers a Hover that wants it.
      await this.http.forConnection(row.connectionId).requestData({ method: 'PUT', url: `${HOVER_WEBHOOKS_PATH}/${encodeURIComponent(code)}/verify` });
    } catch (error) {
      const refused = error instanceof HoverApiException && error.hoverStatus !== null && error.hoverStatus >= 400 && error.hoverStatus < 500 && error.hoverStatus !== 429;
      this.logger.warn(`Hover did not confirm the verification code of webhook ${webhookId} (${errorSummary(error)}${error instanceof HoverApiException ? `, Hover status ${error.hoverStatus ?? 'none'}` : ''}).`);
      throw new HoverWebhookRequestException(
        'HOVER_WEBHOOK_VERIFICATION_FAILED',
        refused ? 'Hover refused this verification code.' : 'Hover could not confirm the verification code now; send it again later.',
        { webhookId },
        refused ? 400 : 503,
      );
    }
    const at = Date.now();
    if (await this.webhooks.markVerified(webhookId, at)) {
      this.logger.log(`Hover webhook ${webhookId} of connection "${row.connectionId}" is verified.`);
      const verifiedEvent = { connectionId: row.connectionId, at, webhookId, hoverOrgId: row.hoverOrgId };
      return { status: 200, body: { status: 'verified', webhookId }, afterResponse: async () => this.events.emit(HOVER_EVENTS.WEBHOOK_VERIFIED, verifiedEvent) };
    }
    return { status: 200, body: { status: 'verified', webhookId } };
  }

  /**
   * @throws {HoverWebhookRequestException} 500 `HOVER_WEBHOOK_SECRET_UNREADABLE` when the stored secret does
   *   not decrypt (the repository logged the operator's detail); the answer names no connection
   */
  private secretOf(row: HoverWebhook): string {
    try {
      return this.webhooks.secretOf(row);
    } catch (error) {
      if (!(error instanceof HoverTokenDecryptionException)) throw error;
      throw new HoverWebhookRequestException(
        'HOVER_WEBHOOK_SECRET_UNREADABLE',
        "The stored secret of this webhook cannot be read; an operator must check the server log. The org's next connect registers a new webhook.",
      );
    }
  }

  private async waitForWebhook(webhookId: string): Promise<HoverWebhook | null> {
    const row = await this.webhooks.findById(webhookId);
    if (row !== null || this.verificationWaits >= MAX_VERIFICATION_WAITS) return row;
    this.verificationWaits++;
    try {
      const deadline = Date.now() + VERIFICATION_LOOKUP_MS;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, VERIFICATION_LOOKUP_EVERY_MS));
        const found = await this.webhooks.findById(webhookId);
        if (found !== null || Date.now() >= deadline) return found;
      }
    } finally {
      this.verificationWaits--;
    }
  }

  /**
   * The path Hover signed: that of the registered `webhook.url` (a proxy may have rewritten the one this
   * app sees, see `webhook.path`), with the query string as received.
   */
  private signedPath(receivedPath: string): string {
    const query = receivedPath.indexOf('?');
    return new URL(this.settings.url).pathname + (query < 0 ? '' : receivedPath.slice(query));
  }

  /** Deletes delivery records older than twice the `Date` tolerance (plus a minute), at most once a minute. */
  private pruneNowAndThen(now: number): void {
    if (now - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = now;
    this.webhooks
      .pruneDeliveries(now - 2 * this.settings.toleranceSeconds * 1000 - 60_000)
      .catch((error) => this.logger.warn(`Could not prune old webhook delivery records (${(error as Error)?.name ?? 'error'}).`));
  }
}

/** @throws {HoverWebhookRequestException} 400 unless the body is a JSON object with a well-formed `event` */
function parseBody(rawBody: Buffer): HoverWebhookPayload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new HoverWebhookRequestException('HOVER_WEBHOOK_INVALID_BODY', 'The webhook body is not JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HoverWebhookRequestException('HOVER_WEBHOOK_INVALID_BODY', 'The webhook body is not a JSON object.');
  }
  const event = (parsed as Record<string, unknown>).event;
  if (typeof event !== 'string' || !EVENT_NAME.test(event)) {
    throw new HoverWebhookRequestException('HOVER_WEBHOOK_INVALID_BODY', 'The webhook body has no `event` name (1-64 letters, digits, - or _).');
  }
  return parsed as HoverWebhookPayload;
}
