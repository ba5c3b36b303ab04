import type { HoverConnectionInfo } from '../tokens/hover-connection-info';

/** Options of {@link HoverAuthorizationFlowService.start}. */
export interface HoverAuthorizationStartOptions {
  /**
   * The connection the flow creates or replaces (1–191 characters). Default: what the
   * `resolveConnectionId` option returns for the request.
   */
  connectionId?: string;
  /**
   * Same-origin path to send the browser to after connecting, e.g. `/settings/integrations`. Absolute
   * URLs, `//host`, backslashes and control characters are ignored (RFC 9700 §4.11, open redirectors):
   * the browser then goes to `successRedirect`. Default: `successRedirect`.
   */
  returnTo?: string;
}

/**
 * The flow cookie a started flow must set on the browser's response: the flow (connection id, PKCE code
 * verifier, return path, expiry) sealed with AES-256-GCM and bound to the `state`, so the callback is
 * accepted only from the browser that carries it (RFC 9700 §4.7.1) and starting a flow stores nothing.
 */
export interface HoverBrowserBindingCookie {
  /** `hover_oauth_` + 16 characters derived from the `state`: one cookie per started flow (tabs do not collide). */
  name: string;
  /** The sealed flow (under 1 KiB). Secret: never log it (it holds the PKCE code verifier). */
  value: string;
  /** Attributes, for frameworks that set cookies from options. */
  options: {
    httpOnly: true;
    sameSite: 'lax';
    /** True unless the redirect URI is plain-http loopback (development). */
    secure: boolean;
    path: '/';
    /** Lifetime in **seconds** (600, the lifetime of a pending authorization request). Express's `res.cookie` wants milliseconds: multiply by 1000. */
    maxAgeSeconds: number;
  };
  /** The complete `Set-Cookie` header value, e.g. for `res.append('Set-Cookie', cookie.header)`. */
  header: string;
}

/** What {@link HoverAuthorizationFlowService.start} returns: where to send the browser, and the cookie to set first. */
export interface HoverAuthorizationStart {
  /** Hover's authorization endpoint with `response_type`, `client_id`, `redirect_uri`, `state` and PKCE; redirect the browser here (302). */
  authorizationUrl: string;
  /** The connection this flow will create or replace. */
  connectionId: string;
  /** The new flow's cookie, for frameworks that set cookies from name, value and options. */
  cookie: HoverBrowserBindingCookie;
  /**
   * Every `Set-Cookie` value to send on the same response as the redirect: the flow cookie
   * (`cookie.header`), preceded by deletions of this browser's oldest flow cookies when it already has 5
   * open flows (each flow cookie is sent with every request for 10 minutes; unbounded, they would
   * overflow request headers). With Express: `res.append('Set-Cookie', start.setCookie)`.
   */
  setCookie: string[];
}

/**
 * Why a flow did not connect, as appended to `failureRedirect` (`hover_error=<reason>`):
 * `access_denied` (the user clicked Deny) or another RFC 6749 §4.1.2.1 code Hover sent,
 * `authorization_failed` (an unrecognized error code), `token_exchange_failed` (Hover refused the
 * authorization code), `hover_unavailable` (token endpoint or profile unreachable),
 * `configuration_error` (Hover refused the client credentials), `different_org` (a reconnect authorized
 * another Hover org than the stored one and `reconnectToDifferentOrg` is `'refuse'`).
 */
export type HoverAuthorizationFailureReason =
  | 'access_denied'
  | 'invalid_request'
  | 'unauthorized_client'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'authorization_failed'
  | 'token_exchange_failed'
  | 'hover_unavailable'
  | 'configuration_error'
  | 'different_org';

/** What {@link HoverAuthorizationFlowService.complete} returns. Redirect the browser to `redirectUrl` (302) in both cases. */
export type HoverAuthorizationResult =
  | {
      outcome: 'connected';
      connectionId: string;
      /** The flow's `returnTo`, else `successRedirect`. */
      redirectUrl: string;
      /** The stored connection, without tokens. */
      connection: HoverConnectionInfo;
      /**
       * The Hover org id this connection had before, when this reconnect replaced it with a different
       * org (`reconnectToDifferentOrg: 'accept'`; `redirectUrl` then carries
       * `hover_notice=reconnected_to_different_org`); else `null`.
       */
      previousHoverOrgId: string | null;
      /** A `Set-Cookie` value that deletes the used flow cookie; set it on the redirect (optional: it expires in 10 minutes anyway). */
      clearCookie: string;
    }
  | {
      outcome: 'failed';
      connectionId: string;
      /** `failureRedirect` with `hover_error=<reason>` appended. */
      redirectUrl: string;
      reason: HoverAuthorizationFailureReason;
      /** A `Set-Cookie` value that deletes the used flow cookie. */
      clearCookie: string;
    };
