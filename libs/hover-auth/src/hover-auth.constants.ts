/** DI token of the validated, defaults-merged options (internal: inject with `@InjectHoverAuthOptions()`). */
export const HOVER_AUTH_RESOLVED_OPTIONS = Symbol('HOVER_AUTH_RESOLVED_OPTIONS');

/** Internal DI tokens of the TypeORM repositories, bound to the host's (possibly named) DataSource. */
export const HOVER_CONNECTION_ENTITY_REPOSITORY = Symbol('HOVER_CONNECTION_ENTITY_REPOSITORY');
export const HOVER_AUTHORIZATION_STATE_ENTITY_REPOSITORY = Symbol('HOVER_AUTHORIZATION_STATE_ENTITY_REPOSITORY');
export const HOVER_WEBHOOK_ENTITY_REPOSITORY = Symbol('HOVER_WEBHOOK_ENTITY_REPOSITORY');
export const HOVER_WEBHOOK_DELIVERY_ENTITY_REPOSITORY = Symbol('HOVER_WEBHOOK_DELIVERY_ENTITY_REPOSITORY');

/** Hover's production origin (developers.hover.to, "OAuth 2.0 Authentication"). */
export const DEFAULT_HOVER_BASE_URL = 'https://hover.to';

/** Connection id used when the host app does not resolve one per request. */
export const DEFAULT_CONNECTION_ID = 'default';

/**
 * Lifetime of a pending authorization request (`state`), in seconds. Matches the 10-minute lifetime
 * of Hover's (Doorkeeper's) authorization codes: a flow older than that cannot succeed anyway.
 */
export const AUTHORIZATION_STATE_TTL_SECONDS = 600;

/**
 * Access-token lifetime assumed when the token endpoint omits `expires_in`, in seconds
 * (Hover documents 2 hours: developers.hover.to, "Generate access token").
 */
export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 7200;

/**
 * Lifetime of one refresh request to the token endpoint, in milliseconds: Hover ends every request by
 * 60 seconds (developers.hover.to, "Rate limits"), plus 5 s of slack. Deliberately separate from the
 * callers' deadline (`httpTimeoutMs`): when a refresh answer comes late, Hover has already rotated the
 * refresh token, so the request keeps waiting and the answer is stored even after every caller gave up.
 */
export const REFRESH_REQUEST_TIMEOUT_MS = 65_000;

/** Hover API path that returns the current user and their orgs (developers.hover.to, "Show user profile"). */
export const HOVER_PROFILE_PATH = '/v2/users/profile';
