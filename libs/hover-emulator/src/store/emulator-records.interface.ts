import type { HoverEmulatorJobState } from '../hover-emulator-job-state';

/**
 * Row shapes held by `EmulatorStore`. Internal to the emulator (not exported from the index); the
 * seeding methods of `HoverEmulator` accept structurally identical object literals.
 * Times are epoch MILLISECONDS unless a field name says otherwise.
 */

/** A registered OAuth client (Doorkeeper "application"). */
export interface ClientRecord {
  clientId: string;
  clientSecret: string;
  /** Exact-match list; Doorkeeper compares redirect URIs as strings. */
  redirectUris: string[];
  /** Shown on the consent page; defaults to `clientId`. */
  name: string;
}

/** A Hover organization. */
export interface OrgRecord {
  id: number;
  name: string;
  /** Whether the plan includes third-party integrations (`feature_access.integrations`). */
  integrations: boolean;
  planName: string;
}

/** A Hover user; belongs to exactly one org in the emulator. */
export interface UserRecord {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  orgId: number;
}

/** A job as served by `/api/v2/jobs` and `/api/v3/jobs` (Hover's snake_case wire shape). */
export interface JobRecord {
  id: number;
  name: string;
  external_identifier: string;
  /** Seeded jobs cycle through a few of these; `HoverEmulator.setJobState` sets any of them. */
  state: HoverEmulatorJobState;
  /** ISO-8601 UTC timestamp. */
  created_at: string;
  location: { line_1: string; city: string; region: string; postal_code: string };
}

/** An authorization code issued by the consent page (Doorkeeper "access grant"). */
export interface AuthorizationCodeRecord {
  code: string;
  clientId: string;
  redirectUri: string;
  userId: number;
  orgId: number;
  /** RFC 7636 challenge, or `null` when none was sent (or PKCE is ignored). */
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  expiresAt: number;
  /** Set when exchanged; a used code is never accepted again. */
  usedAt: number | null;
}

/**
 * One issued token pair (Doorkeeper "access token" row: access and refresh token share a row, so
 * revoking the row kills both).
 */
export interface TokenRecord {
  accessToken: string;
  /** `null` only when the row was created by a refresh with `omitRefreshTokenOnRefresh`. */
  refreshToken: string | null;
  clientId: string;
  userId: number;
  orgId: number;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /**
   * Rotation mode (b): refresh token of the row this one replaced; that row is revoked when this
   * access token is first used at the API, then the field is cleared.
   */
  previousRefreshToken: string | null;
}

/**
 * A webhook registered with `POST /api/v2/webhooks` (Hover's `Webhook`, owned by an org). Mutable in
 * place: verification and delivery failures update the row.
 */
export interface WebhookRecord {
  id: number;
  orgId: number;
  url: string;
  /** Always `'json'`: the only content type Hover documents. */
  contentType: 'json';
  /** 64 random bytes, base64 (88 characters, like Hover's examples); the HMAC key is this STRING. */
  hmacSecret: string;
  /** The UUID sent in the `webhook-verification-code` event; `PUT /api/v2/webhooks/{code}/verify` names it. */
  verificationCode: string;
  createdAt: number;
  updatedAt: number;
  /** `null` until verified; only verified webhooks receive events. */
  verifiedAt: number | null;
  /** What the last failed delivery got (`"HTTP 500"`, `"fetch failed: ECONNREFUSED"`), else `null`. */
  lastError: string | null;
}
