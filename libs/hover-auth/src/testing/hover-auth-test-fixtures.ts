/**
 * Shared fixtures of the hover-auth unit specs. Not exported from `index.ts`: test-only.
 */
import type { Provider } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { resolveHoverAuthOptions } from '../config/resolve-hover-auth-options';
import { HOVER_AUTH_RESOLVED_OPTIONS, HOVER_CONNECTION_ENTITY_REPOSITORY } from '../hover-auth.constants';
import type { HoverAuthModuleOptions } from '../hover-auth-options.interface';
import { TokenEndpointClient } from '../token-endpoint/token-endpoint.client';
import type { HoverConnection } from '../tokens/hover-connection.entity';
import { HoverConnectionRepository } from '../tokens/hover-connection.repository';
import { HoverTokenManager } from '../tokens/hover-token-manager.service';
import { HoverEventPublisher } from '../events/hover-event-publisher';
import { HoverWebhookRepository } from '../tokens/hover-webhook.repository';
import { TokenCipher } from '../tokens/token-cipher';
import { DataSource } from 'typeorm';
import type { HoverTokenSet } from '../token-endpoint/hover-token-set';
import { hoverAuthEntities } from '../tokens';
import type { HoverConnectionProfile } from '../tokens/hover-connection.repository';
import { hoverAuthMigrations } from '../tokens/migrations';

/**
 * A fresh in-memory better-sqlite3 DataSource with the hover-auth migrations applied (never
 * `synchronize`: the specs run the same schema the host runs). The caller must `destroy()` it.
 */
export async function createMigratedDataSource(): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: ':memory:',
    entities: [...hoverAuthEntities],
    migrations: [...hoverAuthMigrations],
    migrationsRun: false,
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  return dataSource;
}

/**
 * A token set as the token endpoint client returns it: a Hover access token (7200 s lifetime) with
 * `expiresInSeconds` left from now, so it was received `7200 - expiresInSeconds` seconds ago.
 */
export function tokenSet(
  overrides: Partial<HoverTokenSet> & { expiresInSeconds?: number } = {},
): HoverTokenSet {
  const { expiresInSeconds = 7200, ...rest } = overrides;
  const expiresAt = Date.now() + expiresInSeconds * 1000;
  return {
    accessToken: 'access-token-1',
    refreshToken: 'refresh-token-1',
    accessTokenIssuedAt: expiresAt - 7200 * 1000,
    accessTokenExpiresAt: expiresAt,
    scope: 'all',
    ownerId: '785',
    ownerType: 'orgs',
    ...rest,
  };
}

/** The profile the callback would have read for org 785. */
export function connectionProfile(overrides: Partial<HoverConnectionProfile> = {}): HoverConnectionProfile {
  return { hoverUserId: '42', hoverOrgId: '785', hoverOrgName: 'Acme Roofing', integrationsEnabled: true, ...overrides };
}

/** A fixed test key for `encryptionKeys` (never a real one). */
export const TEST_ENCRYPTION_KEYS = [{ id: 'test-key', key: Buffer.alloc(32, 7).toString('base64') }];

const TEST_KEYS_DECODED = TEST_ENCRYPTION_KEYS.map((entry) => ({ id: entry.id, key: Buffer.from(entry.key, 'base64') }));

/** The cipher the repository specs construct {@link HoverConnectionRepository} with. */
export function testCipher(): TokenCipher {
  return new TokenCipher(TEST_KEYS_DECODED);
}

/** After a key rotation: `next-key` encrypts, the test key still decrypts. */
export function rotatedTestCipher(): TokenCipher {
  return new TokenCipher([{ id: 'next-key', key: Buffer.alloc(32, 8) }, ...TEST_KEYS_DECODED]);
}

/**
 * Providers of the token stack over `rows` (a migrated DataSource's repository): the token manager and
 * repository with the test cipher, resolved options for a test client (`overrides` merged), and a
 * mocked token endpoint client (`{ refresh: jest.fn() }`). Add the service under test to `providers`.
 */
export function tokenStackProviders(
  rows: Repository<HoverConnection>,
  overrides: Partial<HoverAuthModuleOptions> = {},
): Provider[] {
  return [
    HoverTokenManager,
    HoverConnectionRepository,
    {
      provide: HOVER_AUTH_RESOLVED_OPTIONS,
      useValue: resolveHoverAuthOptions({
        clientId: 'client-abc',
        clientSecret: 'secret-abc',
        redirectUri: 'http://localhost:3000/hover/callback',
        encryptionKeys: TEST_ENCRYPTION_KEYS,
        ...overrides,
      }),
    },
    { provide: HOVER_CONNECTION_ENTITY_REPOSITORY, useValue: rows },
    { provide: TokenCipher, useValue: testCipher() },
    { provide: TokenEndpointClient, useValue: { refresh: jest.fn() } },
    HoverEventPublisher,
    // No webhook table in these specs: no webhook secret to re-encrypt.
    { provide: HoverWebhookRepository, useValue: { reencryptAll: async () => ({ rows: 0, reencrypted: 0, failed: [] }) } },
  ];
}
