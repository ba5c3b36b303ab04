import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ConnectionLifecycle, type ConnectedConnection } from '../events/connection-lifecycle';
import { HoverApiException } from '../exceptions/hover-api.exception';
import { HoverInvalidArgumentException } from '../exceptions/hover-connection.exceptions';
import { HoverWebhookNotFoundException } from '../exceptions/hover-webhook.exceptions';
import { HOVER_AUTH_RESOLVED_OPTIONS } from '../hover-auth.constants';
import type { ResolvedHoverAuthOptions } from '../hover-auth-options.interface';
import { HoverHttpService } from '../http/hover-http.service';
import { assertConnectionId } from '../tokens/connection-id';
import { HoverConnectionRepository } from '../tokens/hover-connection.repository';
import type { HoverWebhook } from '../tokens/hover-webhook.entity';
import { HoverWebhookRepository } from '../tokens/hover-webhook.repository';
import type { HoverApiWebhook, HoverWebhookInfo, HoverWebhooksPage } from './hover-webhook-info';

/** Hover's webhook API, relative to `{baseUrl}/api` (developers.hover.to, "Webhooks"). */
export const HOVER_WEBHOOKS_PATH = '/v2/webhooks';

const WEBHOOK_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * An org's Hover webhooks, per connection: register (and store the `hmac_secret`, encrypted), list,
 * delete. Calls go through {@link HoverHttpService} with the connection's access token. Deliveries are
 * received by the route the `webhook` option mounts; see {@link HOVER_WEBHOOK_EVENTS}.
 *
 * With `webhook.registerOnConnect` (the default when the `webhook` option is set), each connection's
 * webhook is registered right after it connects, and a disconnect deletes the connection's webhooks at
 * Hover (best effort) and here.
 *
 * @example
 * const webhook = await this.webhooks.register(`account:${accountId}`);
 * // Hover now POSTs a verification code to the URL; hover-auth confirms it, then emits hover.webhook.verified.
 */
@Injectable()
export class HoverWebhooksService implements OnModuleInit {
  private readonly logger = new Logger('HoverAuth');

  constructor(
    @Inject(HOVER_AUTH_RESOLVED_OPTIONS) private readonly options: ResolvedHoverAuthOptions,
    private readonly http: HoverHttpService,
    private readonly webhooks: HoverWebhookRepository,
    private readonly connections: HoverConnectionRepository,
    private readonly lifecycle: ConnectionLifecycle,
  ) {}

  onModuleInit(): void {
    const webhook = this.options.webhook;
    if (webhook && webhook.registerOnConnect) {
      this.lifecycle.onConnected((connected) =>
        this.registerAfterConnect(connected).catch((error: unknown) => {
          if (error instanceof HoverApiException && error.hoverStatus === 422) {
            // Hover's 422 names the reason (an invalid URL, or the URL already registered twice for the org).
            this.logger.warn(`Hover refused to register the webhook of connection "${connected.connectionId}" (422: the URL is invalid for Hover, or already registered twice for this org; see HoverWebhooksService.list).`);
            return;
          }
          throw error;
        }),
      );
    }
    this.lifecycle.onBeforeDisconnect((connectionId) => this.deleteAllOf(connectionId));
  }

  /**
   * Registers a webhook for the connection's org (`POST /api/v2/webhooks` with
   * `{"webhook":{"url":…,"content_type":"json"}}`) and stores what Hover answered. Hover then POSTs a
   * verification code to the URL; the receiving route confirms it (`PUT /api/v2/webhooks/{code}/verify`)
   * and sets {@link HoverWebhookInfo.verifiedAt}. Hover accepts at most two registrations of one URL per
   * org (a third is refused with 422).
   * @param options.url the URL to register; default the `webhook.url` option
   * @returns the stored webhook (not verified yet)
   * @throws {HoverInvalidArgumentException} without a URL (no `url` given and the `webhook` option unset)
   * @throws {HoverApiException} when Hover refuses (422: invalid URL, or already registered twice) or
   *   answers without a webhook id and `hmac_secret` (502); and every error of {@link HoverHttpService}
   */
  async register(connectionId: string, options: { url?: string } = {}): Promise<HoverWebhookInfo> {
    assertConnectionId(connectionId);
    const url = options.url ?? (this.options.webhook ? this.options.webhook.url : undefined);
    if (typeof url !== 'string' || url === '') {
      throw new HoverInvalidArgumentException('Pass { url } or set the `webhook` option: a webhook needs the URL Hover should POST to.');
    }
    const answer: unknown = await this.http.forConnection(connectionId).postData(HOVER_WEBHOOKS_PATH, { webhook: { url, content_type: 'json' } });
    const { id, hmac_secret: secret, owner_id: ownerId, verified_at: verifiedAt } = (answer ?? {}) as Record<string, unknown>;
    const webhookId = typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : typeof id === 'string' && WEBHOOK_ID.test(id) ? id : null;
    if (webhookId === null || typeof secret !== 'string' || secret === '' || secret.length > 1024) {
      this.logger.error(`Hover answered a webhook registration for connection "${connectionId}" without a webhook id and hmac_secret; nothing was stored.`);
      throw new HoverApiException({ code: 'HOVER_API_ERROR', method: 'POST', path: HOVER_WEBHOOKS_PATH, hoverStatus: null, hoverBody: null, retryAfterSeconds: null });
    }
    const connection = await this.connections.findStoredById(connectionId);
    const row = await this.webhooks.save({
      webhookId,
      connectionId,
      hoverOrgId: typeof ownerId === 'number' || typeof ownerId === 'string' ? String(ownerId).slice(0, 64) : (connection?.hoverOrgId ?? null),
      url,
      hmacSecret: secret,
      verifiedAt: typeof verifiedAt === 'string' && !Number.isNaN(Date.parse(verifiedAt)) ? Date.parse(verifiedAt) : null,
    });
    this.logger.log(`Registered Hover webhook ${webhookId} for connection "${connectionId}"; waiting for Hover's verification code.`);
    return toInfo(row);
  }

  /**
   * One page of the org's webhooks as Hover lists them (`GET /api/v2/webhooks?page=&per_page=`), with
   * each `hmac_secret` removed.
   * @throws {HoverInvalidArgumentException} for a `page` below 1 or a `perPage` outside 1–100
   */
  async list(connectionId: string, options: { page?: number; perPage?: number } = {}): Promise<HoverWebhooksPage> {
    assertConnectionId(connectionId);
    const page = options.page ?? 1;
    const perPage = options.perPage ?? 25;
    if (!Number.isSafeInteger(page) || page < 1) throw new HoverInvalidArgumentException('`page` must be an integer of 1 or more.');
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) throw new HoverInvalidArgumentException('`perPage` must be an integer from 1 to 100.');
    const answer = await this.http.forConnection(connectionId).getData<HoverWebhooksPage>(HOVER_WEBHOOKS_PATH, { params: { page, per_page: perPage } });
    const results = Array.isArray(answer?.results) ? answer.results : [];
    return {
      pagination: answer?.pagination ?? { current_page: page, total_pages: results.length > 0 ? page : 0, total: results.length },
      results: results.map(({ hmac_secret: _secret, ...webhook }) => webhook as HoverApiWebhook),
    };
  }

  /** The webhooks stored for a connection (without secrets), oldest first. */
  async listStored(connectionId: string): Promise<HoverWebhookInfo[]> {
    assertConnectionId(connectionId);
    return (await this.webhooks.findByConnection(connectionId)).map(toInfo);
  }

  /** The stored webhook with this id, or `null`. */
  async get(webhookId: string): Promise<HoverWebhookInfo | null> {
    if (typeof webhookId !== 'string' || !WEBHOOK_ID.test(webhookId)) return null;
    const row = await this.webhooks.findById(webhookId);
    return row && toInfo(row);
  }

  /**
   * Deletes a webhook at Hover (`DELETE /api/v2/webhooks/{id}`) and here. A webhook Hover no longer has
   * (404) is deleted here all the same.
   * @throws {HoverWebhookNotFoundException} when neither Hover nor this store has it for this connection,
   *   or it is stored for another connection (nothing is deleted then)
   * @throws {HoverApiException} when Hover fails otherwise (the stored webhook is kept; try again)
   */
  async delete(connectionId: string, webhookId: string): Promise<void> {
    assertConnectionId(connectionId);
    if (typeof webhookId !== 'string' || !WEBHOOK_ID.test(webhookId)) throw new HoverWebhookNotFoundException(connectionId, String(webhookId).slice(0, 64));
    const row = await this.webhooks.findById(webhookId);
    // Another connection's webhook (maybe of the same org) is not this connection's to delete.
    if (row !== null && row.connectionId !== connectionId) throw new HoverWebhookNotFoundException(connectionId, webhookId);
    const stored = row !== null;
    let goneAtHover = false;
    try {
      await this.http.forConnection(connectionId).deleteData(`${HOVER_WEBHOOKS_PATH}/${encodeURIComponent(webhookId)}`);
    } catch (error) {
      if (!(error instanceof HoverApiException && error.hoverStatus === 404)) throw error;
      goneAtHover = true;
    }
    if (stored) await this.webhooks.delete(webhookId);
    else if (goneAtHover) throw new HoverWebhookNotFoundException(connectionId, webhookId);
  }

  /** Before a disconnect: each stored webhook is deleted at Hover (failures logged, not thrown) and here. */
  private async deleteAllOf(connectionId: string): Promise<void> {
    for (const row of await this.webhooks.findByConnection(connectionId)) await this.forget(row);
  }

  /** Deletes a stored webhook at Hover, best effort (its org's token may be gone), and here. */
  private async forget(row: HoverWebhook): Promise<void> {
    try {
      await this.http.forConnection(row.connectionId).deleteData(`${HOVER_WEBHOOKS_PATH}/${encodeURIComponent(row.webhookId)}`, { hoverRetry: false });
    } catch (error) {
      if (!(error instanceof HoverApiException && error.hoverStatus === 404)) {
        const { name, code } = error as { name?: string; code?: string };
        this.logger.warn(`Could not delete Hover webhook ${row.webhookId} of connection "${row.connectionId}" at Hover (${code ?? name ?? 'error'}); it is forgotten here, and Hover's deliveries to it will be refused.`);
      }
    }
    await this.webhooks.delete(row.webhookId);
  }

  /**
   * After a connect: register `webhook.url` unless the connection already has it for this org. Webhooks
   * of the org it acted for before (a reconnect to another org) are deleted first.
   */
  private async registerAfterConnect({ connectionId, hoverOrgId }: ConnectedConnection): Promise<void> {
    const url = (this.options.webhook as { url: string }).url;
    const rows = await this.webhooks.findByConnection(connectionId);
    const sameOrg = (row: HoverWebhook) => hoverOrgId === null || row.hoverOrgId === null || row.hoverOrgId === hoverOrgId;
    if (rows.some((row) => row.url === url && sameOrg(row))) return;
    for (const row of rows.filter((stale) => !sameOrg(stale))) await this.forget(row);
    await this.register(connectionId);
  }
}

function toInfo(row: HoverWebhook): HoverWebhookInfo {
  return {
    webhookId: row.webhookId,
    connectionId: row.connectionId,
    hoverOrgId: row.hoverOrgId,
    url: row.url,
    verifiedAt: row.verifiedAt === null ? null : new Date(row.verifiedAt),
    createdAt: new Date(row.createdAt),
  };
}
