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
import { errorSummary } from '../exceptions/error-summary';

/**
 * An unverified webhook younger than this is taken as "verification in progress" by
 * {@link HoverWebhooksService.ensureRegistered}, in milliseconds; older, it is replaced.
 */
const VERIFICATION_GRACE_MS = 60_000;
/** Most pages of Hover's webhook list read when looking for orphans (100 webhooks each). */
const MAX_LIST_PAGES = 10;

/** Hover's webhook API, relative to `{baseUrl}/api` (developers.hover.to, "Webhooks"). */
export const HOVER_WEBHOOKS_PATH = '/v2/webhooks';

const WEBHOOK_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Hover webhooks of the connections' orgs: ensure one per org, register (and store the `hmac_secret`,
 * encrypted), list, delete. Calls go through {@link HoverHttpService} with a connection's access token.
 * Deliveries are received by the route the `webhook` option mounts; see {@link HOVER_WEBHOOK_EVENTS}.
 *
 * With `webhook.registerOnConnect` (the default when the `webhook` option is set), {@link ensureRegistered}
 * runs right after each connect. When a connection leaves its org (disconnect, reconnect to another org),
 * its webhooks pass to another connection of the org, or are deleted at Hover (best effort) and here.
 *
 * @example
 * const webhook = await this.webhooks.ensureRegistered(`account:${accountId}`);
 * // Hover POSTs a verification code to the URL; hover-auth confirms it and emits hover.connection.webhook_verified.
 */
@Injectable()
export class HoverWebhooksService implements OnModuleInit {
  private readonly logger = new Logger('HoverAuth');
  /** Runs of {@link ensureRegistered} in progress, per org (or connection without an org). */
  private readonly ensuring = new Map<string, Promise<HoverWebhookInfo>>();

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
      this.lifecycle.onConnected(({ connectionId }) =>
        this.ensureRegistered(connectionId).then(
          () => undefined,
          (error: unknown) => {
            if (error instanceof HoverApiException && error.hoverStatus === 422) {
              // Hover's 422 names the reason (an invalid URL, or the URL already registered twice for the org).
              this.logger.warn(`Hover refused to register the webhook of connection "${connectionId}" (422: the URL is invalid for Hover, or already registered twice for this org by webhooks hover-auth could not delete; see HoverWebhooksService.list).`);
              return;
            }
            throw error;
          },
        ),
      );
    }
    this.lifecycle.onLeavingOrg((connectionId) => this.handOverOrForget(connectionId));
    this.lifecycle.onLeftOrg((connectionId, hoverOrgId) => this.forgetWhenOrgIsGone(connectionId, hoverOrgId));
  }

  /**
   * Makes sure the connection's org has a working webhook for `webhook.url` (what a connect does with
   * `registerOnConnect`; call it yourself after changing `webhook.url`, or to repair). Hover scopes
   * webhooks to an org, so one webhook per org and URL serves every connection of that org:
   * - a verified webhook of the org for the URL whose secret decrypts: kept, nothing is sent to Hover;
   * - one registered less than a minute ago and not verified yet: kept (its verification is under way);
   * - otherwise the org's stored webhooks for the URL (unverified, or with an unreadable secret) are
   *   deleted at Hover and here, so are webhooks Hover lists for the URL that are not stored here
   *   (orphans: left by a disconnect whose tokens no longer worked), and a new one is registered.
   * The org's stored webhooks for other URLs (an earlier `webhook.url`, or one given to {@link register})
   * are deleted at Hover and here first.
   * Concurrent calls for one org in this instance share one run.
   * @returns the org's webhook for the URL (maybe still waiting for its verification)
   * @throws {HoverInvalidArgumentException} when the `webhook` option is unset
   * @throws as {@link register} (e.g. {@link HoverNotConnectedException}, {@link HoverApiException})
   */
  async ensureRegistered(connectionId: string): Promise<HoverWebhookInfo> {
    assertConnectionId(connectionId);
    if (!this.options.webhook) throw new HoverInvalidArgumentException('Set the `webhook` option: it gives the URL to register.');
    const url = this.options.webhook.url;
    const hoverOrgId = (await this.connections.findStoredById(connectionId))?.hoverOrgId ?? null;
    const key = hoverOrgId === null ? `connection:${connectionId}` : `org:${hoverOrgId}`;
    const running = this.ensuring.get(key);
    if (running) return running;
    const run = this.repair(connectionId, hoverOrgId, url).finally(() => this.ensuring.delete(key));
    this.ensuring.set(key, run);
    return run;
  }

  private async repair(connectionId: string, hoverOrgId: string | null, url: string): Promise<HoverWebhookInfo> {
    const ofOrg = hoverOrgId === null ? await this.webhooks.findByConnection(connectionId) : await this.webhooks.findByOrg(hoverOrgId);
    // Webhooks of an earlier `webhook.url`: the org would get each event twice while they live.
    for (const outdated of ofOrg.filter((row) => row.url !== url)) await this.forget(outdated, connectionId);
    const stored = ofOrg.filter((row) => row.url === url);
    const working = stored.find(
      (row) => this.webhooks.canDecrypt(row) && (row.verifiedAt !== null || Date.now() - row.createdAt < VERIFICATION_GRACE_MS),
    );
    if (working) return toInfo(working);
    for (const broken of stored) await this.forget(broken, connectionId);
    await this.deleteOrphans(connectionId, url);
    return this.register(connectionId);
  }

  /** Deletes, with the connection's token, the org's webhooks Hover lists for `url` that are not stored here. */
  private async deleteOrphans(connectionId: string, url: string): Promise<void> {
    const orphans: string[] = [];
    for (let page = 1; page <= MAX_LIST_PAGES; page++) {
      const answer = await this.list(connectionId, { page, perPage: 100 });
      for (const webhook of answer.results) {
        const id = String(webhook.id);
        // An unverified webhook younger than the grace may be another instance's, registered a moment ago
        // and not stored yet. A verified one was stored (the handshake needs its row): it is an orphan.
        const createdAt = typeof webhook.created_at === 'string' ? Date.parse(webhook.created_at) : Number.NaN;
        const settled = webhook.verified_at !== null || Number.isNaN(createdAt) || Date.now() - createdAt >= VERIFICATION_GRACE_MS;
        if (webhook.url === url && settled && WEBHOOK_ID.test(id) && (await this.webhooks.findById(id)) === null) orphans.push(id);
      }
      if (answer.results.length === 0 || page >= (answer.pagination?.total_pages ?? page)) break;
    }
    for (const id of orphans) {
      await this.http
        .forConnection(connectionId)
        .deleteData(`${HOVER_WEBHOOKS_PATH}/${encodeURIComponent(id)}`)
        .catch((error: unknown) => {
          if (!(error instanceof HoverApiException && error.hoverStatus === 404)) throw error;
        });
      this.logger.log(`Deleted Hover webhook ${id} for ${url}: Hover lists it for the org of connection "${connectionId}", but its secret is not stored here.`);
    }
  }

  /**
   * Registers a webhook for the connection's org (`POST /api/v2/webhooks` with
   * `{"webhook":{"url":…,"content_type":"json"}}`) and stores what Hover answered. Hover then POSTs a
   * verification code to the URL; the receiving route confirms it (`PUT /api/v2/webhooks/{code}/verify`)
   * and sets {@link HoverWebhookInfo.verifiedAt}. Hover accepts at most two registrations of one URL per
   * org (a third is refused with 422). One webhook per org and URL is stored: when another instance stored
   * one for the same org and URL meanwhile, the new registration is deleted at Hover and that one returned.
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
    const stored = await this.webhooks.insert({
      webhookId,
      connectionId,
      // The connection's org (from the profile) first: it is what the org's other connections look up by.
      hoverOrgId: connection?.hoverOrgId ?? (typeof ownerId === 'number' || typeof ownerId === 'string' ? String(ownerId).slice(0, 64) : null),
      url,
      hmacSecret: secret,
      verifiedAt: typeof verifiedAt === 'string' && !Number.isNaN(Date.parse(verifiedAt)) ? Date.parse(verifiedAt) : null,
    });
    if ('conflict' in stored) {
      // Another instance registered the org's webhook for this URL at the same moment: keep one.
      this.logger.log(`Hover webhook ${webhookId} of connection "${connectionId}" duplicates webhook ${stored.conflict.webhookId} of its org, registered meanwhile: deleting it at Hover.`);
      await this.http
        .forConnection(connectionId)
        .deleteData(`${HOVER_WEBHOOKS_PATH}/${encodeURIComponent(webhookId)}`)
        .catch((error: unknown) => this.logger.warn(`Could not delete the duplicate Hover webhook ${webhookId} (${errorSummary(error)}); the org's next connect deletes it.`));
      return toInfo(stored.conflict);
    }
    this.logger.log(`Registered Hover webhook ${webhookId} for connection "${connectionId}"; waiting for Hover's verification code.`);
    return toInfo(stored);
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

  /**
   * The stored webhooks that serve a connection (without secrets), oldest first: those of its org,
   * whichever connection of the org holds them (`connectionId` of each says which), or, for a connection
   * whose org is unknown, those it holds.
   */
  async listStored(connectionId: string): Promise<HoverWebhookInfo[]> {
    assertConnectionId(connectionId);
    const hoverOrgId = (await this.connections.findStoredById(connectionId))?.hoverOrgId ?? null;
    const held = await this.webhooks.findByConnection(connectionId);
    const ofOrg = hoverOrgId === null ? [] : await this.webhooks.findByOrg(hoverOrgId);
    const rows = [...ofOrg, ...held.filter((row) => !ofOrg.some((other) => other.webhookId === row.webhookId))];
    return rows.sort((a, b) => a.createdAt - b.createdAt).map(toInfo);
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

  /**
   * Before a connection leaves its org (disconnect, or reconnect to another org): each webhook it holds
   * passes to another active connection of the same org (the org's events keep coming), or, when there
   * is none, is deleted at Hover (best effort: a failure is logged) and here.
   */
  private async handOverOrForget(connectionId: string): Promise<void> {
    for (const row of await this.webhooks.findByConnection(connectionId)) {
      const heirs = row.hoverOrgId === null ? [] : (await this.connections.findActiveIdsOfOrg(row.hoverOrgId)).filter((id) => id !== connectionId);
      if (heirs.length > 0 && (await this.webhooks.transfer(row, heirs[0]))) {
        this.logger.log(`Hover webhook ${row.webhookId} of org ${row.hoverOrgId} passed from connection "${connectionId}" to "${heirs[0]}".`);
        continue;
      }
      await this.forget(row, connectionId);
    }
  }

  /**
   * After a connection left its org (its row is gone or in another org): when no active connection of
   * the org remains, the org's webhooks still stored are forgotten here. This catches connections that
   * left at the same moment and handed the webhook to each other; Hover's copy is deleted by the org's
   * next connect (an orphan), and its deliveries are refused meanwhile.
   */
  private async forgetWhenOrgIsGone(connectionId: string, hoverOrgId: string | null): Promise<void> {
    if (hoverOrgId === null || (await this.connections.findActiveIdsOfOrg(hoverOrgId, 1)).length > 0) return;
    for (const row of await this.webhooks.findByOrg(hoverOrgId)) {
      if (await this.webhooks.delete(row.webhookId)) {
        this.logger.warn(`Forgot Hover webhook ${row.webhookId}: no connection of org ${hoverOrgId} remains after "${connectionId}" left (it may remain at Hover until the org connects again).`);
      }
    }
  }

  /** Deletes a stored webhook at Hover with `viaConnectionId`'s token, best effort (it may be gone or dead), and here. */
  private async forget(row: HoverWebhook, viaConnectionId: string): Promise<void> {
    try {
      await this.http.forConnection(viaConnectionId).deleteData(`${HOVER_WEBHOOKS_PATH}/${encodeURIComponent(row.webhookId)}`, { hoverRetry: false });
      this.logger.log(`Deleted Hover webhook ${row.webhookId} of org ${row.hoverOrgId ?? 'unknown'} (${row.url}) at Hover and here.`);
    } catch (error) {
      if (error instanceof HoverApiException && error.hoverStatus === 404) {
        this.logger.log(`Forgot Hover webhook ${row.webhookId} of org ${row.hoverOrgId ?? 'unknown'}: Hover no longer has it.`);
      } else {
        this.logger.warn(
          `Could not delete Hover webhook ${row.webhookId} of org ${row.hoverOrgId ?? 'unknown'} at Hover (${errorSummary(error)}); it is forgotten here, Hover's deliveries to it are refused, and the org's next connect deletes it at Hover.`,
        );
      }
    }
    await this.webhooks.delete(row.webhookId);
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
