import { OAUTH_ERROR_DESCRIPTIONS } from '../hover-emulator.constants';
import { EmulatorContext } from '../emulator-context.interface';
import { ClientRecord } from '../store/emulator-records.interface';

/** A request Doorkeeper would accept: client and redirect URI verified, response type `code`. */
export interface ValidAuthorizationRequest {
  kind: 'valid';
  client: ClientRecord;
  redirectUri: string;
  state: string | undefined;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
}

/** The client or redirect URI cannot be trusted: render an error page, never redirect. */
export interface UntrustedAuthorizationRequest {
  kind: 'error-page';
  status: 400 | 401;
  error: 'invalid_client' | 'invalid_redirect_uri';
  description: string;
}

/** Trusted client and redirect URI but an invalid request: redirect back with `error=` (RFC 6749 §4.1.2.1). */
export interface RejectedAuthorizationRequest {
  kind: 'redirect-error';
  location: string;
}

/** Outcome of `validateAuthorizationRequest`. */
export type AuthorizationRequestCheck = ValidAuthorizationRequest | UntrustedAuthorizationRequest | RejectedAuthorizationRequest;

/**
 * Validates `/oauth/authorize` parameters in Doorkeeper's order: client, redirect URI (exact match
 * against the registered list), then `response_type`, then PKCE parameters (RFC 7636 §4.3).
 * @param params query (GET) or form (POST) parameters
 */
export function validateAuthorizationRequest(ctx: EmulatorContext, params: Record<string, string | undefined>): AuthorizationRequestCheck {
  const client = params.client_id ? ctx.store.findClient(params.client_id) : undefined;
  if (!client) {
    return { kind: 'error-page', status: 401, error: 'invalid_client', description: OAUTH_ERROR_DESCRIPTIONS.invalid_client };
  }
  const redirectUri = params.redirect_uri;
  if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
    return { kind: 'error-page', status: 400, error: 'invalid_redirect_uri', description: OAUTH_ERROR_DESCRIPTIONS.invalid_redirect_uri };
  }
  const state = params.state ? params.state : undefined;
  if (params.response_type !== 'code') {
    return {
      kind: 'redirect-error',
      location: redirectWith(redirectUri, {
        error: 'unsupported_response_type',
        error_description: OAUTH_ERROR_DESCRIPTIONS.unsupported_response_type,
        state,
      }),
    };
  }

  let codeChallenge: string | null = null;
  let codeChallengeMethod: 'S256' | 'plain' | null = null;
  if (ctx.faults().pkce === 'honour' && params.code_challenge) {
    const method = params.code_challenge_method || 'plain'; // RFC 7636 §4.3: defaults to plain
    if (method !== 'S256' && method !== 'plain') {
      return {
        kind: 'redirect-error',
        location: redirectWith(redirectUri, {
          error: 'invalid_request',
          error_description: 'The code challenge method must be plain or S256.',
          state,
        }),
      };
    }
    codeChallenge = params.code_challenge;
    codeChallengeMethod = method;
  }
  return { kind: 'valid', client, redirectUri, state, codeChallenge, codeChallengeMethod };
}

/**
 * Appends parameters to a redirect URI, keeping its own query (RFC 6749 §3.1.2); `undefined`
 * values are left out.
 */
export function redirectWith(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}
