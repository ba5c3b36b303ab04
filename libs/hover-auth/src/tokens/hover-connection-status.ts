/**
 * Lifecycle status of a stored Hover connection.
 * - `active`: tokens are usable (the access token may need a refresh).
 * - `reauthorization_required`: the refresh token was rejected (`invalid_grant`, RFC 6749 §5.2); a user
 *   of the org must go through the authorize route again.
 */
export type HoverConnectionStatus = 'active' | 'reauthorization_required';
