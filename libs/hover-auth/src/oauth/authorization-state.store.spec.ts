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

  it('uses a state once: the first call records it, the next is refused', async () => {
    expect(await store.markUsed('state-1', 'tenant-1', T0 + TTL_MS)).toBe(true);
    expect(await store.markUsed('state-1', 'tenant-1', T0 + TTL_MS)).toBe(false);
    expect(await rows.find()).toEqual([
      { state: 'state-1', connectionId: 'tenant-1', codeVerifier: null, browserBinding: null, returnTo: null, createdAt: T0, expiresAt: T0 + TTL_MS },
    ]);
  });

  it('deletes rows of expired flows (they cannot be replayed any more) and keeps live ones', async () => {
    await store.markUsed('old', 'tenant-1', T0 + 1000);
    await store.markUsed('live', 'tenant-1', T0 + TTL_MS);
    now = T0 + 2000;
    await store.markUsed('new', 'tenant-1', now + TTL_MS);
    expect((await rows.find({ order: { state: 'ASC' } })).map((row) => row.state)).toEqual(['live', 'new']);
  });

  it('gives a state to exactly one of two concurrent callbacks', async () => {
    const results = await Promise.all([store.markUsed('s', 'tenant-1', T0 + TTL_MS), store.markUsed('s', 'tenant-1', T0 + TTL_MS)]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('gives a state to exactly one of many concurrent callbacks, across two store instances', async () => {
    const other = new AuthorizationStateStore(dataSource.getRepository(HoverAuthorizationState));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).markUsed('s', 'tenant-1', T0 + TTL_MS)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await rows.count()).toBe(1);
  });
});
