import type { DataSource, Repository } from 'typeorm';
import { createMigratedDataSource } from '../testing/hover-auth-test-fixtures';
import { HoverAuthorizationState } from '../tokens/hover-authorization-state.entity';
import { AuthorizationStateStore } from './authorization-state.store';

const T0 = 1_764_460_800_000;
const TTL_MS = 600_000;

describe('AuthorizationStateStore (better-sqlite3, migrated schema)', () => {
  let dataSource: DataSource;
  let rows: Repository<HoverAuthorizationState>;
  let store: AuthorizationStateStore;
  let now: number;

  beforeEach(async () => {
    dataSource = await createMigratedDataSource();
    rows = dataSource.getRepository(HoverAuthorizationState);
    store = new AuthorizationStateStore(rows);
    now = T0;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await dataSource.destroy();
  });

  describe('create', () => {
    it('returns 43 base64url characters (32 random bytes) and stores the pending request for 600 s', async () => {
      const state = await store.create({ connectionId: 'tenant-1', codeVerifier: 'v'.repeat(43), browserBinding: 'b'.repeat(64), returnTo: '/settings' });
      expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(state, 'base64url')).toHaveLength(32);
      const stored = await rows.findOneBy({ state });
      expect({ ...stored }).toEqual({
        state,
        connectionId: 'tenant-1',
        codeVerifier: 'v'.repeat(43),
        browserBinding: 'b'.repeat(64),
        returnTo: '/settings',
        createdAt: T0,
        expiresAt: T0 + TTL_MS,
      });
      expect(typeof stored?.expiresAt).toBe('number');
    });

    it('never returns the same state twice', async () => {
      const states = new Set<string>();
      for (let i = 0; i < 50; i += 1) states.add(await store.create({ connectionId: 'tenant-1' }));
      expect(states.size).toBe(50);
    });

    it('deletes expired states and keeps live ones', async () => {
      const old = await store.create({ connectionId: 'tenant-old' });
      now = T0 + 300_000;
      const live = await store.create({ connectionId: 'tenant-live' });
      now = T0 + TTL_MS + 1;
      const fresh = await store.create({ connectionId: 'tenant-fresh' });
      const remaining = (await rows.find()).map((row) => row.state).sort();
      expect(remaining).toEqual([live, fresh].sort());
      expect(remaining).not.toContain(old);
    });
  });

  describe('consume', () => {
    it('returns the pending request once, then null', async () => {
      const state = await store.create({ connectionId: 'tenant-1' });
      const pending = await store.consume(state);
      expect(pending?.state).toBe(state);
      expect(pending?.connectionId).toBe('tenant-1');
      expect(pending?.expiresAt).toBe(T0 + TTL_MS);
      expect(await store.consume(state)).toBeNull();
      expect(await rows.count()).toBe(0);
    });

    it('accepts a state until it expires', async () => {
      const state = await store.create({ connectionId: 'tenant-1' });
      now = T0 + TTL_MS - 1;
      expect((await store.consume(state))?.connectionId).toBe('tenant-1');
    });

    it('refuses an expired state and deletes it', async () => {
      const state = await store.create({ connectionId: 'tenant-1' });
      now = T0 + TTL_MS + 1;
      expect(await store.consume(state)).toBeNull();
      expect(await rows.count()).toBe(0);
      expect(await store.consume(state)).toBeNull();
    });

    it('returns null for an unknown state', async () => {
      await store.create({ connectionId: 'tenant-1' });
      expect(await store.consume('A'.repeat(43))).toBeNull();
      expect(await rows.count()).toBe(1);
    });

    it('gives a state to exactly one of two concurrent callbacks', async () => {
      const state = await store.create({ connectionId: 'tenant-1' });
      const results = await Promise.all([store.consume(state), store.consume(state)]);
      expect(results.filter((result) => result !== null)).toHaveLength(1);
      expect(results.find((result) => result !== null)?.connectionId).toBe('tenant-1');
    });

    it('gives a state to exactly one of many concurrent callbacks, across two store instances', async () => {
      const state = await store.create({ connectionId: 'tenant-1' });
      const other = new AuthorizationStateStore(dataSource.getRepository(HoverAuthorizationState));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).consume(state)),
      );
      expect(results.filter((result) => result !== null)).toHaveLength(1);
    });
  });
});
