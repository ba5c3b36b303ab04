/**
 * A validated token endpoint response (RFC 6749 §5.1, Hover "Generate access token"), with the expiry
 * made absolute at the moment the response was received.
 */
export interface HoverTokenSet {
  accessToken: string;
  /** `null` when the response carried none (the stored refresh token is then kept). */
  refreshToken: string | null;
  /** Receipt time + `expires_in`, in epoch milliseconds. */
  accessTokenExpiresAt: number;
  scope: string | null;
  /** `owner_id` as a string (Hover sends a number), or `null` if absent. */
  ownerId: string | null;
  /** `owner_type` (`orgs` for an organization-level token), or `null` if absent. */
  ownerType: string | null;
}
