import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { AUTHORIZATION_STATE_TTL_SECONDS, HOVER_AUTH_RESOLVED_OPTIONS, HOVER_PROFILE_PATH } from '../hover-auth.constants';
import type { HoverIncomingRequest, ResolvedHoverAuthOptions } from '../hover-auth-options.interface';
import { HoverInvalidCallbackException } from '../exceptions/hover-callback.exceptions';
import {
  HoverInvalidClientException,
  HoverInvalidGrantException,
  HoverTokenEndpointException,
  HoverTokenEndpointUnavailableException,
} from '../exceptions/hover-token-endpoint.exceptions';
import type { HoverTokenSet } from '../token-endpoint/hover-token-set';
import { TokenEndpointClient } from '../token-endpoint/token-endpoint.client';
import { assertConnectionId } from '../tokens/connection-id';
import { HoverConnectionRepository, type HoverConnectionProfile } from '../tokens/hover-connection.repository';
import { HoverConnectionsService } from '../tokens/hover-connections.service';
import { HoverTokenManager } from '../tokens/hover-token-manager.service';
import { AuthorizationStateStore } from './authorization-state.store';
import {
  FlowCookieSealer,
  flowCookieAttributes,
  flowCookieHeader,
  flowCookieName,
  readFlowCookie,
  staleFlowCookieNames,
} from './flow-cookie';
import type {
  HoverAuthorizationFailureReason,
  HoverAuthorizationResult,
  HoverAuthorizationStart,
  HoverAuthorizationStartOptions,
} from './hover-authorization-flow.types';
import { readConnectionProfile } from '../tokens/hover-profile';
import { HOVER_EVENTS } from '../events/hover-events';
import { ConnectionLifecycle } from '../events/connection-lifecycle';
import { HoverEventPublisher } from '../events/hover-event-publisher';
import { resolveConnectionId } from './resolve-connection-id';
import { safeReturnPath } from './return-path';

/** Longest `state` / `code` / `iss` accepted; anything longer is refused before any database or network work. */
const MAX_STATE_LENGTH = 128;
const MAX_CODE_LENGTH = 2048;
const MAX_ISSUER_LENGTH = 512;

/** Error codes an authorization endpoint may send back (RFC 6749 §4.1.2.1). */
const AUTHORIZATION_ERROR_CODES = new Set<HoverAuthorizationFailureReason>([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
]);

/**
 * The authorization code flow (RFC 6749 §4.1) against Hover, as a service: {@link start} begins it for
 * a browser, {@link complete} finishes it from Hover's redirect back. The built-in controller
 * (`GET /hover/authorize`, `GET /hover/callback`) is a thin adapter over it; with
 * `mountController: false`, call it from your own routes, behind your own authentication.
 *
 * @example
 * @Get('connect') @UseGuards(SessionGuard)
 * async connect(@Req() req: Request, @Res() res: Response) {
 *   const start = await this.flow.start(req, { connectionId: `account:${req.user.accountId}` });
 *   res.append('Set-Cookie', start.cookie.header).redirect(302, start.authorizationUrl);
 * }
 */
@Injectable()
export class HoverAuthorizationFlowService {
  private readonly logger = new Logger('HoverAuth');
  private readonly sealer: FlowCookieSealer;

  constructor(
    @Inject(HOVER_AUTH_RESOLVED_OPTIONS) private readonly options: ResolvedHoverAuthOptions,
    private readonly states: AuthorizationStateStore,
    private readonly tokenEndpoint: TokenEndpointClient,
    private readonly connections: HoverConnectionRepository,
    private readonly connectionInfo: HoverConnectionsService,
    private readonly tokens: HoverTokenManager,
    private readonly http: HttpService,
    private readonly events: HoverEventPublisher,
    @Optional() private readonly lifecycle?: ConnectionLifecycle,
  ) {
    this.sealer = new FlowCookieSealer(options.encryptionKeys);
  }

  /**
   * Starts a flow: a fresh `state`, the PKCE code verifier (unless `pkce: false`), the connection id and
   * the return path, sealed (AES-256-GCM, bound to the `state`) in a cookie of this browser that lives
   * 600 seconds. Nothing is stored in the database, so anonymous requests cannot fill it; any app
   * instance can finish the flow (they share `encryptionKeys`).
   *
   * @param request the incoming HTTP request (Express or Fastify); without `options.connectionId`, it is
   *   passed to `resolveConnectionId`
   * @returns the URL of Hover's authorization endpoint to redirect the browser to (302), the flow
   *   cookie, and `setCookie`: every `Set-Cookie` value to send on that same response (the flow cookie,
   *   and deletions of this browser's oldest flow cookies beyond 5 open flows)
   * @throws {HoverInvalidConnectionIdException} when the connection id is not a 1–191 character string
   */
  async start(request: HoverIncomingRequest, options: HoverAuthorizationStartOptions = {}): Promise<HoverAuthorizationStart> {
    const connectionId = options.connectionId === undefined ? await resolveConnectionId(this.options, request) : options.connectionId;
    assertConnectionId(connectionId);
    const state = randomBytes(32).toString('base64url');
    const codeVerifier = this.options.pkce ? randomBytes(32).toString('base64url') : null;
    const sealed = this.sealer.seal(
      { connectionId, codeVerifier, returnTo: safeReturnPath(options.returnTo), expiresAt: Date.now() + AUTHORIZATION_STATE_TTL_SECONDS * 1000 },
      state,
    );
    const url = new URL(this.options.authorizationEndpoint);
    const parameters = new URLSearchParams({
      response_type: 'code',
      client_id: this.options.clientId,
      redirect_uri: this.options.redirectUri,
      state,
    });
    if (codeVerifier) {
      parameters.set('code_challenge', createHash('sha256').update(codeVerifier).digest('base64url'));
      parameters.set('code_challenge_method', 'S256');
    }
    url.search = parameters.toString();
    const name = flowCookieName(state);
    const header = flowCookieHeader(name, sealed, this.options);
    const deletions = staleFlowCookieNames(request).map((stale) => flowCookieHeader(stale, '', this.options, 0));
    return {
      authorizationUrl: url.toString(),
      connectionId,
      cookie: { name, value: sealed, options: flowCookieAttributes(this.options), header },
      setCookie: [...deletions, header],
    };
  }

  /**
   * Finishes a flow from Hover's redirect back (RFC 6749 §4.1.2). Checks the parameters' shapes and
   * sizes before any database or network work, then `iss` (RFC 9207, when `issuer` is set), opens the
   * flow sealed in this browser's cookie for this `state` (a callback from another browser has none),
   * records the state as used (of two concurrent callbacks, one proceeds); then exchanges `code` (with
   * the PKCE code verifier), reads the user's profile and stores the connection, encrypted.
   *
   * @param query the callback's query parameters, as parsed by the framework (`req.query`)
   * @param request the incoming HTTP request (its flow cookie is read)
   * @returns `connected` (redirect to the flow's return path or `successRedirect`), or `failed` with a
   *   reason (Deny, a refused code, Hover unreachable, wrong client credentials; redirect to
   *   `failureRedirect?hover_error=<reason>`); both carry `clearCookie`, a `Set-Cookie` value that
   *   deletes the used flow cookie
   * @throws {HoverInvalidCallbackException} 400 with a stable code for anything that cannot be this
   *   browser's flow; Hover is not contacted and nothing is stored
   */
  async complete(query: Record<string, unknown>, request: HoverIncomingRequest): Promise<HoverAuthorizationResult> {
    const { state, code, error } = this.readCallback(query ?? {});
    const sealed = readFlowCookie(request, state);
    if (sealed === null) {
      throw new HoverInvalidCallbackException(
        'HOVER_STATE_BROWSER_MISMATCH',
        'This authorization was not started in this browser, or its cookie is gone (blocked, or older than 10 minutes). Start again from the authorize route in this browser.',
      );
    }
    const invalidState = () =>
      new HoverInvalidCallbackException('HOVER_INVALID_STATE', 'The state parameter is unknown, expired or already used. Start again from the authorize route.');
    const flow = this.sealer.open(sealed, state);
    if (!flow || flow.expiresAt <= Date.now()) throw invalidState();
    if (!(await this.states.markUsed(state, flow.connectionId, flow.expiresAt))) throw invalidState();
    const connectionId = flow.connectionId;
    const clearCookie = flowCookieHeader(flowCookieName(state), '', this.options, 0);
    if (error !== null) {
      // Only the codes of RFC 6749 §4.1.2.1 pass through: the query is attacker-controlled text.
      const reason = AUTHORIZATION_ERROR_CODES.has(error as HoverAuthorizationFailureReason) ? (error as HoverAuthorizationFailureReason) : 'authorization_failed';
      return this.failed(connectionId, reason, clearCookie);
    }

    let tokens: HoverTokenSet;
    try {
      tokens = await this.tokenEndpoint.exchangeAuthorizationCode(code as string, flow.codeVerifier);
    } catch (failure) {
      return this.failed(connectionId, this.exchangeFailureReason(failure), clearCookie);
    }
    const profile = await this.readProfile(connectionId, tokens);
    if (!profile) return this.failed(connectionId, 'hover_unavailable', clearCookie);
    const previousHoverOrgId = await this.connections.findOrgId(connectionId);
    // Different only when both orgs are known: an org Hover's profile did not name proves nothing.
    const reconnectedElsewhere = typeof previousHoverOrgId === 'string' && profile.hoverOrgId !== null && previousHoverOrgId !== profile.hoverOrgId;
    if (reconnectedElsewhere) {
      const refused = this.options.reconnectToDifferentOrg === 'refuse';
      this.logger.warn(
        `Connection "${connectionId}" was authorized for Hover org ${profile.hoverOrgId ?? 'unknown'}, not the stored org ${previousHoverOrgId ?? 'unknown'}: ${refused ? 'refused (reconnectToDifferentOrg: refuse), the stored connection is kept' : 'the new org replaces it (reconnectToDifferentOrg: accept)'}.`,
      );
      // The new grant is dropped unused: Hover does not document token revocation (hover-reference.md).
      if (refused) return this.failed(connectionId, 'different_org', clearCookie);
      // While the old org's tokens still work: e.g. its webhook passes to another connection of that org, or is deleted at Hover.
      await this.lifecycle?.leavingOrg(connectionId);
    }
    await this.connections.saveAuthorizedConnection(connectionId, tokens, profile);
    this.tokens.forget(connectionId);
    if (reconnectedElsewhere) await this.lifecycle?.leftOrg(connectionId, previousHoverOrgId ?? null);
    this.events.emit(reconnectedElsewhere ? HOVER_EVENTS.RECONNECTED_TO_DIFFERENT_ORG : HOVER_EVENTS.CONNECTED, {
      connectionId,
      at: Date.now(),
      hoverOrgId: profile.hoverOrgId,
      hoverOrgName: profile.hoverOrgName,
      previousHoverOrgId: previousHoverOrgId ?? null,
      integrationsEnabled: profile.integrationsEnabled,
    });
    this.lifecycle?.notifyConnected({ connectionId, hoverOrgId: profile.hoverOrgId, previousHoverOrgId: previousHoverOrgId ?? null });
    this.logger.log(
      `Connected "${connectionId}" to Hover org ${profile.hoverOrgId ?? 'unknown'} (integrations ${profile.integrationsEnabled ? 'available' : 'unavailable'}).`,
    );
    const connection = await this.connectionInfo.get(connectionId);
    const redirectUrl = flow.returnTo ?? this.options.successRedirect;
    return {
      outcome: 'connected',
      connectionId,
      redirectUrl: reconnectedElsewhere ? appendQuery(redirectUrl, 'hover_notice', 'reconnected_to_different_org') : redirectUrl,
      connection: connection as NonNullable<typeof connection>,
      previousHoverOrgId: reconnectedElsewhere ? (previousHoverOrgId ?? null) : null,
      clearCookie,
    };
  }

  /** Shape and size checks of the callback query; nothing else is touched yet. */
  private readCallback(query: Record<string, unknown>): { state: string; code: string | null; error: string | null } {
    const state = singleValue(query.state, MAX_STATE_LENGTH);
    if (state === null) {
      throw new HoverInvalidCallbackException('HOVER_INVALID_STATE', 'The state parameter is missing or malformed. Start again from the authorize route.');
    }
    const hasError = query.error !== undefined;
    const error = singleValue(query.error, 64);
    const code = singleValue(query.code, MAX_CODE_LENGTH);
    const issuer = singleValue(query.iss, MAX_ISSUER_LENGTH);
    if ((hasError && error === null) || (!hasError && code === null) || (query.iss !== undefined && issuer === null)) {
      throw new HoverInvalidCallbackException(
        'HOVER_INVALID_CALLBACK',
        'The callback parameters are missing or malformed (code, error or iss). Start again from the authorize route.',
      );
    }
    if (this.options.issuer !== undefined && issuer !== null && issuer !== this.options.issuer) {
      throw new HoverInvalidCallbackException('HOVER_ISSUER_MISMATCH', 'The callback comes from an unexpected authorization server (iss). Start again from the authorize route.');
    }
    return { state, code: hasError ? null : code, error: hasError ? error : null };
  }

  /** `GET /api/v2/users/profile` with the new access token; `null` when Hover could not answer. */
  private async readProfile(connectionId: string, tokens: HoverTokenSet): Promise<HoverConnectionProfile | null> {
    try {
      // Through the API hooks like every API request, so the rate limiter counts it and transient
      // failures are retried: the new access token is given as is (`hoverAccessToken`), and a 401 for it
      // is final (`hoverRetried`), never a refresh of whatever grant is stored under this id.
      const response = await this.http.axiosRef.get(HOVER_PROFILE_PATH, {
        hoverConnectionId: connectionId,
        hoverAccessToken: tokens.accessToken,
        hoverRetried: true,
      } as object);
      return readConnectionProfile(response.data, tokens.ownerId);
    } catch (failure) {
      this.logger.warn(`Could not read the Hover profile of connection "${connectionId}" (${describeAxiosFailure(failure)}).`);
      return null;
    }
  }

  private exchangeFailureReason(failure: unknown): HoverAuthorizationFailureReason {
    if (failure instanceof HoverInvalidGrantException) return 'token_exchange_failed';
    if (failure instanceof HoverInvalidClientException) return 'configuration_error';
    if (failure instanceof HoverTokenEndpointUnavailableException) return 'hover_unavailable';
    if (failure instanceof HoverTokenEndpointException) {
      this.logger.warn(`Hover's token endpoint failed the authorization code exchange (${failure.code}).`);
      return 'token_exchange_failed';
    }
    throw failure;
  }

  private failed(connectionId: string, reason: HoverAuthorizationFailureReason, clearCookie: string): HoverAuthorizationResult {
    return { outcome: 'failed', connectionId, reason, redirectUrl: appendQuery(this.options.failureRedirect, 'hover_error', reason), clearCookie };
  }
}

/** A query value that is one string of 1..maxLength printable ASCII characters, else null. */
function singleValue(value: unknown, maxLength: number): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) return null;
  return /^[\x21-\x7e]+$/.test(value) ? value : null;
}

function appendQuery(target: string, key: string, value: string): string {
  const [withoutHash, hash] = target.split('#', 2);
  const separator = withoutHash.includes('?') ? '&' : '?';
  return `${withoutHash}${separator}${encodeURIComponent(key)}=${encodeURIComponent(value)}${hash === undefined ? '' : `#${hash}`}`;
}

function describeAxiosFailure(failure: unknown): string {
  const candidate = failure as { response?: { status?: number }; code?: string };
  if (candidate?.response?.status) return `HTTP ${candidate.response.status}`;
  return candidate?.code ?? 'unexpected error';
}
