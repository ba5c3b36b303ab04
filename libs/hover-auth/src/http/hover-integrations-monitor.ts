import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { HOVER_AUTH_RESOLVED_OPTIONS, HOVER_PROFILE_PATH } from '../hover-auth.constants';
import type { ResolvedHoverAuthOptions } from '../hover-auth-options.interface';
import { HOVER_EVENTS } from '../events/hover-events';
import { HoverEventPublisher } from '../events/hover-event-publisher';
import { readConnectionProfile } from '../tokens/hover-profile';
import { HoverConnectionRepository } from '../tokens/hover-connection.repository';
import { HoverTokenManager } from '../tokens/hover-token-manager.service';
import { setMostRecent } from '../tokens/most-recent-map';
import type { HoverInternalRequestConfig } from './hover-request-config';

/** After a 403 from the API, the profile is read again at most this often per connection, in milliseconds. */
const FORBIDDEN_RECHECK_MS = 60_000;

/**
 * Keeps each connection's stored `integrations` flag current, so {@link HoverIntegrationGuard} stops
 * (or resumes) letting requests through when the org's Hover plan loses (or gains) third-party
 * integrations. Hover sends no notice of a plan change, so the flag is re-read from
 * `GET /api/v2/users/profile` (`orgs[].feature_access`, developers.hover.to "Show user profile"):
 * - on a schedule: the first use of a connection (guard or API call) more than
 *   `integrationsRecheckSeconds` after its last check in this instance starts a re-read in the
 *   background — nobody waits for it. A plan change is rare, and one profile request per connection
 *   per 15 minutes (the default) is under 0.1 % of Hover's 7,200 requests per hour for 100 active
 *   connections, so the guard is at most that stale; the first use after a restart starts the clock;
 * - at once (at most once a minute per connection) after Hover's API answers 403, the status Hover gives
 *   a plan-gated feature.
 * A changed flag is written with a conditional UPDATE (one writer wins across instances), put on the
 * cached row, and announced as {@link HOVER_EVENTS.INTEGRATIONS_CHANGED} by the instance that wrote it.
 */
@Injectable()
export class HoverIntegrationsMonitor {
  private readonly logger = new Logger('HoverAuth');
  /**
   * Per connection used here: when its schedule last restarted (first use, or a re-read), and when a
   * 403 last made it read the profile (0: never), epoch milliseconds. Insertion-ordered, bounded.
   */
  private readonly checkedAt = new Map<string, { since: number; forbiddenReadAt: number }>();
  private readonly checks = new Map<string, Promise<void>>();

  constructor(
    @Inject(HOVER_AUTH_RESOLVED_OPTIONS) private readonly options: ResolvedHoverAuthOptions,
    private readonly http: HttpService,
    private readonly connections: HoverConnectionRepository,
    private readonly tokens: HoverTokenManager,
    private readonly events: HoverEventPublisher,
  ) {}

  /** A connection is in use: re-read its profile in the background when the last check is older than the interval. O(1). */
  noteUse(id: string): void {
    const last = this.checkedAt.get(id);
    const now = Date.now();
    if (last === undefined) {
      this.mark(id, { since: now, forbiddenReadAt: 0 });
      return;
    }
    if (now - last.since >= this.options.integrationsRecheckSeconds * 1000) this.start(id, 'schedule');
  }

  /**
   * Hover's API answered 403 for this connection: re-read the profile now, unless it was read for a 403
   * in the last minute.
   * @returns resolves when that read (or the one already running) is done; never rejects
   */
  noteForbidden(connectionId: string): Promise<void> {
    // Limited separately from the schedule: a scheduled read a moment ago says nothing about this 403.
    const forbiddenReadAt = this.checkedAt.get(connectionId)?.forbiddenReadAt ?? 0;
    if (Date.now() - forbiddenReadAt >= FORBIDDEN_RECHECK_MS) return this.start(connectionId, 'api_forbidden');
    return this.checks.get(connectionId) ?? Promise.resolve();
  }

  /**
   * Reads the profile now and stores the flag. Resolves when done; never rejects (a failure is logged
   * and the stored flag kept). Concurrent calls for one connection share one read.
   */
  recheck(connectionId: string, trigger: 'schedule' | 'api_forbidden' = 'schedule'): Promise<void> {
    return this.start(connectionId, trigger);
  }

  private start(connectionId: string, trigger: 'schedule' | 'api_forbidden'): Promise<void> {
    const running = this.checks.get(connectionId);
    if (running) return running;
    const now = Date.now();
    const forbiddenReadAt = trigger === 'api_forbidden' ? now : (this.checkedAt.get(connectionId)?.forbiddenReadAt ?? 0);
    this.mark(connectionId, { since: now, forbiddenReadAt });
    const check = this.check(connectionId, trigger)
      .catch((error: unknown) => {
        this.logger.warn(`Could not re-read the Hover profile of connection "${connectionId}" (${(error as { code?: string }).code ?? (error as Error).name}); its integrations flag is kept.`);
      })
      .finally(() => this.checks.delete(connectionId));
    this.checks.set(connectionId, check);
    return check;
  }

  private async check(connectionId: string, trigger: 'schedule' | 'api_forbidden'): Promise<void> {
    const stored = await this.tokens.findConnection(connectionId);
    if (!stored || stored.status !== 'active') return;
    // Through the module's axios instance and hooks: the token is attached, rate limit and retries apply.
    const response = await this.http.axiosRef.request({
      method: 'GET',
      url: HOVER_PROFILE_PATH,
      hoverConnectionId: connectionId,
      hoverIntegrationsCheck: true,
    } as HoverInternalRequestConfig);
    if (!namesAnOrg(response.data)) {
      // A 200 that is not a profile (a maintenance page, an empty or reshaped body) says nothing about
      // the plan: keep the stored flag rather than lock the org out.
      this.logger.warn(`Hover's profile answer for connection "${connectionId}" names no org; its integrations flag is kept.`);
      return;
    }
    const profile = readConnectionProfile(response.data, stored.ownerId);
    if (await this.connections.updateIntegrations(connectionId, profile.integrationsEnabled, profile.hoverOrgName)) {
      this.tokens.noteIntegrations(connectionId, profile.integrationsEnabled);
      this.logger.log(`Hover org ${profile.hoverOrgId ?? 'unknown'} of connection "${connectionId}" ${profile.integrationsEnabled ? 'gained' : 'lost'} third-party integrations.`);
      this.events.emit(HOVER_EVENTS.INTEGRATIONS_CHANGED, {
        connectionId,
        at: Date.now(),
        hoverOrgId: profile.hoverOrgId,
        integrationsEnabled: profile.integrationsEnabled,
        trigger,
      });
    } else if (stored.integrationsEnabled !== profile.integrationsEnabled) {
      // Another instance stored the change first: take it over without announcing it again.
      this.tokens.noteIntegrations(connectionId, profile.integrationsEnabled);
    }
  }

  private mark(connectionId: string, at: { since: number; forbiddenReadAt: number }): void {
    setMostRecent(this.checkedAt, connectionId, at, this.options.cacheMaxConnections);
  }
}

/** True when a profile body (or its `user`) is an object with a non-empty `orgs` array. */
function namesAnOrg(body: unknown): boolean {
  const root = isRecord(body) && isRecord(body.user) ? body.user : body;
  return isRecord(root) && Array.isArray(root.orgs) && root.orgs.some(isRecord);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
