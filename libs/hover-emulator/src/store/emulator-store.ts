import { createHash, timingSafeEqual } from 'crypto';
import { MAX_API_REQUEST_LOG_ENTRIES } from '../hover-emulator.constants';
import { HoverEmulatorApiRequest } from '../hover-emulator-api-request.interface';
import { HoverEmulatorOrg } from '../hover-emulator-org.interface';
import { HoverEmulatorUser } from '../hover-emulator-user.interface';
import {
  AuthorizationCodeRecord,
  ClientRecord,
  JobRecord,
  OrgRecord,
  TokenRecord,
  UserRecord,
  WebhookRecord,
} from './emulator-records.interface';
import { buildJobs } from './job-factory';
import { RateLimit, RateLimitWindows } from './rate-limit-windows';

/** Why an access token is not usable, mapped to Doorkeeper's `error_description` by the API router. */
export type AccessTokenState = 'active' | 'expired' | 'revoked' | 'unknown';

/**
 * The emulator's whole in-memory state: clients, orgs, users, jobs, the signed-in user, codes,
 * tokens, request counters, the API request log and the API rate-limit windows. No I/O, no timers; every time argument is epoch MILLISECONDS so the
 * routers decide "now". Internal to the emulator.
 */
export class EmulatorStore {
  private readonly clients = new Map<string, ClientRecord>();
  private readonly orgs = new Map<number, OrgRecord>();
  private readonly users = new Map<number, UserRecord>();
  private readonly jobsByOrg = new Map<number, JobRecord[]>();
  private readonly codes = new Map<string, AuthorizationCodeRecord>();
  private readonly webhooks = new Map<number, WebhookRecord>();
  private nextWebhookId = 1;
  private readonly tokensByAccess = new Map<string, TokenRecord>();
  private readonly tokensByRefresh = new Map<string, TokenRecord>();
  private readonly tokenRequests = new Map<string, number>();
  private readonly apiRequests = new Map<string, number>();
  /** Oldest first; trimmed to the last MAX_API_REQUEST_LOG_ENTRIES once it holds twice as many. */
  private apiLog: HoverEmulatorApiRequest[] = [];
  private readonly rateLimitWindows = new RateLimitWindows();
  private tokenRequestTotal = 0;
  private signedInUserId: number | null = null;

  /** Forgets everything: world, codes, tokens, counters, request log, rate-limit windows. */
  clear(): void {
    this.clients.clear();
    this.orgs.clear();
    this.users.clear();
    this.jobsByOrg.clear();
    this.codes.clear();
    this.webhooks.clear();
    this.nextWebhookId = 1;
    this.tokensByAccess.clear();
    this.tokensByRefresh.clear();
    this.signedInUserId = null;
    this.rateLimitWindows.clear();
    this.resetCounters();
  }

  // ---- world ---------------------------------------------------------------------------------

  /** Adds or replaces a client (keyed by `clientId`). */
  registerClient(client: ClientRecord): void {
    this.clients.set(client.clientId, { ...client, redirectUris: [...client.redirectUris] });
  }

  /** @returns the client or `undefined`. */
  findClient(clientId: string): ClientRecord | undefined {
    return this.clients.get(clientId);
  }

  /**
   * Authenticates a client (RFC 6749 §2.3.1) comparing secrets in constant time.
   * @returns the client, or `undefined` when unknown or the secret does not match
   */
  authenticateClient(clientId: string, clientSecret: string): ClientRecord | undefined {
    const client = this.clients.get(clientId);
    if (!client) return undefined;
    const expected = createHash('sha256').update(client.clientSecret).digest();
    const given = createHash('sha256').update(clientSecret).digest();
    return timingSafeEqual(expected, given) ? client : undefined;
  }

  /** Adds or replaces an org (keyed by `id`); keeps its jobs. */
  seedOrg(org: OrgRecord): void {
    this.orgs.set(org.id, { ...org });
    if (!this.jobsByOrg.has(org.id)) this.jobsByOrg.set(org.id, []);
  }

  /** @returns the org or `undefined`. */
  findOrg(orgId: number): OrgRecord | undefined {
    return this.orgs.get(orgId);
  }

  /** @returns whether the org existed. */
  setOrgIntegrations(orgId: number, enabled: boolean): boolean {
    const org = this.orgs.get(orgId);
    if (!org) return false;
    org.integrations = enabled;
    return true;
  }

  /** Adds or replaces a user (keyed by `id`); the first user ever seeded becomes the signed-in user. */
  seedUser(user: UserRecord): void {
    this.users.set(user.id, { ...user });
    if (this.signedInUserId === null) this.signedInUserId = user.id;
  }

  /** @returns the user or `undefined`. */
  findUser(userId: number): UserRecord | undefined {
    return this.users.get(userId);
  }

  /** @returns every org as a copy, ordered by id. */
  listOrgs(): HoverEmulatorOrg[] {
    return [...this.orgs.values()]
      .sort((a, b) => a.id - b.id)
      .map((org) => ({ id: org.id, name: org.name, planName: org.planName, integrations: org.integrations }));
  }

  /** @returns every user with their org's name and integrations flag, ordered by id. */
  listUsers(): HoverEmulatorUser[] {
    return [...this.users.values()]
      .sort((a, b) => a.id - b.id)
      .map((user) => {
        const org = this.orgs.get(user.orgId);
        return {
          id: user.id,
          email: user.email,
          name: `${user.firstName} ${user.lastName}`,
          orgId: user.orgId,
          orgName: org?.name ?? '',
          integrations: org?.integrations ?? false,
        };
      });
  }

  /** Replaces the org's jobs with `count` deterministic ones (see `buildJobs`). */
  seedJobs(orgId: number, count: number): void {
    this.jobsByOrg.set(orgId, buildJobs(orgId, count));
  }

  /** @returns the org's jobs ordered by id (empty when none). */
  listJobs(orgId: number): readonly JobRecord[] {
    return this.jobsByOrg.get(orgId) ?? [];
  }

  /** @returns the job with this id and its org's id, or `undefined` (job ids are unique across orgs). */
  findJob(jobId: number): { job: JobRecord; orgId: number } | undefined {
    for (const [orgId, jobs] of this.jobsByOrg) {
      const job = jobs.find((j) => j.id === jobId);
      if (job) return { job, orgId };
    }
    return undefined;
  }

  /** Sets who the consent page acts as. */
  setSignedInUser(userId: number): void {
    this.signedInUserId = userId;
  }

  /** @returns the signed-in user, or `undefined` when no user is seeded. */
  signedInUser(): UserRecord | undefined {
    return this.signedInUserId === null ? undefined : this.users.get(this.signedInUserId);
  }

  // ---- authorization codes --------------------------------------------------------------------

  /** Stores a freshly issued code. */
  saveCode(record: AuthorizationCodeRecord): void {
    this.codes.set(record.code, record);
  }

  /** @returns the code row (used or not, expired or not) or `undefined`. */
  findCode(code: string): AuthorizationCodeRecord | undefined {
    return this.codes.get(code);
  }

  // ---- webhooks -------------------------------------------------------------------------------

  /** Stores a new webhook under the next id (1, 2, … since the last `clear()`). */
  addWebhook(webhook: Omit<WebhookRecord, 'id'>): WebhookRecord {
    const record = { ...webhook, id: this.nextWebhookId++ };
    this.webhooks.set(record.id, record);
    return record;
  }

  /** @returns the org's webhooks ordered by id (verified or not). */
  listWebhooks(orgId: number): WebhookRecord[] {
    return [...this.webhooks.values()].filter((w) => w.orgId === orgId).sort((a, b) => a.id - b.id);
  }

  /** @returns every webhook of every org, ordered by id. */
  allWebhooks(): WebhookRecord[] {
    return [...this.webhooks.values()].sort((a, b) => a.id - b.id);
  }

  /** @returns the webhook whose pending verification code this is, or `undefined`. */
  findWebhookByCode(code: string): WebhookRecord | undefined {
    return [...this.webhooks.values()].find((w) => w.verificationCode === code);
  }

  /** @returns whether the webhook existed and belonged to the org (only then is it deleted). */
  deleteWebhook(orgId: number, webhookId: number): boolean {
    const webhook = this.webhooks.get(webhookId);
    if (!webhook || webhook.orgId !== orgId) return false;
    return this.webhooks.delete(webhookId);
  }

  // ---- tokens ---------------------------------------------------------------------------------

  /** Stores a freshly issued token row, indexed by both token values. */
  saveToken(record: TokenRecord): void {
    this.tokensByAccess.set(record.accessToken, record);
    if (record.refreshToken) this.tokensByRefresh.set(record.refreshToken, record);
  }

  /** @returns the row holding this access token, or `undefined`. */
  findByAccessToken(accessToken: string): TokenRecord | undefined {
    return this.tokensByAccess.get(accessToken);
  }

  /** @returns the row holding this refresh token, or `undefined`. */
  findByRefreshToken(refreshToken: string): TokenRecord | undefined {
    return this.tokensByRefresh.get(refreshToken);
  }

  /** Decides whether an access token is usable at `nowMs`. */
  accessTokenState(record: TokenRecord | undefined, nowMs: number): AccessTokenState {
    if (!record) return 'unknown';
    if (record.revokedAt !== null) return 'revoked';
    return nowMs >= record.expiresAt ? 'expired' : 'active';
  }

  /** Revokes a row (its access AND refresh token) unless already revoked. */
  revoke(record: TokenRecord, nowMs: number): void {
    if (record.revokedAt === null) record.revokedAt = nowMs;
  }

  /**
   * Makes every active access token expire at `nowMs` (refresh tokens stay usable, as in Doorkeeper).
   * @returns how many access tokens were active and are now expired
   */
  expireAccessTokens(nowMs: number): number {
    let expired = 0;
    for (const record of this.tokensByAccess.values()) {
      if (this.accessTokenState(record, nowMs) === 'active') {
        record.expiresAt = nowMs;
        expired++;
      }
    }
    return expired;
  }

  /**
   * Revokes every token row (access and refresh tokens).
   * @returns how many rows were not revoked before
   */
  revokeAllTokens(nowMs: number): number {
    let revoked = 0;
    for (const record of this.tokensByAccess.values()) {
      if (record.revokedAt === null) {
        record.revokedAt = nowMs;
        revoked++;
      }
    }
    return revoked;
  }

  // ---- counters -------------------------------------------------------------------------------

  /** Counts one POST to `/oauth/token` under its `grant_type` (any string; `''` when absent). */
  countTokenRequest(grantType: string): void {
    this.tokenRequestTotal++;
    this.tokenRequests.set(grantType, (this.tokenRequests.get(grantType) ?? 0) + 1);
  }

  /** @returns POSTs to `/oauth/token` with that `grant_type`, or all of them when omitted. */
  tokenRequestCount(grantType?: string): number {
    return grantType === undefined ? this.tokenRequestTotal : (this.tokenRequests.get(grantType) ?? 0);
  }

  /** Counts one request under `/api` by path (without query string). */
  countApiRequest(path: string): void {
    this.apiRequests.set(path, (this.apiRequests.get(path) ?? 0) + 1);
  }

  /** @returns requests to that `/api` path, or to all `/api` paths when omitted. */
  apiRequestCount(path?: string): number {
    if (path !== undefined) return this.apiRequests.get(path) ?? 0;
    let total = 0;
    for (const n of this.apiRequests.values()) total += n;
    return total;
  }

  /** @returns a copy of the per-path API counters. */
  apiRequestsByPath(): Record<string, number> {
    return Object.fromEntries(this.apiRequests);
  }

  /**
   * Appends one API request to the log (the caller fills `status` in when it answers).
   * @returns the stored entry, to be completed in place
   */
  logApiRequest(entry: HoverEmulatorApiRequest): HoverEmulatorApiRequest {
    this.apiLog.push(entry);
    // Amortised O(1): trim in one slice per MAX_API_REQUEST_LOG_ENTRIES appends, not a shift per request.
    if (this.apiLog.length >= 2 * MAX_API_REQUEST_LOG_ENTRIES) this.apiLog = this.apiLog.slice(-MAX_API_REQUEST_LOG_ENTRIES);
    return entry;
  }

  /** @returns copies of the last MAX_API_REQUEST_LOG_ENTRIES logged API requests, oldest first. */
  apiRequestLog(): HoverEmulatorApiRequest[] {
    return this.apiLog.slice(-MAX_API_REQUEST_LOG_ENTRIES).map((entry) => ({ ...entry }));
  }

  /**
   * Sliding-window rate limit per client id (see `RateLimitWindows`); remembers admitted requests.
   * @returns `true` when the request at `nowMs` is within `limit`
   */
  admitApiRequest(clientId: string, nowMs: number, limit: RateLimit): boolean {
    return this.rateLimitWindows.admit(clientId, nowMs, limit);
  }

  /** Empties the rate-limit windows of every client. */
  clearRateLimitWindows(): void {
    this.rateLimitWindows.clear();
  }

  /** Sets every counter to 0 and empties the API request log (rate-limit windows are kept). */
  resetCounters(): void {
    this.tokenRequests.clear();
    this.apiRequests.clear();
    this.tokenRequestTotal = 0;
    this.apiLog = [];
  }
}
