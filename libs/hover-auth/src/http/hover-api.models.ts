/**
 * Shapes of the Hover API answers hover-auth reads or pages through (developers.hover.to, "Show user
 * profile", "List jobs"; fields as the emulator serves them). Hover may add fields: every model keeps
 * an index signature, and optional fields are optional because Hover does not promise them.
 */

/** An org in the user's profile. */
export interface HoverOrg {
  id: number;
  name: string;
  /** The org's plan, e.g. `{ name: 'Pro', tier: 'pro' }`. */
  plan?: { name?: string; tier?: string; [field: string]: unknown };
  /** Features the org has, as keys (`integrations` among them when third-party integrations are on). */
  feature_access?: Record<string, unknown>;
  [field: string]: unknown;
}

/** `GET /api/v2/users/profile`: the user the access token acts for, and their orgs. */
export interface HoverUserProfile {
  id: number;
  email?: string;
  first_name?: string;
  last_name?: string;
  orgs: HoverOrg[];
  [field: string]: unknown;
}

/** A job's address. */
export interface HoverJobLocation {
  line_1?: string;
  line_2?: string | null;
  city?: string;
  region?: string;
  postal_code?: string;
  [field: string]: unknown;
}

/** A Hover job (a house being captured and modelled). */
export interface HoverJob {
  id: number;
  name: string;
  /** Your own id for the job, if you gave one. */
  external_identifier?: string | null;
  /** e.g. `uploading`, `processing`, `complete`, `failed`, `cancelled`. */
  state?: string;
  /** ISO 8601 date-time. */
  created_at?: string;
  location?: HoverJobLocation;
  [field: string]: unknown;
}

/** A page of `GET /api/v2/jobs?page=&per_page=`. */
export interface HoverJobsPageV2 {
  pagination: { current_page: number; total_pages: number; total: number };
  results: HoverJob[];
}

/** A page of `GET /api/v3/jobs?page=&per=`: `next_page` is `null` on the last page. */
export interface HoverJobsPageV3 {
  pagination: { current_page: number; next_page: number | null; total: number };
  results: HoverJob[];
}

/** Options of the job iterators of {@link HoverHttpClient}. */
export interface HoverJobPagingOptions {
  /** Jobs per page, integer 1–100 (Hover's maximum). Default 50. */
  perPage?: number;
  /** First page to read, integer ≥ 1. Default 1. */
  startPage?: number;
  /** More query parameters for every page (filters Hover supports). */
  params?: Record<string, string | number | boolean>;
  /** Stops the iteration (between pages) when aborted. */
  signal?: AbortSignal;
}
