import { HoverAuthInit1764460800000 } from './1764460800000-hover-auth-init';
import { HoverAuthRefreshLease1764547200000 } from './1764547200000-hover-auth-refresh-lease';
import { HoverAuthAuthorizationRequest1764633600000 } from './1764633600000-hover-auth-authorization-request';
import { HoverAuthOrgName1764720000000 } from './1764720000000-hover-auth-org-name';
import { HoverAuthAccessTokenIssuedAt1764806400000 } from './1764806400000-hover-auth-access-token-issued-at';
import { HoverAuthWebhooks1764892800000 } from './1764892800000-hover-auth-webhooks';

/**
 * Migrations that create and evolve the hover-auth tables, oldest first. Spread them into the host's
 * DataSource: `migrations: [...hoverAuthMigrations, ...yours]`. They run on SQLite (better-sqlite3),
 * PostgreSQL and MySQL/MariaDB.
 */
export const hoverAuthMigrations = [
  HoverAuthInit1764460800000,
  HoverAuthRefreshLease1764547200000,
  HoverAuthAuthorizationRequest1764633600000,
  HoverAuthOrgName1764720000000,
  HoverAuthAccessTokenIssuedAt1764806400000,
  HoverAuthWebhooks1764892800000,
];
