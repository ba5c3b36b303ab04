import { HttpService } from '@nestjs/axios';
import { Controller, Get, Header, Inject, Logger, Query, Redirect, Req, Res } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { HOVER_AUTH_RESOLVED_OPTIONS, HOVER_PROFILE_PATH } from '../hover-auth.constants';
import type { HoverIncomingRequest, ResolvedHoverAuthOptions } from '../hover-auth-options.interface';
import { HoverInvalidCallbackException } from '../exceptions/hover-callback.exceptions';
import {
  HoverInvalidClientException,
  HoverInvalidGrantException,
  HoverTokenEndpointException,
  HoverTokenEndpointUnavailableException,
} from '../exceptions/hover-token-endpoint.exceptions';
import { HoverConnectionRepository, type HoverConnectionProfile } from '../tokens/hover-connection.repository';
import { HoverTokenManager } from '../tokens/hover-token-manager.service';
import { AuthorizationStateStore } from './authorization-state.store';
import { readConnectionProfile } from './hover-profile';
import type { HoverTokenSet } from '../token-endpoint/hover-token-set';
import { TokenEndpointClient } from '../token-endpoint/token-endpoint.client';
import { resolveConnectionId } from './resolve-connection-id';
import {
  appendSetCookie,
  browserBindingCookie,
  browserBindingMatches,
  hashBrowserBinding,
  newBrowserBinding,
  readBrowserBinding,
} from './browser-binding';
import { safeReturnPath } from './return-path';

/** Longest `state` / `code` accepted; anything longer is refused before any database or network work. */
const MAX_STATE_LENGTH = 128;
const MAX_CODE_LENGTH = 2048;
const MAX_ISSUER_LENGTH = 512;

/** Error codes an authorization endpoint may send back (RFC 6749 §4.1.2.1). */
const AUTHORIZATION_ERROR_CODES = new Set([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
]);

interface RedirectAnswer {
  url: string;
  statusCode: number;
}

/**
 * The authorization code flow (RFC 6749 §4.1) against Hover: `GET /hover/authorize` starts it,
 * `GET /hover/callback` finishes it. Re-prefix with `RouterModule`, or disable with
 * `mountController: false` and call the same services from your own routes.
 */
@Controller('hover')
export class HoverOAuthController {
  private readonly logger = new Logger('HoverAuth');

  constructor(
    @Inject(HOVER_AUTH_RESOLVED_OPTIONS) private readonly options: ResolvedHoverAuthOptions,
    private readonly states: AuthorizationStateStore,
    private readonly tokenEndpoint: TokenEndpointClient,
    private readonly connections: HoverConnectionRepository,
    private readonly tokens: HoverTokenManager,
    private readonly http: HttpService,
  ) {}

  /**
   * Redirects (302) the browser to Hover's authorization endpoint with `response_type=code`,
   * `client_id`, `redirect_uri`, a fresh `state` and (unless `pkce: false`) a PKCE S256
   * `code_challenge`. The pending request is stored server-side for 600 seconds and bound to this
   * browser with an HttpOnly, SameSite=Lax cookie. `?returnTo=/path` (same-origin paths only) is where
   * the browser goes after connecting; anything else falls back to `successRedirect`.
   */
  @Get('authorize')
  @Redirect()
  @Header('Cache-Control', 'no-store')
  async authorize(
    @Req() request: HoverIncomingRequest,
    @Res({ passthrough: true }) reply: unknown,
    @Query('returnTo') returnTo?: unknown,
  ): Promise<RedirectAnswer> {
    const connectionId = await resolveConnectionId(this.options, request);
    const browser = readBrowserBinding(request) ?? newBrowserBinding();
    appendSetCookie(reply, browserBindingCookie(browser, this.options));
    const codeVerifier = this.options.pkce ? randomBytes(32).toString('base64url') : null;
    const state = await this.states.create({
      connectionId,
      codeVerifier,
      browserBinding: hashBrowserBinding(browser),
      returnTo: safeReturnPath(returnTo),
    });
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
    return { url: url.toString(), statusCode: 302 };
  }

  /**
   * Hover's redirect back (RFC 6749 §4.1.2). Checks the parameters' shapes and sizes before any
   * database or network work, then `iss` (RFC 9207, when `issuer` is set), consumes `state` atomically
   * and checks it belongs to this browser, exchanges `code` (with the PKCE code verifier), reads the
   * user's profile, stores the connection and redirects to the flow's return path or `successRedirect`.
   * `error=access_denied` (the user clicked Deny) and failed exchanges redirect to `failureRedirect`
   * with `hover_error=<reason>`.
   *
   * @throws {HoverInvalidCallbackException} 400 with a stable code for anything that cannot be this
   * browser's flow; Hover is not contacted and nothing is stored
   */
  @Get('callback')
  @Redirect()
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async callback(@Query() query: Record<string, unknown>, @Req() request: HoverIncomingRequest): Promise<RedirectAnswer> {
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
    const pending = await this.states.consume(state);
    if (!pending) {
      throw new HoverInvalidCallbackException(
        'HOVER_INVALID_STATE',
        'The state parameter is unknown, expired or already used. Start again from the authorize route.',
      );
    }
    if (!browserBindingMatches(readBrowserBinding(request), pending.browserBinding)) {
      throw new HoverInvalidCallbackException(
        'HOVER_STATE_BROWSER_MISMATCH',
        'This authorization was started in another browser (or its cookie is gone). Start again from the authorize route in this browser.',
      );
    }
    if (hasError) {
      // Only the codes of RFC 6749 §4.1.2.1 pass through: the query is attacker-controlled text.
      return this.failure(AUTHORIZATION_ERROR_CODES.has(error as string) ? (error as string) : 'authorization_failed');
    }

    let tokens: HoverTokenSet;
    try {
      tokens = await this.tokenEndpoint.exchangeAuthorizationCode(code as string, pending.codeVerifier);
    } catch (failure) {
      return this.failure(this.exchangeFailureReason(failure));
    }
    let profile: HoverConnectionProfile;
    try {
      const response = await this.http.axiosRef.get(HOVER_PROFILE_PATH, {
        headers: { Authorization: `Bearer ${tokens.accessToken}` },
      });
      profile = readConnectionProfile(response.data, tokens.ownerId);
    } catch (failure) {
      this.logger.warn(`Could not read the Hover profile of connection "${pending.connectionId}" (${describeAxiosFailure(failure)}).`);
      return this.failure('hover_unavailable');
    }
    await this.connections.saveAuthorizedConnection(pending.connectionId, tokens, profile);
    this.tokens.forget(pending.connectionId);
    this.logger.log(
      `Connected "${pending.connectionId}" to Hover org ${profile.hoverOrgId ?? 'unknown'} (integrations ${profile.integrationsEnabled ? 'available' : 'unavailable'}).`,
    );
    return { url: pending.returnTo ?? this.options.successRedirect, statusCode: 302 };
  }

  private exchangeFailureReason(failure: unknown): string {
    if (failure instanceof HoverInvalidGrantException) return 'token_exchange_failed';
    if (failure instanceof HoverInvalidClientException) return 'configuration_error';
    if (failure instanceof HoverTokenEndpointUnavailableException) return 'hover_unavailable';
    if (failure instanceof HoverTokenEndpointException) {
      this.logger.warn(`Hover's token endpoint failed the authorization code exchange (${failure.code}).`);
      return 'token_exchange_failed';
    }
    throw failure;
  }

  private failure(reason: string): RedirectAnswer {
    return { url: appendQuery(this.options.failureRedirect, 'hover_error', reason), statusCode: 302 };
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
