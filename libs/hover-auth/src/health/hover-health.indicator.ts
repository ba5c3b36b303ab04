import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { HOVER_AUTH_RESOLVED_OPTIONS } from '../hover-auth.constants';
import type { ResolvedHoverAuthOptions } from '../hover-auth-options.interface';
import { HoverRateLimiter } from '../http/hover-rate-limiter';
import { HoverConnectionRepository } from '../tokens/hover-connection.repository';
import { HoverTokenManager } from '../tokens/hover-token-manager.service';

/** How long one probe of the token endpoint is reused, in milliseconds: health checks run every few seconds. */
const PROBE_REUSE_MS = 30_000;
/** How long a probe that found the endpoint down is reused, in milliseconds: recovery shows quickly. */
const DOWN_PROBE_REUSE_MS = 5000;
/** Longest a probe waits for the token endpoint, in milliseconds (also bounded by `httpTimeoutMs`). */
const PROBE_TIMEOUT_MS = 5000;
/** Most connection ids listed when `includeConnectionIds` is set. */
const MAX_LISTED_IDS = 100;

interface ProbeResult {
  at: number;
  reachable: boolean;
  httpStatus: number | null;
}

/** Options of {@link HoverHealthIndicator.isHealthy}. */
export interface HoverHealthCheckOptions {
  /** List the ids of connections that need reauthorization (at most 100). Default false: counts only. */
  includeConnectionIds?: boolean;
}

/** What {@link HoverHealthIndicator.isHealthy} reports under its key: a terminus `HealthIndicatorResult` entry. */
export interface HoverHealthDetails {
  /** `down` when Hover's token endpoint is unreachable or refreshes are backing off after its failures. */
  status: 'up' | 'down';
  tokenEndpoint: {
    /** Any HTTP answer below 500 other than 429 counts as reachable (the probe sends no credentials). */
    reachable: boolean;
    /** The probe's HTTP status, or `null` when nothing answered. */
    httpStatus: number | null;
    /** When the probe ran, epoch milliseconds (probes are reused for 30 s). */
    checkedAt: number;
  };
  /** True while refreshes fail fast after the token endpoint failed (1–30 s, or Hover's Retry-After). */
  refreshBackingOff: boolean;
  /** Stored connections per status. */
  connections: { active: number; reauthorizationRequired: number };
  /** Only with `includeConnectionIds`: the first 100 ids needing reauthorization, in id order. */
  reauthorizationRequiredIds?: string[];
  /** The client-side rate limiter of this instance, when on. */
  rateLimit?: {
    queued: number;
    sentLastMinute: number;
    requestsPerMinute: number;
    /** While Hover's 429 `Retry-After` holds this instance's requests back: until when, epoch ms; else absent. */
    pausedUntil?: number;
  };
}

/**
 * A health indicator for `@nestjs/terminus` (an optional peer: hover-auth does not import it; the
 * result has terminus's `HealthIndicatorResult` shape, which terminus 10.2+ and 11 read from a resolved
 * value). Never exposes tokens; connection ids only when asked.
 *
 * @example
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.hover.isHealthy('hover')]); }
 */
@Injectable()
export class HoverHealthIndicator {
  /** The last probe's outcome, and the probe running now (shared by concurrent health checks). */
  private probe: ProbeResult | null = null;
  private probing: Promise<ProbeResult> | null = null;

  constructor(
    @Inject(HOVER_AUTH_RESOLVED_OPTIONS) private readonly options: ResolvedHoverAuthOptions,
    private readonly http: HttpService,
    private readonly tokens: HoverTokenManager,
    private readonly connections: HoverConnectionRepository,
    // Explicit token: a `HoverRateLimiter | null` parameter type is emitted as `Object` for Nest's DI.
    @Optional() @Inject(HoverRateLimiter) private readonly limiter: HoverRateLimiter | null = null,
  ) {}

  /**
   * Probes Hover's token endpoint (an empty POST: no grant, no credentials; reused for 30 s, 5 s after it found the endpoint down; Hover answers it with an
   * OAuth error, which proves it is up) and reads the connection counts (one grouped query).
   * @param key the key of the result, e.g. `'hover'`
   * @returns `{ [key]: HoverHealthDetails }` with `status` `up` or `down`; never rejects for Hover's sake
   * (a database failure rejects, as terminus expects of a failing dependency)
   */
  async isHealthy(key: string, options: HoverHealthCheckOptions = {}): Promise<Record<string, HoverHealthDetails>> {
    const [probe, counts, ids] = await Promise.all([
      this.probeTokenEndpoint(),
      this.connections.countByStatus(),
      options.includeConnectionIds ? this.connections.listStored(0, MAX_LISTED_IDS, 'reauthorization_required') : null,
    ]);
    const refreshBackingOff = this.tokens.tokenEndpointBackingOff;
    const details: HoverHealthDetails = {
      status: probe.reachable && !refreshBackingOff ? 'up' : 'down',
      tokenEndpoint: { reachable: probe.reachable, httpStatus: probe.httpStatus, checkedAt: probe.at },
      refreshBackingOff,
      connections: { active: counts.active, reauthorizationRequired: counts.reauthorization_required },
    };
    if (ids) details.reauthorizationRequiredIds = ids.rows.map((row) => row.connectionId);
    if (this.limiter && this.options.rateLimit) {
      const stats = this.limiter.stats();
      const minute = stats.windows.find((window) => window.windowMs === 60_000);
      details.rateLimit = { queued: stats.queued, sentLastMinute: minute?.used ?? 0, requestsPerMinute: this.options.rateLimit.requestsPerMinute };
      if (stats.pausedUntil !== undefined) details.rateLimit.pausedUntil = stats.pausedUntil;
    }
    return { [key]: details };
  }

  private async probeTokenEndpoint(): Promise<ProbeResult> {
    if (this.probe && Date.now() - this.probe.at < (this.probe.reachable ? PROBE_REUSE_MS : DOWN_PROBE_REUSE_MS)) return this.probe;
    this.probing ??= this.runProbe().then((result) => {
      this.probe = result;
      this.probing = null;
      return result;
    });
    return this.probing;
  }

  private async runProbe(): Promise<ProbeResult> {
    try {
      // An empty form: no grant, no credentials. Hover answers it with an OAuth error (invalid_request),
      // which proves the endpoint is up and spends nothing.
      const response = await this.http.axiosRef.post(this.options.tokenEndpoint, '', {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        timeout: Math.min(PROBE_TIMEOUT_MS, this.options.httpTimeoutMs),
        validateStatus: () => true,
        maxRedirects: 0,
      });
      const reachable = response.status < 500 && response.status !== 429;
      return { at: Date.now(), reachable, httpStatus: response.status };
    } catch {
      return { at: Date.now(), reachable: false, httpStatus: null };
    }
  }
}
