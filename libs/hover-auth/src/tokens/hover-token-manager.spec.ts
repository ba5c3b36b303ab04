import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { DataSource, Repository } from 'typeorm';
import { HoverNotConnectedException, HoverReauthorizationRequiredException } from '../exceptions/hover-connection.exceptions';
import { HoverRefreshTimeoutException } from '../exceptions/hover-refresh.exceptions';
import {
  HoverInvalidGrantException,
  HoverTokenEndpointUnavailableException,
} from '../exceptions/hover-token-endpoint.exceptions';
import { HOVER_AUTH_RESOLVED_OPTIONS } from '../hover-auth.constants';
import type { HoverTokenSet } from '../token-endpoint/hover-token-set';
import { TokenEndpointClient } from '../token-endpoint/token-endpoint.client';
import { connectionProfile, createMigratedDataSource, testCipher, tokenSet, tokenStackProviders } from '../testing/hover-auth-test-fixtures';
import { HoverConnection } from './hover-connection.entity';
import { HoverConnectionRepository } from './hover-connection.repository';
import { HoverTokenManager } from './hover-token-manager.service';

const CONNECTION = 'tenant-1';
const STORED_REFRESH_TOKEN = 'rt-stored-NEVER-IN-MESSAGES';

/** Resolves after 5 ms: long enough for every caller started in the same tick to reach its first await. */
const aMoment = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

/** Polls `condition` every 5 ms until it holds (a refresh ahead runs in the background); fails after 5 s. */
async function eventually(condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await aMoment();
  }
}

describe('HoverTokenManager (real repository over better-sqlite3, mocked token endpoint)', () => {
  let dataSource: DataSource;
  let moduleRef: TestingModule;
  let manager: HoverTokenManager;
  let connections: HoverConnectionRepository;
  let rows: Repository<HoverConnection>;
  let refresh: jest.MockedFunction<(refreshToken: string) => Promise<HoverTokenSet>>;
  let warnings: jest.SpyInstance;

  beforeEach(async () => {
    dataSource = await createMigratedDataSource();
    rows = dataSource.getRepository(HoverConnection);
    moduleRef = await Test.createTestingModule({ providers: tokenStackProviders(rows, { refreshMarginSeconds: 300 }) }).compile();
    manager = moduleRef.get(HoverTokenManager);
    connections = moduleRef.get(HoverConnectionRepository);
    refresh = moduleRef.get(TokenEndpointClient).refresh as jest.MockedFunction<(refreshToken: string) => Promise<HoverTokenSet>>;
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await moduleRef.close();
    await dataSource.destroy();
  });

  /** Stores a connection whose access token expires `expiresInSeconds` from now. */
  async function seed(expiresInSeconds: number, overrides: Partial<HoverTokenSet> = {}): Promise<HoverConnection> {
    return connections.saveAuthorizedConnection(
      CONNECTION,
      tokenSet({ accessToken: 'access-old', refreshToken: STORED_REFRESH_TOKEN, expiresInSeconds, ...overrides }),
      connectionProfile(),
    );
  }

  /** What another app instance does: write a rotated token pair straight into the shared table. */
  async function anotherInstanceRotates(accessToken: string, refreshToken: string): Promise<void> {
    const current = await rows.findOneByOrFail({ connectionId: CONNECTION });
    await rows.update(
      { connectionId: CONNECTION },
      {
        accessToken: testCipher().encrypt(accessToken, { connectionId: CONNECTION, column: 'access_token' }),
        refreshToken: testCipher().encrypt(refreshToken, { connectionId: CONNECTION, column: 'refresh_token' }),
        accessTokenExpiresAt: Date.now() + 7_200_000,
        version: current.version + 1,
        updatedAt: Date.now(),
      },
    );
  }

  async function stored(): Promise<HoverConnection> {
    return (await connections.findById(CONNECTION)) as HoverConnection;
  }

  async function rejection(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      (value) => {
        throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
      },
      (error: unknown) => error,
    );
  }

  it('returns a fresh stored token without refreshing', async () => {
    await seed(3600);
    expect(await manager.getAccessToken(CONNECTION)).toBe('access-old');
    expect(refresh).not.toHaveBeenCalled();
  });

  describe('lifetimes at or below the refresh margin (300 s here)', () => {
    /** A token set received now that lives `lifetimeSeconds`. */
    const shortLived = (accessToken: string, refreshToken: string, lifetimeSeconds: number): HoverTokenSet => {
      const now = Date.now();
      return { ...tokenSet({ accessToken, refreshToken }), accessTokenIssuedAt: now, accessTokenExpiresAt: now + lifetimeSeconds * 1000 };
    };

    it('a 60 s token is used for 20 calls without any refresh (half its life is the effective margin)', async () => {
      await connections.saveAuthorizedConnection(CONNECTION, shortLived('access-60', STORED_REFRESH_TOKEN, 60), connectionProfile());
      for (let call = 0; call < 20; call++) expect(await manager.getAccessToken(CONNECTION)).toBe('access-60');
      expect(refresh).not.toHaveBeenCalled();
    });

    it('at most one proactive refresh per token received: past half its life, one refresh; its successor is used for the next 20 calls', async () => {
      const issuedAt = Date.now() - 31_000;
      await connections.saveAuthorizedConnection(
        CONNECTION,
        { ...shortLived('access-old', STORED_REFRESH_TOKEN, 60), accessTokenIssuedAt: issuedAt, accessTokenExpiresAt: issuedAt + 60_000 },
        connectionProfile(),
      );
      refresh.mockImplementation(async () => shortLived(`access-${refresh.mock.calls.length}`, `refresh-${refresh.mock.calls.length}`, 60));
      // Still valid for 29 s: answered at once with the current token, the refresh runs ahead.
      expect(await manager.getAccessToken(CONNECTION)).toBe('access-old');
      await eventually(async () => (await stored()).version === 2);
      const answers = [];
      for (let call = 0; call < 20; call++) answers.push(await manager.getAccessToken(CONNECTION));
      expect(refresh).toHaveBeenCalledTimes(1);
      expect(refresh).toHaveBeenCalledWith(STORED_REFRESH_TOKEN, expect.any(Number));
      expect(new Set(answers)).toEqual(new Set(['access-1']));
      expect(await stored()).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1', version: 2 });
    });

    it('a row stored before the receipt time was kept (NULL) uses the configured margin', async () => {
      await seed(100);
      await rows.update({ connectionId: CONNECTION }, { accessTokenIssuedAt: null });
      refresh.mockResolvedValueOnce(tokenSet({ accessToken: 'access-new', refreshToken: 'refresh-new' }));
      expect(await manager.getAccessToken(CONNECTION)).toBe('access-old');
      await eventually(async () => (await stored()).version === 2);
      expect(await manager.getAccessToken(CONNECTION)).toBe('access-new');
      expect(refresh).toHaveBeenCalledTimes(1);
    });
  });

  it('refreshes a token within the margin once, ahead of its expiry, and stores the new pair', async () => {
    await seed(100); // expires in 100 s, margin 300 s
    refresh.mockResolvedValueOnce(tokenSet({ accessToken: 'access-new', refreshToken: 'refresh-new', expiresInSeconds: 7200 }));

    const before = Date.now();
    expect(await manager.getAccessToken(CONNECTION)).toBe('access-old');
    await eventually(async () => (await stored()).version === 2);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(refresh).toHaveBeenCalledWith(STORED_REFRESH_TOKEN, expect.any(Number));

    const row = await stored();
    expect(row.accessToken).toBe('access-new');
    expect(row.refreshToken).toBe('refresh-new');
    expect(row.version).toBe(2);
    expect(row.status).toBe('active');
    expect(row.accessTokenExpiresAt).toBeGreaterThanOrEqual(before + 7_200_000 - 1000);

    expect(await manager.getAccessToken(CONNECTION)).toBe('access-new');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('refresh ahead: while the token is valid no caller waits for the (slow) refresh, and exactly one is made', async () => {
    await seed(100); // inside the 300 s margin, valid for 100 s
    let answer!: (tokens: HoverTokenSet) => void;
    refresh.mockImplementation(() => new Promise<HoverTokenSet>((resolve) => (answer = resolve)));
    const during = [];
    for (let round = 0; round < 5; round++) {
      during.push(...(await Promise.all(Array.from({ length: 16 }, () => manager.getAccessToken(CONNECTION)))));
    }
    // 80 calls answered while the token endpoint has not answered at all: none of them waited for it.
    expect(during).toHaveLength(80);
    expect(new Set(during)).toEqual(new Set(['access-old']));
    await eventually(() => refresh.mock.calls.length === 1);
    answer(tokenSet({ accessToken: 'access-new', refreshToken: 'refresh-new' }));
    await eventually(async () => (await stored()).version === 2);
    expect(await manager.getAccessToken(CONNECTION)).toBe('access-new');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(await stored()).toMatchObject({ accessToken: 'access-new', refreshToken: 'refresh-new', status: 'active' });
  });

  it('a token expiring within 5 s is not sent: the caller waits for the refresh', async () => {
    await seed(3);
    refresh.mockResolvedValueOnce(tokenSet({ accessToken: 'access-new', refreshToken: 'refresh-new' }));
    expect(await manager.getAccessToken(CONNECTION)).toBe('access-new');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('shares one refresh among 200 concurrent callers of an expired token', async () => {
    await seed(-60);
    refresh.mockImplementation(async () => {
      await aMoment();
      return tokenSet({ accessToken: 'access-new', refreshToken: 'refresh-new' });
    });

    const tokens = await Promise.all(Array.from({ length: 200 }, () => manager.getAccessToken(CONNECTION)));

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(new Set(tokens)).toEqual(new Set(['access-new']));
    expect(tokens).toHaveLength(200);
    const row = await stored();
    expect(row.version).toBe(2);
    expect(row.refreshToken).toBe('refresh-new');
  });

  // The database lease alone would also keep the refresh grants at one: single-flight promises more, one
  // refresh attempt (one lease acquisition) per process, which is what is counted here.
  it('single-flight: 200 concurrent callers in one process make one refresh attempt (one lease acquisition), not 200', async () => {
    await seed(-60);
    const leases = jest.spyOn(connections, 'acquireRefreshLease');
    refresh.mockImplementation(async () => {
      await aMoment();
      return tokenSet({ accessToken: 'access-new', refreshToken: 'refresh-new' });
    });
    await Promise.all(Array.from({ length: 200 }, () => manager.getAccessToken(CONNECTION)));
    expect(leases).toHaveBeenCalledTimes(1);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('a lease another instance holds for longer than refreshDeadlineMs fails the call with HOVER_REFRESH_TIMEOUT in about that time, grant untouched', async () => {
    await seed(-60);
    await connections.acquireRefreshLease(CONNECTION, 'another-instance', 600_000);
    const options = moduleRef.get<{ refreshDeadlineMs: number }>(HOVER_AUTH_RESOLVED_OPTIONS);
    const deadlineMs = options.refreshDeadlineMs;
    options.refreshDeadlineMs = 300;
    try {
      const started = Date.now();
      const failure = await rejection(manager.getAccessToken(CONNECTION));
      const elapsed = Date.now() - started;
      expect(failure).toBeInstanceOf(HoverRefreshTimeoutException);
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(5000);
    } finally {
      options.refreshDeadlineMs = deadlineMs;
    }
    expect(refresh).not.toHaveBeenCalled();
    expect(await stored()).toMatchObject({ status: 'active', version: 1, refreshToken: STORED_REFRESH_TOKEN, refreshLockOwner: 'another-instance' });
  });

  it('shares one refresh when the token endpoint answers immediately', async () => {
    await seed(-60);
    refresh.mockResolvedValue(tokenSet({ accessToken: 'access-new', refreshToken: 'refresh-new' }));
    const tokens = await Promise.all(Array.from({ length: 200 }, () => manager.getAccessToken(CONNECTION)));
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(new Set(tokens)).toEqual(new Set(['access-new']));
  });

  describe('invalid_grant', () => {
    it('marks the connection reauthorization_required and stops refreshing', async () => {
      await seed(-60);
      refresh.mockRejectedValue(new HoverInvalidGrantException(400));

      const first = await rejection(manager.getAccessToken(CONNECTION));
      expect(first).toBeInstanceOf(HoverReauthorizationRequiredException);
      expect((first as HoverReauthorizationRequiredException).code).toBe('HOVER_REAUTHORIZATION_REQUIRED');
      expect((first as HoverReauthorizationRequiredException).connectionId).toBe(CONNECTION);
      expect((first as HoverReauthorizationRequiredException).getResponse()).toEqual({
        statusCode: 401,
        code: 'HOVER_REAUTHORIZATION_REQUIRED',
        message: expect.stringContaining('reconnect'),
        connectionId: CONNECTION,
        authorizeUrl: '/hover/authorize',
      });
      const row = await stored();
      expect(row.status).toBe('reauthorization_required');
      expect(row.version).toBe(2);

      const second = await rejection(manager.getAccessToken(CONNECTION));
      expect(second).toBeInstanceOf(HoverReauthorizationRequiredException);
      const third = await rejection(manager.recoverFromUnauthorized(CONNECTION, 'access-old'));
      expect(third).toBeInstanceOf(HoverReauthorizationRequiredException);
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('never puts the refresh token in the error or the log line', async () => {
      await seed(-60);
      refresh.mockRejectedValue(new HoverInvalidGrantException(401));
      const error = (await rejection(manager.getAccessToken(CONNECTION))) as HoverReauthorizationRequiredException;
      expect(error.message).not.toContain(STORED_REFRESH_TOKEN);
      expect(JSON.stringify(error)).not.toContain(STORED_REFRESH_TOKEN);
      expect(JSON.stringify(error)).not.toContain('access-old');
      expect(warnings).toHaveBeenCalledTimes(1);
      expect(String(warnings.mock.calls[0][0])).toContain(`"${CONNECTION}"`);
      expect(JSON.stringify(warnings.mock.calls)).not.toContain(STORED_REFRESH_TOKEN);
    });

    it("uses another writer's rotated token when Hover refused ours in the meantime", async () => {
      await seed(-60);
      refresh.mockImplementation(async () => {
        await anotherInstanceRotates('access-other', 'refresh-other');
        throw new HoverInvalidGrantException(400);
      });

      expect(await manager.getAccessToken(CONNECTION)).toBe('access-other');
      const row = await stored();
      expect(row.status).toBe('active');
      expect(row.accessToken).toBe('access-other');
      expect(row.refreshToken).toBe('refresh-other');
      expect(row.version).toBe(2);

      expect(await manager.getAccessToken(CONNECTION)).toBe('access-other');
      expect(refresh).toHaveBeenCalledTimes(1);
      expect(warnings).not.toHaveBeenCalled();
    });
  });

  it('propagates a transient failure, backs off for 1 s without calling Hover, then refreshes again', async () => {
    await seed(-60);
    const outage = new HoverTokenEndpointUnavailableException("Hover's token endpoint answered HTTP 503.", 503);
    refresh
      .mockRejectedValueOnce(outage)
      .mockResolvedValueOnce(tokenSet({ accessToken: 'access-new', refreshToken: 'refresh-new' }));

    expect(await rejection(manager.getAccessToken(CONNECTION))).toBe(outage);
    const failedAt = Date.now();
    const afterOutage = await stored();
    expect(afterOutage.status).toBe('active');
    expect(afterOutage.refreshToken).toBe(STORED_REFRESH_TOKEN);
    expect(afterOutage.version).toBe(1);

    // Backed off: fails fast with the same error family, Hover not called, grant and lease untouched
    // (checked only while the 1 s window is measurably still open: a stalled machine cannot fail it).
    const second = await manager.getAccessToken(CONNECTION).then(
      (accessToken) => ({ accessToken }),
      (error: unknown) => ({ error }),
    );
    if (Date.now() - failedAt < 1000) {
      const backedOff = 'error' in second ? second.error : undefined;
      expect(backedOff).toBeInstanceOf(HoverTokenEndpointUnavailableException);
      expect((backedOff as Error).message).toMatch(/refreshes resume after a back-off/);
      expect(refresh).toHaveBeenCalledTimes(1);
      expect(await stored()).toMatchObject({ version: 1, refreshLockOwner: null, status: 'active' });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await manager.getAccessToken(CONNECTION)).toBe('access-new');
    } else {
      expect(second).toEqual({ accessToken: 'access-new' });
    }
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(refresh).toHaveBeenNthCalledWith(2, STORED_REFRESH_TOKEN, expect.any(Number));
  });

  it('a proactive refresh that fails transiently keeps serving the still-valid token; an expired one fails', async () => {
    await seed(240); // inside the 300 s margin, still valid for 4 minutes
    const outage = new HoverTokenEndpointUnavailableException("Hover's token endpoint answered HTTP 503.", 503);
    refresh.mockRejectedValue(outage);
    expect(await manager.getAccessToken(CONNECTION)).toBe('access-old');
    await eventually(() => manager.isBackingOff(CONNECTION));
    // During the back-off a refresh ahead is not even started (no database round trips for nothing).
    expect(await manager.getAccessToken(CONNECTION)).toBe('access-old');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect((await stored()).status).toBe('active');

    await rows.update({ connectionId: CONNECTION }, { accessTokenExpiresAt: Date.now() - 1000 });
    manager.forget(CONNECTION);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the back-off
    expect(await rejection(manager.getAccessToken(CONNECTION))).toBe(outage);
  });

  it('fails every concurrent caller of a failed refresh with the same error, then recovers', async () => {
    await seed(-60);
    const outage = new HoverTokenEndpointUnavailableException('timeout', null);
    refresh.mockImplementationOnce(async () => {
      await aMoment();
      throw outage;
    });
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => manager.getAccessToken(CONNECTION)));
    expect(outcomes.every((outcome) => outcome.status === 'rejected' && outcome.reason === outage)).toBe(true);
    expect(refresh).toHaveBeenCalledTimes(1);

    await new Promise((resolve) => setTimeout(resolve, 1100)); // the back-off after a transient failure
    refresh.mockResolvedValueOnce(tokenSet({ accessToken: 'access-new' }));
    expect(await manager.getAccessToken(CONNECTION)).toBe('access-new');
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  describe('recoverFromUnauthorized', () => {
    it('returns the token another instance stored, without refreshing', async () => {
      await seed(3600);
      expect(await manager.getAccessToken(CONNECTION)).toBe('access-old');
      await anotherInstanceRotates('access-other', 'refresh-other');

      expect(await manager.recoverFromUnauthorized(CONNECTION, 'access-old')).toBe('access-other');
      expect(refresh).not.toHaveBeenCalled();
      expect(await manager.getAccessToken(CONNECTION)).toBe('access-other');
    });

    it('refreshes once when the stored token is the rejected one', async () => {
      await seed(3600);
      expect(await manager.getAccessToken(CONNECTION)).toBe('access-old');
      refresh.mockResolvedValueOnce(tokenSet({ accessToken: 'access-new', refreshToken: 'refresh-new' }));

      expect(await manager.recoverFromUnauthorized(CONNECTION, 'access-old')).toBe('access-new');
      expect(refresh).toHaveBeenCalledTimes(1);
      expect(refresh).toHaveBeenCalledWith(STORED_REFRESH_TOKEN, expect.any(Number));
      expect((await stored()).accessToken).toBe('access-new');

      // A request that was sent with the old token and comes back late must not refresh again.
      expect(await manager.recoverFromUnauthorized(CONNECTION, 'access-old')).toBe('access-new');
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('a read that started before a refresh committed does not put the replaced token back in the cache', async () => {
      await seed(3600);
      const staleRow = await stored();
      // A guard's read of the row is slow: it returns the row as it was before the refresh below.
      let releaseSlowRead!: () => void;
      const slowRead = new Promise<void>((resolve) => (releaseSlowRead = resolve));
      jest.spyOn(connections, 'findById').mockImplementationOnce(async () => {
        await slowRead;
        return staleRow;
      });
      const guardRead = manager.findConnection(CONNECTION);

      refresh.mockResolvedValueOnce(tokenSet({ accessToken: 'access-new', refreshToken: 'refresh-new' }));
      expect(await manager.recoverFromUnauthorized(CONNECTION, 'access-old')).toBe('access-new');
      releaseSlowRead();
      expect((await guardRead)?.accessToken).toBe('access-old');

      expect(await manager.getAccessToken(CONNECTION)).toBe('access-new');
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('shares one refresh among concurrent 401s', async () => {
      await seed(3600);
      await manager.getAccessToken(CONNECTION);
      refresh.mockImplementation(async () => {
        await aMoment();
        return tokenSet({ accessToken: 'access-new' });
      });
      const tokens = await Promise.all(Array.from({ length: 50 }, () => manager.recoverFromUnauthorized(CONNECTION, 'access-old')));
      expect(refresh).toHaveBeenCalledTimes(1);
      expect(new Set(tokens)).toEqual(new Set(['access-new']));
    });
  });

  it("uses the other writer's grant when it loses the compare-and-swap", async () => {
    await seed(-60);
    refresh.mockImplementation(async () => {
      await anotherInstanceRotates('access-other', 'refresh-other');
      return tokenSet({ accessToken: 'access-mine', refreshToken: 'refresh-mine' });
    });
    expect(await manager.getAccessToken(CONNECTION)).toBe('access-other');
    const row = await stored();
    expect(row.accessToken).toBe('access-other');
    expect(row.refreshToken).toBe('refresh-other');
  });

  it('requires reauthorization without calling Hover when no refresh token is stored', async () => {
    await seed(-60, { refreshToken: null });
    expect(await rejection(manager.getAccessToken(CONNECTION))).toBeInstanceOf(HoverReauthorizationRequiredException);
    expect(refresh).not.toHaveBeenCalled();
    expect((await stored()).status).toBe('reauthorization_required');
  });

  it('refuses a connection already marked reauthorization_required without calling Hover', async () => {
    const row = await seed(3600);
    await connections.markReauthorizationRequired(row);
    expect(await rejection(manager.getAccessToken(CONNECTION))).toBeInstanceOf(HoverReauthorizationRequiredException);
    expect(refresh).not.toHaveBeenCalled();
  });

  it.each([
    ['getAccessToken', (m: HoverTokenManager) => m.getAccessToken('nobody')],
    ['recoverFromUnauthorized', (m: HoverTokenManager) => m.recoverFromUnauthorized('nobody', 'some-token')],
  ])('%s without a stored connection → HoverNotConnectedException', async (_name, call) => {
    const error = await rejection(call(manager));
    expect(error).toBeInstanceOf(HoverNotConnectedException);
    expect((error as HoverNotConnectedException).code).toBe('HOVER_NOT_CONNECTED');
    expect((error as HoverNotConnectedException).getStatus()).toBe(401);
    expect((error as HoverNotConnectedException).getResponse()).toEqual({
      statusCode: 401,
      code: 'HOVER_NOT_CONNECTED',
      message: expect.stringContaining('not connected'),
      connectionId: 'nobody',
      authorizeUrl: '/hover/authorize',
    });
    expect(refresh).not.toHaveBeenCalled();
  });

  it("sees another instance's reconnect or disconnect within 60 s even while Hover accepts the old token", async () => {
    await seed(3600);
    expect(await manager.getAccessToken(CONNECTION)).toBe('access-old');
    await anotherInstanceRotates('access-reconnected', 'refresh-reconnected');
    expect(await manager.getAccessToken(CONNECTION)).toBe('access-old'); // cached, no read
    const realNow = Date.now;
    const later = realNow() + 61_000;
    jest.spyOn(Date, 'now').mockImplementation(() => later);
    expect(await manager.getAccessToken(CONNECTION)).toBe('access-reconnected');
    await rows.delete({ connectionId: CONNECTION });
    jest.spyOn(Date, 'now').mockImplementation(() => later + 61_000);
    expect(await rejection(manager.getAccessToken(CONNECTION))).toBeInstanceOf(HoverNotConnectedException);
    expect(await manager.findConnection(CONNECTION)).toBeNull();
    expect(refresh).not.toHaveBeenCalled();
  });

  it('disconnect() deletes the connection and its cached copy at once', async () => {
    await seed(3600);
    expect(await manager.getAccessToken(CONNECTION)).toBe('access-old');
    expect(await manager.disconnect(CONNECTION)).toBe(true);
    expect(await rows.countBy({ connectionId: CONNECTION })).toBe(0);
    expect(await rejection(manager.getAccessToken(CONNECTION))).toBeInstanceOf(HoverNotConnectedException);
    expect(await manager.disconnect(CONNECTION)).toBe(false);
  });

  it('serves steady-state calls from memory after the first load', async () => {
    await seed(3600);
    const findById = jest.spyOn(connections, 'findById');
    expect(await manager.getAccessToken(CONNECTION)).toBe('access-old');
    expect(findById).toHaveBeenCalledTimes(1);

    for (let i = 0; i < 100; i += 1) expect(await manager.getAccessToken(CONNECTION)).toBe('access-old');
    await Promise.all(Array.from({ length: 100 }, () => manager.getAccessToken(CONNECTION)));

    expect(findById).toHaveBeenCalledTimes(1);
    expect(manager.cachedConnectionCount).toBe(1);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('forget() makes the next call read the stored grant again', async () => {
    await seed(3600);
    await manager.getAccessToken(CONNECTION);
    await connections.saveAuthorizedConnection(CONNECTION, tokenSet({ accessToken: 'access-reconnected' }), connectionProfile());
    expect(await manager.getAccessToken(CONNECTION)).toBe('access-old');
    manager.forget(CONNECTION);
    expect(await manager.getAccessToken(CONNECTION)).toBe('access-reconnected');
  });
});

describe('HoverTokenManager memory cache (cacheMaxConnections)', () => {
  it('keeps at most cacheMaxConnections rows, drops the least recently used, and a miss costs one read by primary key', async () => {
    const dataSource = await createMigratedDataSource();
    const rows = dataSource.getRepository(HoverConnection);
    const moduleRef = await Test.createTestingModule({ providers: tokenStackProviders(rows, { cacheMaxConnections: 3 }) }).compile();
    try {
      const manager = moduleRef.get(HoverTokenManager);
      const connections = moduleRef.get(HoverConnectionRepository);
      for (const id of ['a', 'b', 'c', 'd']) {
        await connections.saveAuthorizedConnection(id, tokenSet({ accessToken: `access-${id}`, expiresInSeconds: 3600 }), connectionProfile());
      }
      const reads = jest.spyOn(connections, 'findById');
      for (const id of ['a', 'b', 'c']) expect(await manager.getAccessToken(id)).toBe(`access-${id}`);
      expect(await manager.getAccessToken('a')).toBe('access-a'); // a is now the most recently used
      expect(reads).toHaveBeenCalledTimes(3);
      expect(await manager.getAccessToken('d')).toBe('access-d'); // evicts b, the least recently used
      expect(manager.cachedConnectionCount).toBe(3);
      expect(reads).toHaveBeenCalledTimes(4);
      for (const id of ['a', 'c', 'd']) expect(await manager.getAccessToken(id)).toBe(`access-${id}`);
      expect(reads).toHaveBeenCalledTimes(4); // all three hits
      expect(await manager.getAccessToken('b')).toBe('access-b'); // the miss: exactly one read
      expect(reads).toHaveBeenCalledTimes(5);
      expect(reads).toHaveBeenLastCalledWith('b');
      expect(manager.cachedConnectionCount).toBe(3);
    } finally {
      await moduleRef.close();
      await dataSource.destroy();
    }
  });
});
