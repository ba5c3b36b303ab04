import { HoverEmulatorFaults } from './hover-emulator-faults.interface';

/**
 * The OAuth client seeded when `seedDefaults` is on (the default). These are fake, local-only
 * credentials of the emulator, not Hover credentials.
 *
 * Shape: `{ clientId: 'hover-emulator-client', clientSecret: 'hover-emulator-secret',
 * redirectUris: ['http://localhost:3000/hover/callback', 'http://127.0.0.1:3000/hover/callback'] }`.
 */
export const DEFAULT_EMULATOR_CLIENT: { clientId: string; clientSecret: string; redirectUris: string[] } = Object.freeze({
  clientId: 'hover-emulator-client',
  clientSecret: 'hover-emulator-secret',
  redirectUris: Object.freeze(['http://localhost:3000/hover/callback', 'http://127.0.0.1:3000/hover/callback']) as string[],
});

/** Display name of `DEFAULT_EMULATOR_CLIENT` on the consent page. Internal. */
export const DEFAULT_EMULATOR_CLIENT_NAME = 'Hover Emulator Demo App';

/** Fault switches after construction and after `reset()`. Internal; see `HoverEmulatorFaults`. */
export const DEFAULT_FAULTS: Readonly<HoverEmulatorFaults> = Object.freeze({
  rotation: 'revoke-on-refresh',
  tokenErrorStatus: 'doorkeeper',
  consentWithoutIntegrations: 'block',
  omitRefreshTokenOnRefresh: false,
  tokenEndpointDelayMs: 0,
  tokenAnswerDelayMs: 0,
  tokenEndpointHang: false,
  tokenEndpointStatus: null,
  tokenEndpointResponse: null,
  pkce: 'honour',
  reportedExpiresIn: 'actual',
  apiRejectAllTokens: false,
  apiDelayMs: 0,
  apiRateLimit: null,
  apiStatus: null,
  webhookSignature: 'valid',
  webhookDeliveryDelayMs: 0,
  webhookDuplicateDeliveries: false,
});

/** Default access-token lifetime in seconds (Hover: 2 hours). Internal. */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 7200;

/** Default authorization-code lifetime in seconds (Doorkeeper: 10 minutes). Internal. */
export const DEFAULT_AUTHORIZATION_CODE_TTL_SECONDS = 600;

/**
 * Cookie that signs one browser in to the emulator as a seeded user (value: the user id), set by the
 * consent page's "Not you?" form; it wins over `setSignedInUser` for that browser. Internal.
 */
export const EMULATOR_USER_COOKIE = 'hover_emulator_user';

/** Where the consent page's "Not you?" form posts (an emulator-only route, not Hover's). Internal. */
export const EMULATOR_SIGN_IN_PATH = '/__emulator/sign-in';

/** Text shown on the consent page for an org whose plan lacks integrations (Hover's wording). */
export const INTEGRATIONS_UNAVAILABLE_MESSAGE =
  'Third-party integrations are not available on your plan. Upgrade or contact us to enable integrations.';

/**
 * Body of the 403 every `/api` endpoint but the profile answers once the token's org has no
 * `integrations` feature. Hover's real body for a plan-gated call is unknown (the reference marks it
 * [open]); this choice reuses the wording Hover shows on its consent page, under Rails' usual
 * `error` key. Internal.
 */
export const INTEGRATIONS_FORBIDDEN_BODY = Object.freeze({ error: 'forbidden', message: INTEGRATIONS_UNAVAILABLE_MESSAGE });

/**
 * How many entries `HoverEmulator.apiRequestLog()` keeps (the most recent ones): enough for a full
 * hour at Hover's 7,200 requests/hour many times over, small enough (~10 MB) for a test process.
 * Internal.
 */
export const MAX_API_REQUEST_LOG_ENTRIES = 100_000;

/**
 * Doorkeeper's English `error_description` texts (config/locales/en.yml), keyed by OAuth error code
 * (RFC 6749 §4.1.2.1 and §5.2). Internal.
 */
export const OAUTH_ERROR_DESCRIPTIONS = Object.freeze({
  invalid_request: 'The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.',
  invalid_client: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
  invalid_grant:
    'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
  unsupported_grant_type: 'The authorization grant type is not supported by the authorization server.',
  unsupported_response_type: 'The authorization server does not support this response type.',
  access_denied: 'The resource owner or authorization server denied the request.',
  invalid_redirect_uri: "The requested redirect uri is malformed or doesn't match client redirect URI.",
  server_error: 'The authorization server encountered an unexpected condition which prevented it from fulfilling the request.',
  temporarily_unavailable: 'The authorization server is temporarily unable to handle the request due to a temporary overloading or maintenance of the server.',
});

/** OAuth error codes the emulator emits. Internal. */
export type OAuthErrorCode = keyof typeof OAUTH_ERROR_DESCRIPTIONS;
