/**
 * A validated token endpoint response (RFC 6749 §5.1, Hover "Generate access token"), with the expiry
 * made absolute at the moment the response was received.
 */
export interface HoverTokenSet {
  accessToken: string;
  /** `null` when the response carried none (the stored refresh token is then kept). */
  refreshToken: string | null;
  /** When the response was received, epoch milliseconds. */
  accessTokenIssuedAt: number;
  /**
   * `accessTokenIssuedAt` + `expires_in`, epoch milliseconds; always finite. When `expires_in` was
   * absent, malformed or out of range, a conservative lifetime was assumed (see `readTokenResponse`).
   */
  accessTokenExpiresAt: number;
  /** At most 255 characters (the column's size), else `null`. */
  scope: string | null;
  /** `owner_id` as a string (Hover sends a number), at most 64 characters, or `null`. */
  ownerId: string | null;
  /** `owner_type` (`orgs` for an organization-level token), at most 32 characters, or `null`. */
  ownerType: string | null;
}
