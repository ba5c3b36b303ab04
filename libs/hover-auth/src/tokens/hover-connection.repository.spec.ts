import { TokenCipher } from './token-cipher';
import type { DataSource, Repository } from 'typeorm';
import { connectionProfile, createMigratedDataSource, tokenSet, rotatedTestCipher, testCipher } from '../testing/hover-auth-test-fixtures';
import { HoverConnection } from './hover-connection.entity';
import { HoverConnectionRepository } from './hover-connection.repository';

const T0 = 1_764_460_800_000;

describe('HoverConnectionRepository (better-sqlite3, migrated schema)', () => {
  let dataSource: DataSource;
  let entities: Repository<HoverConnection>;
  let connections: HoverConnectionRepository;
  let now: number;

  beforeEach(async () => {
    dataSource = await createMigratedDataSource();
    entities = dataSource.getRepository(HoverConnection);
    connections = new HoverConnectionRepository(entities, testCipher());
    now = T0;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await dataSource.destroy();
  });

  /** The row as stored, read around the repository under test, its tokens decrypted with the test key. */
  async function storedRow(connectionId = 'tenant-1'): Promise<HoverConnection | null> {
    const row = await entities.findOneBy({ connectionId });
    if (!row) return null;
    const cipher = testCipher();
    return Object.assign(row, {
      accessToken: cipher.decrypt(row.accessToken, { connectionId, column: 'access_token' }),
      refreshToken: row.refreshToken && cipher.decrypt(row.refreshToken, { connectionId, column: 'refresh_token' }),
    });
  }

  async function seed(connectionId = 'tenant-1'): Promise<HoverConnection> {
    return connections.saveAuthorizedConnection(
      connectionId,
      tokenSet({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresInSeconds: 7200 }),
      connectionProfile(),
    );
  }

  it('findById returns null for an unknown connection', async () => {
    expect(await connections.findById('nobody')).toBeNull();
  });

  describe('encryption at rest', () => {
    it('stores only ciphertext bound to the row, and returns plaintext', async () => {
      await seed();
      const raw = (await entities.findOneBy({ connectionId: 'tenant-1' })) as HoverConnection;
      expect(raw.accessToken).toMatch(/^hvr1\.test-key\./);
      expect(raw.refreshToken).toMatch(/^hvr1\.test-key\./);
      expect(raw.accessToken).not.toContain('access-1');
      expect((await connections.findById('tenant-1'))?.accessToken).toBe('access-1');
    });

    it('a ciphertext copied from another row fails to decrypt with a typed error; nothing is changed', async () => {
      await seed('tenant-1');
      await seed('tenant-2');
      const donor = (await entities.findOneBy({ connectionId: 'tenant-2' })) as HoverConnection;
      await entities.update({ connectionId: 'tenant-1' }, { accessToken: donor.accessToken });
      await expect(connections.findById('tenant-1')).rejects.toMatchObject({ code: 'HOVER_TOKEN_DECRYPTION_FAILED', connectionId: 'tenant-1' });
      expect((await connections.findById('tenant-2'))?.accessToken).toBe('access-1');
    });

    it('reencryptAll never rewrites a row while a refresh holds its lease, and reports undecryptable rows without stopping', async () => {
      await seed('tenant-1');
      await seed('tenant-2');
      await seed('tenant-3');
      await entities.update({ connectionId: 'tenant-1' }, { accessToken: 'hvr1.test-key.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA' });
      expect(await connections.acquireRefreshLease('tenant-2', 'a-refresh-in-flight', 60_000)).toBe(true);
      const rotated = new HoverConnectionRepository(
        entities,
        rotatedTestCipher(),
      );
      const pending = rotated.reencryptAll();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The "refresh" finishes and releases its lease: only then is tenant-2 rewritten.
      expect(TokenCipher.keyIdOf((await entities.findOneByOrFail({ connectionId: 'tenant-2' })).accessToken)).toBe('test-key');
      await connections.releaseRefreshLease('tenant-2', 'a-refresh-in-flight');
      expect(await pending).toEqual({ rows: 3, reencrypted: 2, failed: ['tenant-1'], skipped: [] });
      const raw = await entities.find({ order: { connectionId: 'ASC' } });
      expect(raw.map((row) => TokenCipher.keyIdOf(row.accessToken))).toEqual(['test-key', 'next-key', 'next-key']);
      expect(raw.every((row) => row.refreshLockOwner === null)).toBe(true);
    });

    it('reencryptAll moves every row (and legacy plaintext) to the newest key, compare-and-swap on version', async () => {
      await seed('tenant-1');
      await seed('tenant-2');
      await entities.update({ connectionId: 'tenant-2' }, { accessToken: 'legacy-plain', refreshToken: 'legacy-refresh' });
      const rotated = new HoverConnectionRepository(
        entities,
        rotatedTestCipher(),
      );
      expect(await rotated.reencryptAll()).toEqual({ rows: 2, reencrypted: 2, failed: [], skipped: [] });
      expect(await rotated.reencryptAll()).toEqual({ rows: 2, reencrypted: 0, failed: [], skipped: [] });
      const raw = await entities.find({ order: { connectionId: 'ASC' } });
      expect(raw.map((row) => TokenCipher.keyIdOf(row.accessToken))).toEqual(['next-key', 'next-key']);
      expect(raw.map((row) => row.version)).toEqual([2, 2]);
      expect((await rotated.findById('tenant-1'))?.accessToken).toBe('access-1');
      expect(await rotated.findById('tenant-2')).toMatchObject({ accessToken: 'legacy-plain', refreshToken: 'legacy-refresh' });
    });
  });

  it('saves 50 different connections concurrently on one better-sqlite3 connection (no nested transaction)', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `concurrent-${i}`);
    await Promise.all(ids.map((id) => connections.saveAuthorizedConnection(id, tokenSet({ accessToken: `a-${id}` }), connectionProfile())));
    expect(await entities.count()).toBe(50);
    expect((await connections.findById('concurrent-7'))?.accessToken).toBe('a-concurrent-7');
  });

  it('saves the same new connection twice concurrently: one row at version 2, no error', async () => {
    await Promise.all([
      connections.saveAuthorizedConnection('race', tokenSet({ accessToken: 'first' }), connectionProfile()),
      connections.saveAuthorizedConnection('race', tokenSet({ accessToken: 'second' }), connectionProfile()),
    ]);
    expect(await entities.countBy({ connectionId: 'race' })).toBe(1);
    expect((await connections.findById('race'))?.version).toBe(2);
  });

  describe('saveAuthorizedConnection', () => {
    it('inserts an active connection at version 1 with every field', async () => {
      const saved = await seed();
      const expected = {
        connectionId: 'tenant-1',
        ownerId: '785',
        ownerType: 'orgs',
        hoverUserId: '42',
        hoverOrgId: '785',
        hoverOrgName: 'Acme Roofing',
        integrationsEnabled: true,
        accessToken: 'access-1',
        refreshToken: 'refresh-1',
        accessTokenIssuedAt: T0,
        accessTokenExpiresAt: T0 + 7_200_000,
        scope: 'all',
        status: 'active',
        refreshLockOwner: null,
        refreshLockExpiresAt: null,
        version: 1,
        createdAt: T0,
        updatedAt: T0,
      };
      expect({ ...saved }).toEqual(expected);
      expect({ ...(await connections.findById('tenant-1')) }).toEqual(expected);
    });

    it('stores integrationsEnabled false as false', async () => {
      await connections.saveAuthorizedConnection('tenant-1', tokenSet(), connectionProfile({ integrationsEnabled: false }));
      expect((await storedRow())?.integrationsEnabled).toBe(false);
    });

    it('reconnect replaces tokens and profile, increments the version, reactivates and keeps createdAt', async () => {
      const first = await seed();
      expect(await connections.markReauthorizationRequired(first)).toBe(true);
      expect((await storedRow())?.status).toBe('reauthorization_required');

      now = T0 + 60_000;
      const reconnected = await connections.saveAuthorizedConnection(
        'tenant-1',
        tokenSet({ accessToken: 'access-2', refreshToken: 'refresh-2', ownerId: '900', expiresInSeconds: 3600 }),
        connectionProfile({ hoverUserId: '43', hoverOrgId: '900', integrationsEnabled: false }),
      );

      const stored = await storedRow();
      for (const row of [reconnected, stored]) {
        expect(row?.status).toBe('active');
        expect(row?.version).toBe(3);
        expect(row?.accessToken).toBe('access-2');
        expect(row?.refreshToken).toBe('refresh-2');
        expect(row?.accessTokenExpiresAt).toBe(T0 + 60_000 + 3_600_000);
        expect(row?.ownerId).toBe('900');
        expect(row?.hoverUserId).toBe('43');
        expect(row?.hoverOrgId).toBe('900');
        expect(row?.integrationsEnabled).toBe(false);
        expect(row?.createdAt).toBe(T0);
        expect(row?.updatedAt).toBe(T0 + 60_000);
      }
      expect(await entities.count()).toBe(1);
    });

    it('keeps connections apart', async () => {
      await seed('tenant-1');
      await connections.saveAuthorizedConnection('tenant-2', tokenSet({ accessToken: 'other' }), connectionProfile());
      expect((await connections.findById('tenant-1'))?.accessToken).toBe('access-1');
      expect((await connections.findById('tenant-2'))?.accessToken).toBe('other');
    });
  });

  describe('replaceTokens (compare-and-swap on version)', () => {
    it('writes the refreshed pair once and refuses the same stale read a second time', async () => {
      const read = await seed();
      now = T0 + 1000;

      const updated = await connections.replaceTokens(
        read,
        tokenSet({ accessToken: 'access-2', refreshToken: 'refresh-2', scope: 'all', expiresInSeconds: 7200 }),
      );
      expect(updated).toBeInstanceOf(HoverConnection);
      expect(updated?.version).toBe(2);
      expect(updated?.accessToken).toBe('access-2');
      expect(updated?.refreshToken).toBe('refresh-2');
      expect(updated?.updatedAt).toBe(T0 + 1000);

      now = T0 + 2000;
      const stale = await connections.replaceTokens(read, tokenSet({ accessToken: 'access-3', refreshToken: 'refresh-3' }));
      expect(stale).toBeNull();

      const stored = await storedRow();
      expect(stored?.version).toBe(2);
      expect(stored?.accessToken).toBe('access-2');
      expect(stored?.refreshToken).toBe('refresh-2');
      expect(stored?.accessTokenExpiresAt).toBe(T0 + 1000 + 7_200_000);
      expect(stored?.updatedAt).toBe(T0 + 1000);
    });

    it('keeps the stored refresh token and scope when the response carried none', async () => {
      const read = await seed();
      const updated = await connections.replaceTokens(read, tokenSet({ accessToken: 'access-2', refreshToken: null, scope: null }));
      expect(updated?.refreshToken).toBe('refresh-1');
      const stored = await storedRow();
      expect(stored?.accessToken).toBe('access-2');
      expect(stored?.refreshToken).toBe('refresh-1');
      expect(stored?.scope).toBe('all');
    });

    it('returns null and writes nothing for an unknown connection', async () => {
      const ghost = Object.assign(new HoverConnection(), { ...(await seed()), connectionId: 'ghost' });
      expect(await connections.replaceTokens(ghost, tokenSet({ accessToken: 'x' }))).toBeNull();
      expect(await entities.count()).toBe(1);
      expect((await storedRow())?.accessToken).toBe('access-1');
    });
  });

  describe('markReauthorizationRequired', () => {
    it('marks the row only while it still holds the rejected version', async () => {
      const rejected = await seed();
      const rotated = await connections.replaceTokens(rejected, tokenSet({ accessToken: 'access-2', refreshToken: 'refresh-2' }));
      expect(rotated?.version).toBe(2);

      expect(await connections.markReauthorizationRequired(rejected)).toBe(false);
      expect((await storedRow())?.status).toBe('active');
      expect((await storedRow())?.version).toBe(2);

      now = T0 + 5000;
      expect(await connections.markReauthorizationRequired(rotated as HoverConnection)).toBe(true);
      const stored = await storedRow();
      expect(stored?.status).toBe('reauthorization_required');
      expect(stored?.version).toBe(3);
      expect(stored?.updatedAt).toBe(T0 + 5000);
      expect(stored?.accessToken).toBe('access-2');
    });
  });

  it('deleteById removes the row once', async () => {
    await seed();
    expect(await connections.deleteById('tenant-1')).toBe(true);
    expect(await connections.findById('tenant-1')).toBeNull();
    expect(await connections.deleteById('tenant-1')).toBe(false);
  });

  it('stores timestamps as bigint epoch milliseconds and reads them back as numbers', async () => {
    now = 9_007_199_254_000; // far beyond 32 bits, still a safe integer
    await connections.saveAuthorizedConnection('tenant-1', tokenSet({ expiresInSeconds: 0 }), connectionProfile());
    const [raw] = await dataSource.query(
      'SELECT access_token_expires_at, created_at, updated_at FROM hover_connections WHERE connection_id = ?',
      ['tenant-1'],
    );
    expect(raw).toEqual({ access_token_expires_at: now, created_at: now, updated_at: now });
    const stored = await connections.findById('tenant-1');
    expect(typeof stored?.accessTokenExpiresAt).toBe('number');
    expect(typeof stored?.createdAt).toBe('number');
    expect(typeof stored?.updatedAt).toBe('number');
    expect(stored?.accessTokenExpiresAt).toBe(now);
    expect(stored?.createdAt).toBe(now);
  });
});
