import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { DataSource, Repository } from 'typeorm';
import { HoverInvalidArgumentException, HoverInvalidConnectionIdException } from '../exceptions/hover-connection.exceptions';
import { connectionProfile, createMigratedDataSource, tokenSet, tokenStackProviders } from '../testing/hover-auth-test-fixtures';
import { HoverConnection } from './hover-connection.entity';
import { HoverConnectionRepository } from './hover-connection.repository';
import { HoverConnectionsService } from './hover-connections.service';

describe('HoverConnectionsService (read model over better-sqlite3)', () => {
  let dataSource: DataSource;
  let moduleRef: TestingModule;
  let service: HoverConnectionsService;
  let repository: HoverConnectionRepository;
  let rows: Repository<HoverConnection>;
  let errors: jest.SpyInstance;

  beforeEach(async () => {
    dataSource = await createMigratedDataSource();
    rows = dataSource.getRepository(HoverConnection);
    moduleRef = await Test.createTestingModule({ providers: [HoverConnectionsService, ...tokenStackProviders(rows)] }).compile();
    service = moduleRef.get(HoverConnectionsService);
    repository = moduleRef.get(HoverConnectionRepository);
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    errors.mockRestore();
    await moduleRef.close();
    await dataSource.destroy();
  });

  const save = (connectionId: string, expiresInSeconds = 7200) =>
    repository.saveAuthorizedConnection(
      connectionId,
      tokenSet({ accessToken: `at-${connectionId}-SECRET`, refreshToken: `rt-${connectionId}-SECRET`, expiresInSeconds }),
      connectionProfile(),
    );

  it('get() returns everything but the tokens', async () => {
    const saved = await save('acct-1');
    const info = await service.get('acct-1');
    expect(info).toEqual({
      connectionId: 'acct-1',
      status: 'active',
      tokensReadable: true,
      hoverUserId: '42',
      hoverOrgId: '785',
      hoverOrgName: 'Acme Roofing',
      integrationsEnabled: true,
      accessTokenExpiresAt: new Date(saved.accessTokenExpiresAt),
      createdAt: new Date(saved.createdAt),
      updatedAt: new Date(saved.updatedAt),
    });
    expect(JSON.stringify(info)).not.toMatch(/SECRET|hvr1\./);
  });

  it('get() returns null for an unknown connection and refuses an invalid id with a typed error', async () => {
    expect(await service.get('nobody')).toBeNull();
    await expect(service.get('')).rejects.toBeInstanceOf(HoverInvalidConnectionIdException);
    await expect(service.get('x'.repeat(192))).rejects.toMatchObject({ code: 'HOVER_INVALID_CONNECTION_ID' });
    await expect(service.get(42 as unknown as string)).rejects.toThrow('(got number)');
  });

  it('reports tokens that no longer decrypt instead of throwing, and logs the operator detail once', async () => {
    await save('acct-1');
    await save('acct-2');
    // A ciphertext copied from another row: the AAD binds it to acct-1, so it fails for acct-2.
    const donor = (await rows.findOneByOrFail({ connectionId: 'acct-1' })).accessToken;
    await rows.update({ connectionId: 'acct-2' }, { accessToken: donor });
    expect(await service.get('acct-2')).toMatchObject({ connectionId: 'acct-2', status: 'active', tokensReadable: false, hoverOrgId: '785' });
    expect(await service.get('acct-1')).toMatchObject({ tokensReadable: true });
    const page = await service.list();
    expect(page.items.map((item) => [item.connectionId, item.tokensReadable])).toEqual([
      ['acct-1', true],
      ['acct-2', false],
    ]);
    expect(errors).not.toHaveBeenCalled(); // the read model reports; it does not log
  });

  it('list() pages in connection id order with totals, and filters by status', async () => {
    for (const id of ['c', 'a', 'e', 'b', 'd']) await save(id);
    await repository.markReauthorizationRequired((await repository.findById('d')) as HoverConnection);
    const first = await service.list({ page: 1, perPage: 2 });
    expect([first.items.map((item) => item.connectionId), first.total, first.totalPages, first.page, first.perPage]).toEqual([['a', 'b'], 5, 3, 1, 2]);
    const last = await service.list({ page: 3, perPage: 2 });
    expect(last.items.map((item) => item.connectionId)).toEqual(['e']);
    expect((await service.list({ page: 4, perPage: 2 })).items).toEqual([]);
    const reauth = await service.list({ status: 'reauthorization_required' });
    expect([reauth.items.map((item) => [item.connectionId, item.status]), reauth.total]).toEqual([[['d', 'reauthorization_required']], 1]);
    expect((await service.list()).perPage).toBe(50);
  });

  it.each([
    [{ page: 0 }, '`page` must be an integer of 1 or more.'],
    [{ page: 1.5 }, '`page` must be an integer of 1 or more.'],
    [{ perPage: 0 }, '`perPage` must be an integer from 1 to 200.'],
    [{ perPage: 201 }, '`perPage` must be an integer from 1 to 200.'],
    [{ perPage: Number.NaN }, '`perPage` must be an integer from 1 to 200.'],
    [{ status: 'gone' }, "`status` must be 'active' or 'reauthorization_required'."],
  ])('list(%p) is refused with HOVER_INVALID_ARGUMENT (400)', async (options, message) => {
    const failure = await service.list(options as never).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HoverInvalidArgumentException);
    expect([(failure as HoverInvalidArgumentException).getStatus(), (failure as Error).message]).toEqual([400, message]);
  });

  it('disconnect() deletes the row (and reports whether there was one)', async () => {
    await save('acct-1');
    expect(await service.disconnect('acct-1')).toBe(true);
    expect(await rows.countBy({ connectionId: 'acct-1' })).toBe(0);
    expect(await service.get('acct-1')).toBeNull();
    expect(await service.disconnect('acct-1')).toBe(false);
  });

  it('reencryptAll() rewrites rows under the newest key', async () => {
    await save('acct-1');
    const result = await service.reencryptAll();
    // Already on the newest key; no webhook secret stored.
    expect(result).toEqual({ rows: 1, reencrypted: 0, failed: [], skipped: [], webhookSecrets: { rows: 0, reencrypted: 0, failed: [] } });
  });
});
