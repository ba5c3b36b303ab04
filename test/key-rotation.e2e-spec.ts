/**
 * Key rotation as an operator does it with the sample: tokens stored under key A; add key B first and
 * run `npm run tokens:reencrypt`; then drop key A — the connection keeps working throughout.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import type { HoverEmulator } from '@hover-auth/emulator';
import { startSampleApp } from '../apps/sample/src/start-sample-app';
import { freePort } from './support/free-port';
import { get, runConsent, SAMPLE_USER, signInToSample, startSampleUnderTest, type SampleUnderTest } from './support/sample-harness';
import { createSqliteDatabase, type TestDatabase } from './support/test-databases';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const keyA = `key-a:${randomBytes(32).toString('base64')}`;
const keyB = `key-b:${randomBytes(32).toString('base64')}`;

describe('token encryption key rotation with the sample', () => {
  let database: TestDatabase;

  beforeAll(() => {
    database = createSqliteDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('A → (B, A) + tokens:reencrypt → B only: still connected, every value on key B', async () => {
    const first = await startSampleUnderTest(database, { HOVER_ENCRYPTION_KEYS: keyA });
    let emulatorUrl: string;
    try {
      expect((await runConsent(first, 'allow')).callback?.location).toBe('/?connected=1');
      emulatorUrl = first.emulator.baseUrl;
    } finally {
      await first.sample.app.close(); // keep the emulator (and its grant) for the next start
    }

    const { stdout } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/sample/src/cli/main.ts', 'reencrypt'], {
      cwd: ROOT,
      // The sample refuses HOVER_ variables it does not know: leave out the test runner's own (HOVER_E2E_…).
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HOVER_'))),
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        DATABASE_URL: database.url,
        HOVER_ENCRYPTION_KEYS: `${keyB},${keyA}`,
      },
    });
    expect(stdout.trim()).toBe('Re-encrypted 1 of 1 Hover connections with key "key-b".');
    expect(stdout).not.toContain(keyB.split(':')[1]);

    const inspect = new DataSource({ ...database.options });
    await inspect.initialize();
    const rows: Array<{ access_token: string; refresh_token: string }> = await inspect.query('SELECT access_token, refresh_token FROM hover_connections');
    await inspect.destroy();
    expect(rows.map((row) => [row.access_token.split('.')[1], row.refresh_token.split('.')[1]])).toEqual([['key-b', 'key-b']]);

    // Restart with key B only, against the same emulator (its grant is still valid).
    const second = await startSampleUnderTest(database, { HOVER_ENCRYPTION_KEYS: keyB, HOVER_BASE_URL: emulatorUrl, HOVER_REDIRECT_URI: first.sample.config.hover.redirectUri as string, PORT: String(new URL(first.url).port) });
    try {
      // A new process: the sample user signs in again (sessions live in its memory).
      const jobs = await get(`${second.url}/jobs`, { headers: { accept: 'application/json', cookie: await second.signIn() } });
      expect(jobs.status).toBe(200);
    } finally {
      await second.close();
      await first.emulator.stop();
    }
  });
});

describe('the sample on its embedded defaults (in-process emulator)', () => {
  it('honours HOVER_ENCRYPTION_KEYS and HOVER_ISSUER instead of the development key', async () => {
    const database = createSqliteDatabase();
    const port = await freePort();
    const sample = await startSampleApp({ PORT: String(port), DATABASE_URL: database.url, HOVER_ENCRYPTION_KEYS: keyA, HOVER_ISSUER: 'https://hover.to' }, false);
    try {
      expect(sample.emulator).toBeDefined();
      expect(sample.config.hover.encryptionKeys).toEqual([{ id: 'key-a', key: keyA.split(':')[1] }]);
      expect(sample.config.hover.issuer).toBe('https://hover.to');
      const target: SampleUnderTest = {
        sample,
        emulator: sample.emulator as HoverEmulator,
        url: sample.url,
        signIn: (user = SAMPLE_USER) => signInToSample(sample.url, user),
        close: () => sample.close(),
      };
      expect((await runConsent(target, 'allow')).callback?.location).toBe('/?connected=1');
      const rows: Array<{ access_token: string }> = await sample.app.get(DataSource).query('SELECT access_token FROM hover_connections');
      expect(rows.map((row) => row.access_token.split('.')[1])).toEqual(['key-a']);
    } finally {
      await sample.close();
      await database.drop();
    }
  });
});

describe('the sample after the key changed without re-encryption', () => {
  it('the home page explains it and reconnecting replaces the stored connection', async () => {
    const database = createSqliteDatabase();
    try {
      const before = await startSampleUnderTest(database, { HOVER_ENCRYPTION_KEYS: keyA });
      try {
        expect((await runConsent(before, 'allow')).callback?.location).toBe('/?connected=1');
      } finally {
        await before.close();
      }
      const after = await startSampleUnderTest(database, { HOVER_ENCRYPTION_KEYS: keyB });
      try {
        const session = await after.signIn();
        const home = await get(after.url, { headers: { cookie: session } });
        expect(home.status).toBe(200);
        expect(home.text).toContain('cannot be decrypted with the configured HOVER_ENCRYPTION_KEYS');
        expect(home.text).toContain('href="/hover/authorize">Reconnect Hover</a>');
        expect((await runConsent(after, 'allow', { cookie: session })).callback?.location).toBe('/?connected=1');
        expect((await get(after.url, { headers: { cookie: session } })).text).toContain('Hover is <strong>connected</strong>');
      } finally {
        await after.close();
      }
    } finally {
      await database.drop();
    }
  });
});
