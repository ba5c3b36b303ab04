import express, { Express, NextFunction, Request, Response } from 'express';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { createApiRouter } from './api/api.routes';
import { createControlRouter } from './control/control.routes';
import { validateFaults } from './control/validate-faults';
import { EmulatorContext } from './emulator-context.interface';
import { DEFAULT_ACCESS_TOKEN_TTL_SECONDS, DEFAULT_AUTHORIZATION_CODE_TTL_SECONDS, DEFAULT_FAULTS } from './hover-emulator.constants';
import { HoverEmulatorApiRequest } from './hover-emulator-api-request.interface';
import { HoverEmulatorClient } from './hover-emulator-client.interface';
import { HoverEmulatorFaults } from './hover-emulator-faults.interface';
import { HOVER_JOB_STATES, HoverEmulatorJobState } from './hover-emulator-job-state';
import { HoverEmulatorOptions } from './hover-emulator-options.interface';
import { HoverEmulatorOrg } from './hover-emulator-org.interface';
import { HoverEmulatorUser } from './hover-emulator-user.interface';
import { HoverEmulatorWebhookDelivery } from './hover-emulator-webhook-delivery.interface';
import type { HoverEmulatorWebhook } from './hover-emulator-webhook.interface';
import { AccessTokenSigner } from './oauth/access-token-signer';
import { createAuthorizeRouter } from './oauth/authorize.routes';
import { createTokenRouter } from './oauth/token.routes';
import { seedDefaultWorld } from './store/default-seed';
import { EmulatorStore } from './store/emulator-store';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';

/**
 * A local Hover (hover.to): Doorkeeper-like OAuth 2.0 server (`/oauth/authorize`, `/oauth/token`,
 * `/oauth/revoke`), a subset of the REST API (`/api/v2/users/profile`, `/api/v2/jobs`,
 * `/api/v3/jobs`, `/api/v3/jobs/:id`, `/api/v2/webhooks` with signed webhook deliveries), fault
 * switches for every behaviour the public docs leave open,
 * and a control surface (these methods, or HTTP under `/__emulator`).
 *
 * State is in memory and per instance. Listens on 127.0.0.1 only.
 *
 * @example
 * const hover = new HoverEmulator();
 * const baseUrl = await hover.start(); // e.g. "http://127.0.0.1:54321"
 * hover.setFaults({ rotation: 'revoke-on-first-use' });
 * // … drive the OAuth flow against baseUrl …
 * await hover.stop();
 */
export class HoverEmulator {
  private readonly store = new EmulatorStore();
  private readonly signer = new AccessTokenSigner();
  private readonly app: Express;
  private readonly seedDefaults: boolean;
  private readonly log: (line: string) => void;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly webhooks: WebhookDispatcher;
  private currentFaults: HoverEmulatorFaults = { ...DEFAULT_FAULTS };
  private server: Server | null = null;
  private url: string | null = null;

  /**
   * @param options see `HoverEmulatorOptions` (all optional: 7200 s access tokens, 600 s codes,
   *   default world seeded, no logging)
   * @throws RangeError when a lifetime is not a positive number of seconds
   */
  constructor(options: HoverEmulatorOptions = {}) {
    const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS;
    const authorizationCodeTtlSeconds = options.authorizationCodeTtlSeconds ?? DEFAULT_AUTHORIZATION_CODE_TTL_SECONDS;
    for (const [name, value] of Object.entries({ accessTokenTtlSeconds, authorizationCodeTtlSeconds })) {
      if (!Number.isInteger(value) || value <= 0) {
        throw new RangeError(`HoverEmulator: ${name} must be a positive integer number of seconds, got ${String(value)}.`);
      }
    }
    this.seedDefaults = options.seedDefaults ?? true;
    this.log = options.logger ?? (() => undefined);
    this.webhooks = new WebhookDispatcher(
      () => this.currentFaults,
      () => Date.now(),
      (line) => this.log(line),
    );
    const context: EmulatorContext = {
      store: this.store,
      signer: this.signer,
      webhooks: this.webhooks,
      accessTokenTtlSeconds,
      authorizationCodeTtlSeconds,
      faults: () => this.currentFaults,
      takeApiStatus: () => this.takeApiStatus(),
      now: () => Date.now(),
      delay: (ms) => this.delay(ms),
      log: (line) => this.log(line),
    };
    this.app = this.createApp(context);
    if (this.seedDefaults) seedDefaultWorld(this.store);
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /**
   * Starts listening on 127.0.0.1.
   * @param port TCP port; default `0` = a free port chosen by the OS
   * @returns the base URL without trailing slash, e.g. `"http://127.0.0.1:54321"`
   * @throws Error when already started, or the listen error (e.g. EADDRINUSE)
   */
  async start(port = 0): Promise<string> {
    if (this.server) throw new Error('HoverEmulator is already started; call stop() first.');
    const server = createServer(this.app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.log(`listening on ${this.url}`);
    return this.url;
  }

  /**
   * Stops listening, destroys every open socket (including requests held by the `tokenEndpointHang`
   * fault), cancels pending `tokenEndpointDelayMs` timers and aborts pending webhook deliveries. Idempotent. State is kept: `start()`
   * may be called again.
   */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.url = null;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.webhooks.abort();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    this.log('stopped');
  }

  /**
   * The base URL, e.g. `"http://127.0.0.1:54321"`.
   * @throws Error when the emulator is not started
   */
  get baseUrl(): string {
    if (!this.url) throw new Error('HoverEmulator is not started; await start() first.');
    return this.url;
  }

  // ---- seeding --------------------------------------------------------------------------------

  /**
   * Registers (or replaces) an OAuth client. Redirect URIs are matched exactly, as in Doorkeeper.
   * @param c `{ clientId, clientSecret, redirectUris: absolute URLs, name?: consent-page name (default clientId) }`
   * @throws TypeError when a field is missing or a redirect URI is not an absolute URL
   */
  registerClient(c: HoverEmulatorClient): void {
    if (!c || typeof c.clientId !== 'string' || !c.clientId || typeof c.clientSecret !== 'string' || !c.clientSecret) {
      throw new TypeError('registerClient: clientId and clientSecret must be non-empty strings.');
    }
    if (!Array.isArray(c.redirectUris) || c.redirectUris.length === 0 || !c.redirectUris.every(isAbsoluteUrl)) {
      throw new TypeError('registerClient: redirectUris must be a non-empty array of absolute URLs.');
    }
    this.store.registerClient({ clientId: c.clientId, clientSecret: c.clientSecret, redirectUris: c.redirectUris, name: c.name || c.clientId });
  }

  /**
   * Adds (or replaces) an org; its jobs are kept (none for a new org: see `seedJobs`).
   * @param o `{ id, name, integrations?: default true, planName?: default "Pro" with integrations, "Basic" without }`
   */
  seedOrg(o: { id: number; name: string; integrations?: boolean; planName?: string }): void {
    const integrations = o.integrations ?? true;
    this.store.seedOrg({ id: o.id, name: o.name, integrations, planName: o.planName ?? (integrations ? 'Pro' : 'Basic') });
  }

  /**
   * Adds (or replaces) a user of an existing org. The first user seeded becomes the signed-in user.
   * @param u `{ id, email, firstName, lastName, orgId }`
   * @throws Error when the org is not seeded
   */
  seedUser(u: { id: number; email: string; firstName: string; lastName: string; orgId: number }): void {
    this.requireOrg(u.orgId, 'seedUser');
    this.store.seedUser({ id: u.id, email: u.email, firstName: u.firstName, lastName: u.lastName, orgId: u.orgId });
  }

  /**
   * REPLACES the org's jobs with `count` deterministic jobs: ids `orgId * 10000 + n` (n = 1…count),
   * names/addresses derived from n, `state` cycling complete/processing/complete/uploading/complete/
   * failed/cancelled, `created_at` 2024-01-02T15:00:00Z + (n-1) days.
   * @param count integer ≥ 0
   * @throws Error when the org is not seeded; RangeError for a bad count
   */
  seedJobs(orgId: number, count: number): void {
    this.requireOrg(orgId, 'seedJobs');
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`seedJobs: count must be an integer ≥ 0, got ${count}.`);
    this.store.seedJobs(orgId, count);
  }

  /**
   * Everyone who can sign in on the consent page (the "Not you?" form offers the same list), e.g. for
   * a dev panel. Also `GET /__emulator/users` → `{ users: [...] }`.
   * @returns `[{ id, email, name: "First Last", orgId, orgName, integrations }]` ordered by id, copies;
   *   with the default world users 1 Alice (org 1), 2 Bob (org 2, no integrations), 3 Carol (org 3)
   */
  users(): HoverEmulatorUser[] {
    return this.store.listUsers();
  }

  /**
   * Every seeded org. Also `GET /__emulator/orgs` → `{ orgs: [...] }`.
   * @returns `[{ id, name, planName, integrations }]` ordered by id, copies; `integrations` is the
   *   current value (see `setOrgIntegrations`)
   */
  orgs(): HoverEmulatorOrg[] {
    return this.store.listOrgs();
  }

  // ---- control --------------------------------------------------------------------------------

  /**
   * Chooses who the consent page acts as (default: the first seeded user, user 1 with the defaults).
   * A browser that picked a user with the consent page's "Not you?" form (cookie
   * `hover_emulator_user`) keeps acting as that user; this sets it for every other browser and client.
   * @throws Error when the user is not seeded
   */
  setSignedInUser(userId: number): void {
    if (!this.store.findUser(userId)) throw new Error(`setSignedInUser: no user ${userId} is seeded.`);
    this.store.setSignedInUser(userId);
  }

  /**
   * Turns the org's `integrations` feature on or off, at any time (also after its users connected):
   * - the consent page blocks the org's users while off (see fault `consentWithoutIntegrations`);
   * - `GET /api/v2/users/profile` still answers 200, without `integrations` in the org's `feature_access`;
   * - every other API endpoint answers tokens of the org with 403
   *   `{"error":"forbidden","message":"Third-party integrations are not available on your plan. Upgrade or contact us to enable integrations."}`.
   *   Hover documents only that a plan-gated call answers 403; the body is the emulator's choice
   *   (Hover's consent-page wording), as the real one is unknown;
   * - the token endpoint keeps working: codes are exchanged and refresh tokens rotate as usual.
   * Turning it back on restores normal answers for the same tokens. `reset()` restores the seed.
   * Also `POST /__emulator/orgs/:id/integrations` with `{ "enabled": false }`.
   * @param orgId the org's numeric id (the token answer's `owner_id`)
   * @throws Error when the org is not seeded
   */
  setOrgIntegrations(orgId: number, enabled: boolean): void {
    this.requireOrg(orgId, 'setOrgIntegrations');
    this.store.setOrgIntegrations(orgId, enabled);
  }

  /**
   * Makes every active access token expired now (API → 401 "The access token expired"); refresh
   * tokens keep working.
   * @returns how many access tokens were active and are now expired
   */
  expireAccessTokens(): number {
    const expired = this.store.expireAccessTokens(Date.now());
    this.log(`expired ${expired} access token(s)`);
    return expired;
  }

  /** Revokes every issued access and refresh token (API → 401 "was revoked"; refresh → invalid_grant). */
  revokeAllTokens(): void {
    const revoked = this.store.revokeAllTokens(Date.now());
    this.log(`revoked ${revoked} token row(s)`);
  }

  /**
   * @param grantType count only POSTs with this `grant_type`; omitted = every POST to `/oauth/token`
   *   (any grant type, malformed and failed ones included)
   * @returns the number of POSTs to `/oauth/token` since start or the last `resetCounters()`/`reset()`
   */
  tokenRequestCount(grantType?: 'authorization_code' | 'refresh_token'): number {
    return this.store.tokenRequestCount(grantType);
  }

  /**
   * @param path exact path such as `"/api/v3/jobs"` (no query string); omitted = all `/api` paths
   * @returns the number of requests under `/api` (every answer included: 401, 403, 404, 429, faults)
   */
  apiRequestCount(path?: string): number {
    return this.store.apiRequestCount(path);
  }

  /** @returns `{ [path]: count }` for every `/api` path requested since the last counter reset. */
  apiRequestsByPath(): Record<string, number> {
    return this.store.apiRequestsByPath();
  }

  /**
   * Every request under `/api` since start or the last `resetCounters()`/`reset()`, oldest first,
   * each `{ at: epoch MILLISECONDS of arrival, method, path (no query), status (null until answered),
   * clientId (of the bearer token, null without a known token) }`; every answer is logged (401, 403,
   * 404, 429, faulted statuses). Bounded: only the last 100,000 requests are kept.
   * @returns a snapshot (copies); later requests do not change it
   * @example
   * // the client kept every 60 s window at ≤ 120 requests: any 121 in a row span at least 60 s
   * const at = hover.emulator.apiRequestLog().filter((r) => r.clientId === 'my-app-test').map((r) => r.at);
   * expect(at.every((t, i) => i < 120 || t - at[i - 120] >= 60_000)).toBe(true);
   */
  apiRequestLog(): ReadonlyArray<Readonly<HoverEmulatorApiRequest>> {
    return this.store.apiRequestLog();
  }

  // ---- webhooks -------------------------------------------------------------------------------

  /**
   * Changes a job's state (what `GET /api/v3/jobs/:id` shows) and sends a `job-state-changed` event
   * to every VERIFIED webhook of the job's org, asynchronously (after `webhookDeliveryDelayMs`), even
   * when the state is unchanged. Body (Hover's documented payload; `job_estimated_hours_to_completion`
   * is the emulator's guess: 0 for complete/failed/cancelled, else 1.5):
   * `{"event":"job-state-changed","webhook_id":N,"job_external_identifier":"EMU-1-0001","job_id":10001,
   * "state":"complete","content-available":1,"job_estimated_hours_to_completion":0}`.
   * Also `POST /__emulator/jobs/:id/state` with `{ "state": "complete" }`.
   * @param jobId e.g. 10001 (ids are unique across orgs)
   * @param state one of Hover's job states (`HOVER_JOB_STATES`), e.g. `'complete'`
   * @returns the ids of the webhooks an event was sent to, ascending (empty when none is verified)
   * @throws TypeError for a state Hover does not list; Error when no job has this id
   */
  setJobState(jobId: number, state: HoverEmulatorJobState): number[] {
    if (!(HOVER_JOB_STATES as readonly unknown[]).includes(state)) {
      throw new TypeError(`setJobState: state must be one of ${HOVER_JOB_STATES.join(', ')}; got ${JSON.stringify(state)}.`);
    }
    const found = this.store.findJob(jobId);
    if (!found) throw new Error(`setJobState: no job ${jobId} is seeded.`);
    found.job.state = state;
    const verified = this.store.listWebhooks(found.orgId).filter((w) => w.verifiedAt !== null);
    for (const webhook of verified) {
      this.webhooks.send(webhook, {
        event: 'job-state-changed',
        webhook_id: webhook.id,
        job_external_identifier: found.job.external_identifier,
        job_id: found.job.id,
        state,
        'content-available': 1,
        job_estimated_hours_to_completion: ['complete', 'failed', 'cancelled'].includes(state) ? 0 : 1.5,
      });
    }
    return verified.map((w) => w.id);
  }

  /**
   * Every registered webhook (all orgs), ordered by id, with its `hmacSecret` (so a test can sign a
   * delivery itself) and `verifiedAt` / `lastError`. Also `GET /__emulator/webhooks`.
   * @returns a snapshot (copies)
   */
  registeredWebhooks(): HoverEmulatorWebhook[] {
    return this.store
      .allWebhooks()
      .map(({ id, orgId, url, hmacSecret, verifiedAt, createdAt, lastError }) => ({ id, orgId, url, hmacSecret, verifiedAt, createdAt, lastError }));
  }

  /**
   * Every POST sent (or attempted) to a webhook URL since start or the last `reset()`, oldest first:
   * `{ id, at: epoch MILLISECONDS, webhookId, event, url, headers, body: raw string, status: number |
   * null, error: string | null }` (see `HoverEmulatorWebhookDelivery`). A failed delivery (network
   * error, timeout after 10 s, non-2xx) is logged, sets the webhook's `last_error`, and is not
   * retried. The last 10,000 are kept. Also `GET /__emulator/webhook-deliveries`.
   * @returns a snapshot (copies)
   */
  webhookDeliveries(): HoverEmulatorWebhookDelivery[] {
    return this.webhooks.deliveries();
  }

  /**
   * Resolves once every scheduled webhook delivery has been attempted (answered, failed, or aborted by
   * `stop()`/`reset()`), delays included: await it before reading `webhookDeliveries()`.
   */
  webhookDeliveriesSettled(): Promise<void> {
    return this.webhooks.settled();
  }

  /** Sets the token and API request counters to 0 and empties the API request log. */
  resetCounters(): void {
    this.store.resetCounters();
  }

  /**
   * Merges fault switches into the current ones (see `HoverEmulatorFaults` for each default). Object
   * values are copied, so changing your object afterwards changes nothing. Any `apiRateLimit` key
   * starts every rate-limit window empty.
   * @throws TypeError on an unknown key or an invalid value (nothing is changed then)
   */
  setFaults(f: Partial<HoverEmulatorFaults>): void {
    const changes = structuredClone(validateFaults(f));
    this.currentFaults = { ...this.currentFaults, ...changes };
    if (Object.hasOwn(changes, 'apiRateLimit')) this.store.clearRateLimitWindows();
    this.log(`faults ${JSON.stringify(this.currentFaults)}`);
  }

  /** A deep copy of the current fault switches (`apiStatus.times` shows the answers left). */
  get faults(): HoverEmulatorFaults {
    return structuredClone(this.currentFaults);
  }

  /**
   * Back to the state after construction: world re-seeded (defaults if `seedDefaults`, else empty;
   * clients, orgs and users added later are dropped; org integrations as seeded), no codes or tokens,
   * counters 0, API request log and rate-limit windows empty, no webhooks, pending webhook deliveries
   * aborted and their log emptied, default faults. The server keeps running.
   */
  reset(): void {
    this.store.clear();
    this.webhooks.clear();
    if (this.seedDefaults) seedDefaultWorld(this.store);
    this.currentFaults = { ...DEFAULT_FAULTS };
    this.log('reset');
  }

  // ---- internals ------------------------------------------------------------------------------

  private createApp(context: EmulatorContext): Express {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use((req, res, next) => {
      // Path only: query strings may carry state or PKCE values; tokens never reach the log.
      res.on('finish', () => {
        const grant = res.locals.grantType ? ` grant_type=${String(res.locals.grantType)}` : '';
        // A webhook verification code is a one-time credential in the path: never logged.
        const path = req.originalUrl.split('?')[0].replace(/^(\/api\/v2\/webhooks\/)[^/]+(\/verify)$/, '$1[code]$2');
        this.log(`${req.method} ${path}${grant} -> ${res.statusCode}`);
      });
      next();
    });
    app.use(createAuthorizeRouter(context));
    app.use(createTokenRouter(context));
    app.use('/api', createApiRouter(context));
    app.use('/__emulator', createControlRouter(this));
    app.use((_req, res) => {
      res.status(404).json({ error: 'not_found' });
    });
    app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
      if (status === 500) this.log(`internal error: ${err.message}`);
      if (!res.headersSent) res.status(status).json({ error: status === 500 ? 'server_error' : 'invalid_request' });
    });
    return app;
  }

  private takeApiStatus(): HoverEmulatorFaults['apiStatus'] {
    const fault = this.currentFaults.apiStatus;
    if (fault === null || fault.times === undefined) return fault;
    const left = fault.times - 1;
    // Replaced, not mutated: a `faults` copy taken earlier keeps what it showed.
    this.currentFaults = { ...this.currentFaults, apiStatus: left > 0 ? { ...fault, times: left } : null };
    if (left === 0) this.log(`apiStatus ${fault.status} used up; API answers normally again`);
    return fault;
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private requireOrg(orgId: number, method: string): void {
    if (!this.store.findOrg(orgId)) throw new Error(`${method}: no org ${orgId} is seeded; call seedOrg() first.`);
  }
}

function isAbsoluteUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}
