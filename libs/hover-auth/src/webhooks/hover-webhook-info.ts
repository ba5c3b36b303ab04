/** A stored webhook (one per org and URL), as {@link HoverWebhooksService} returns it. Never carries the `hmac_secret`. */
export interface HoverWebhookInfo {
  /** Hover's webhook id, as text. */
  webhookId: string;
  /** The connection whose token manages it (any connection of the org can take it over). */
  connectionId: string;
  /** The Hover org whose events it receives, or `null` when unknown. */
  hoverOrgId: string | null;
  url: string;
  /** When Hover confirmed the verification code; `null` while it waits for it (it receives no events yet). */
  verifiedAt: Date | null;
  createdAt: Date;
}

/**
 * One webhook as Hover lists it (`GET /api/v2/webhooks`), with the `hmac_secret` removed: hover-auth
 * keeps the secret encrypted and never hands it out.
 */
export interface HoverApiWebhook {
  id: number;
  owner_type?: string;
  owner_id?: number | string;
  url: string;
  content_type?: string;
  /** ISO 8601 time, or `null` until verified. */
  verified_at: string | null;
  created_at?: string;
  updated_at?: string;
  last_error?: string | null;
  [field: string]: unknown;
}

/** A page of `GET /api/v2/webhooks` (paginated like `/api/v2/jobs`). */
export interface HoverWebhooksPage {
  pagination: { current_page: number; total_pages: number; total: number };
  results: HoverApiWebhook[];
}
