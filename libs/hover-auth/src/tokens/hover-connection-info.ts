import type { HoverConnectionStatus } from './hover-connection-status';

/**
 * What the host app may know about a connection: everything but the tokens. Returned by
 * {@link HoverConnectionsService}; safe to render or return from an API.
 */
export interface HoverConnectionInfo {
  /** The host app's id for this connection (see `resolveConnectionId`). */
  connectionId: string;
  /**
   * `active`, or `reauthorization_required` once Hover refused the refresh token (a user of the org must
   * connect again).
   */
  status: HoverConnectionStatus;
  /**
   * False when the stored tokens no longer decrypt with the configured `encryptionKeys` (a key removed
   * too early, or tampering): API calls for it fail with `HOVER_TOKEN_DECRYPTION_FAILED` until a user
   * reconnects or the key is restored.
   */
  tokensReadable: boolean;
  /** Id of the Hover user who allowed access, or `null` if Hover's profile did not say. */
  hoverUserId: string | null;
  /** Id of the Hover org the connection acts for, or `null` if unknown. */
  hoverOrgId: string | null;
  /** Name of that org (at connect time), or `null` if unknown. */
  hoverOrgName: string | null;
  /** Whether the org's plan had third-party integrations (`feature_access.integrations`) when last read. */
  integrationsEnabled: boolean;
  /** When the current access token expires. */
  accessTokenExpiresAt: Date;
  /** When the connection was first made. */
  createdAt: Date;
  /** When the connection was last written (reconnect, refresh, status change). */
  updatedAt: Date;
}

/** A page of {@link HoverConnectionInfo}, from {@link HoverConnectionsService.list}. */
export interface HoverConnectionPage {
  items: HoverConnectionInfo[];
  /** 1-based page number. */
  page: number;
  /** Page size asked for. */
  perPage: number;
  /** Number of connections matching, over all pages. */
  total: number;
  /** `ceil(total / perPage)`, at least 1. */
  totalPages: number;
}

/** Options of {@link HoverConnectionsService.list}. */
export interface HoverConnectionListOptions {
  /** 1-based page number; integer ≥ 1. Default 1. */
  page?: number;
  /** Page size; integer 1–200. Default 50. */
  perPage?: number;
  /** Only connections with this status. Default: all. */
  status?: HoverConnectionStatus;
}
