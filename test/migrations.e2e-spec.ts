/**
 * The shipped migrations on every supported database server, followed by the repository's token
 * writes (compare-and-swap on `version`, bigint timestamps) on the migrated schema. SQLite always;
 * PostgreSQL and MariaDB on 127.0.0.1 unless HOVER_E2E_DATABASES leaves them out.
 */
import { hoverAuthEntities, hoverAuthMigrations } from '@hover-auth/nestjs';
import { HoverConnection, HoverConnectionRepository } from '../libs/hover-auth/src/testing/internals';
import { TokenCipher } from '../libs/hover-auth/src/tokens/token-cipher';
import { HoverWebhook } from '../libs/hover-auth/src/tokens/hover-webhook.entity';
import { HoverWebhookDeliveryRecord } from '../libs/hover-auth/src/tokens/hover-webhook-delivery.entity';
import { HoverWebhookRepository } from '../libs/hover-auth/src/tokens/hover-webhook.repository';
import { DataSource } from 'typeorm';
import { E2E_ENCRYPTION_KEYS } from './support/test-keys';
import { createTestDatabase, e2eDatabaseKinds, type TestDatabase } from './support/test-databases';

const cipher = new TokenCipher(E2E_ENCRYPTION_KEYS.map((entry) => ({ id: entry.id, key: Buffer.from(entry.key, 'base64') })));

describe.each(e2eDatabaseKinds(['sqlite', 'postgres', 'mariadb'] as const))('hover-auth migrations on %s', (kind) => {
  let dataSource: DataSource;
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = new DataSource({ ...database.options, entities: [...hoverAuthEntities], migrations: [...hoverAuthMigrations] });
    await dataSource.initialize();
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  it('creates the tables, and the repository writes tokens with compare-and-swap', async () => {
    const applied = await dataSource.runMigrations();
    expect(applied.map((migration) => migration.name)).toEqual(hoverAuthMigrations.map((migration) => migration.name));
    expect(applied).toHaveLength(6);
    // The entities match the migrated schema: no pending schema change.
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);

    const repository = new HoverConnectionRepository(dataSource.getRepository(HoverConnection), cipher);
    const expiresAt = Date.UTC(2030, 0, 1);
    const saved = await repository.saveAuthorizedConnection(
      'acct-1',
      { accessToken: 'access-1', refreshToken: 'refresh-1', accessTokenIssuedAt: expiresAt - 7_200_000, accessTokenExpiresAt: expiresAt, scope: 'all', ownerId: '785', ownerType: 'orgs' },
      { hoverUserId: '12', hoverOrgId: '785', hoverOrgName: 'Acme Roofing', integrationsEnabled: true },
    );
    expect(saved.version).toBe(1);

    const row = (await repository.findById('acct-1')) as HoverConnection;
    expect(row).toMatchObject({ accessTokenExpiresAt: expiresAt, integrationsEnabled: true, status: 'active', version: 1 });
    expect(typeof row.createdAt).toBe('number');

    const rotated = await repository.replaceTokens(row, {
      accessToken: 'access-2', refreshToken: null, accessTokenIssuedAt: expiresAt, accessTokenExpiresAt: expiresAt + 1000, scope: null, ownerId: null, ownerType: null,
    });
    expect(rotated?.version).toBe(2);
    const stale = await repository.replaceTokens(row, {
      accessToken: 'access-stale', refreshToken: 'refresh-stale', accessTokenIssuedAt: expiresAt, accessTokenExpiresAt: expiresAt, scope: null, ownerId: null, ownerType: null,
    });
    expect(stale).toBeNull();
    expect(await repository.findById('acct-1')).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-1', version: 2 });
  });

  it('takes the refresh lease atomically: one owner at a time, and a lapsed lease can be taken over', async () => {
    const repository = new HoverConnectionRepository(dataSource.getRepository(HoverConnection), cipher);
    const owners = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const won = await Promise.all(owners.map((owner) => repository.acquireRefreshLease('acct-1', owner, 60_000)));
    expect(won.filter(Boolean)).toHaveLength(1);
    const holder = owners[won.indexOf(true)];
    expect(await repository.releaseRefreshLease('acct-1', 'not-the-holder')).toBe(false);
    expect(await repository.acquireRefreshLease('acct-1', 'late', 60_000)).toBe(false);
    expect(await repository.releaseRefreshLease('acct-1', holder)).toBe(true);
    expect(await repository.acquireRefreshLease('acct-1', 'short', 1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await repository.acquireRefreshLease('acct-1', 'takeover', 60_000)).toBe(true);
    expect(await repository.findById('acct-1')).toMatchObject({ refreshLockOwner: 'takeover' });
  });

  it('stores webhooks (secret encrypted, bound to its row), claims each delivery once, prunes, re-encrypts and deletes', async () => {
    const webhooks = (keys: TokenCipher) => new HoverWebhookRepository(dataSource.getRepository(HoverWebhook), dataSource.getRepository(HoverWebhookDeliveryRecord), keys);
    const repository = webhooks(cipher);
    const secret = 'A'.repeat(86) + '==';
    await repository.insert({ webhookId: '41', connectionId: 'acct-1', hoverOrgId: '785', url: `https://app.example.com/${'p'.repeat(1900)}`, hmacSecret: secret, verifiedAt: null });
    const row = (await repository.findById('41')) as HoverWebhook;
    expect(row).toMatchObject({ connectionId: 'acct-1', hoverOrgId: '785', verifiedAt: null });
    expect(row.url).toHaveLength(1924);
    expect(row.hmacSecret).toMatch(/^hvr1\./);
    expect(repository.secretOf(row)).toBe(secret);
    // Copied into another webhook's row, the ciphertext does not decrypt.
    expect(() => repository.secretOf({ ...row, webhookId: '42' })).toThrow();

    expect(await repository.markVerified('41', 1_000)).toBe(true);
    expect(await repository.markVerified('41', 2_000)).toBe(false);
    expect((await repository.findById('41'))?.verifiedAt).toBe(1_000);

    const delivery = { deliveryKey: 'd'.repeat(64), webhookId: '41', event: 'job-state-changed', receivedAt: 5_000 };
    const claims = await Promise.all([1, 2, 3, 4].map(() => repository.claimDelivery(delivery)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await repository.claimDelivery({ ...delivery, deliveryKey: 'e'.repeat(64), receivedAt: 9_000 });
    expect(await repository.pruneDeliveries(6_000)).toBe(1);
    expect(await repository.claimDelivery({ ...delivery, deliveryKey: 'e'.repeat(64) })).toBe(false);

    const rotated = new TokenCipher([{ id: 'rotated', key: Buffer.alloc(32, 7) }, ...E2E_ENCRYPTION_KEYS.map((entry) => ({ id: entry.id, key: Buffer.from(entry.key, 'base64') }))]);
    expect(await webhooks(rotated).reencryptAll()).toEqual({ rows: 1, reencrypted: 1, failed: [] });
    const reencrypted = (await repository.findById('41')) as HoverWebhook;
    expect(TokenCipher.keyIdOf(reencrypted.hmacSecret)).toBe('rotated');
    expect(webhooks(rotated).secretOf(reencrypted)).toBe(secret);

    expect(await repository.delete('41')).toBe(true);
    expect(await repository.findByConnection('acct-1')).toEqual([]);
  });

  it('reverts cleanly', async () => {
    for (let i = 0; i < hoverAuthMigrations.length; i++) await dataSource.undoLastMigration();
    const tables = await dataSource.createQueryRunner().getTables(['hover_connections', 'hover_authorization_states', 'hover_webhooks', 'hover_webhook_deliveries']);
    expect(tables).toEqual([]);
  });
});
