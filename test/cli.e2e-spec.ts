/**
 * The sample's command-line tool (`npm run cli -- <command>`) as an operator runs it: `connect` against
 * the emulator with Hover's test redirect URI `https://hover.to` (the consent is clicked over HTTP like a
 * browser, and the address Hover redirected to is pasted into the child's stdin without following it),
 * then `status`, `list`, `reencrypt`, `disconnect`, and the refusals. Children run in parallel where
 * they do not depend on each other (ts-node startup, 2-4 s of CPU each, dominates); the matrix of bad
 * arguments runs in-process through `runCli`, the function `main.ts` calls.
 */
import { HoverEmulator } from '@hover-auth/emulator';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { runCli } from '../apps/sample/src/cli/run-cli';
import { tokensKnownToEmulator } from './support/hover-host-app';
import { formFields, get } from './support/sample-harness';
import { createSqliteDatabase, type TestDatabase } from './support/test-databases';
import { E2E_ENCRYPTION_KEYS } from './support/test-keys';

const ROOT = join(__dirname, '..');
const CLIENT = { clientId: 'cli-e2e-client', clientSecret: 'cli-e2e-client-secret-value', redirectUris: ['https://hover.to'], name: 'CLI e2e' };
const E2E_KEY = `${E2E_ENCRYPTION_KEYS[0].id}:${E2E_ENCRYPTION_KEYS[0].key}`;
const NEW_KEY_VALUE = randomBytes(32).toString('base64');
const NEW_KEY = `cli-new:${NEW_KEY_VALUE}`;
/** Longest a child may run (2-5 s each on an idle machine; several run at once). */
const CHILD_TIMEOUT_MS = 90_000;
/** Timeout of the tests that spawn children: generous for a loaded CI machine (the suite takes ~40 s idle). */
const SLOW = 120_000;
const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';

interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** A running `apps/sample/src/cli/main.ts` child (ts-node on the libraries' sources, like Jest). */
class CliChild {
  readonly done: Promise<CliRun>;
  private stdout = '';
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    // ts-node with the root tsconfig's paths: the libraries' sources, as everywhere in Jest (no build needed).
    this.child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/sample/src/cli/main.ts', ...args], {
      cwd: ROOT,
      env,
    });
    // A child that hangs is killed, so the test fails with its output instead of a Jest timeout.
    const killer = setTimeout(() => this.child.kill('SIGKILL'), CHILD_TIMEOUT_MS).unref();
    running.add(this.child);
    let stderr = '';
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    this.done = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('close', (exitCode) => {
        clearTimeout(killer);
        running.delete(this.child);
        const run = { exitCode, stdout: this.stdout, stderr };
        outputs.push(run);
        resolve(run);
      });
    });
  }

  /** The authorize address `connect` printed on its own line. */
  async authorizeUrl(): Promise<string> {
    for (;;) {
      const line = this.stdout.split('\n').find((candidate) => /^http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+$/.test(candidate));
      if (line) return line;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`connect printed no authorize address: ${JSON.stringify(await this.done)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Types `text` and Enter; `null` closes stdin without a line (Ctrl-D). */
  answer(text: string | null): Promise<CliRun> {
    if (text === null) this.child.stdin.end();
    else this.child.stdin.end(`${text}\n`);
    return this.done;
  }
}

/** Everything every child printed, checked for secrets at the end. */
const outputs: CliRun[] = [];
/** Children not ended yet (killed in afterAll when a test failed half-way). */
const running = new Set<ChildProcessWithoutNullStreams>();

describe('the sample CLI (npm run cli)', () => {
  let emulator: HoverEmulator;
  let database: TestDatabase;
  /** Authorization codes the consent page issued (they must never be printed). */
  const codes: string[] = [];
  let keys = E2E_KEY;

  /** The child's environment: the test database, the e2e client and keys, nothing inherited from HOVER_*; `undefined` unsets. */
  const environment = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(HOVER_|DATABASE_URL$|PORT$)/.test(name)));
    const env: NodeJS.ProcessEnv = {
      ...inherited,
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      DATABASE_URL: database.url,
      HOVER_BASE_URL: emulator.baseUrl,
      HOVER_CLIENT_ID: CLIENT.clientId,
      HOVER_CLIENT_SECRET: CLIENT.clientSecret,
      HOVER_REDIRECT_URI: 'https://hover.to',
      HOVER_ENCRYPTION_KEYS: keys,
      ...extra,
    };
    // `undefined` in `extra` unsets a variable.
    return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
  };
  const cli = (args: string[], extra?: NodeJS.ProcessEnv) => new CliChild(args, environment(extra));
  const run = (args: string[], extra?: NodeJS.ProcessEnv) => cli(args, extra).answer(null);

  /** Clicks Allow or Deny on the emulator's consent page; returns Hover's redirect (to https://hover.to), not followed. */
  const consent = async (authorizeUrl: string, decision: 'allow' | 'deny'): Promise<URL> => {
    const page = await get(authorizeUrl);
    expect(page.status).toBe(200);
    const decided = await fetch(new URL('/oauth/authorize', authorizeUrl), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...formFields(page.text, `${decision}-form`), decision }),
    });
    await decided.text();
    expect(decided.status).toBe(302);
    const location = new URL(decided.headers.get('location') as string);
    expect(location.origin).toBe('https://hover.to');
    const code = location.searchParams.get('code');
    if (code) codes.push(code);
    return location;
  };

  const storedConnections = async (): Promise<Array<{ connection_id: string; hover_org_id: string; access_token: string; refresh_token: string }>> => {
    const inspect = new DataSource({ ...database.options });
    await inspect.initialize();
    try {
      return await inspect.query('SELECT connection_id, hover_org_id, access_token, refresh_token FROM hover_connections ORDER BY connection_id');
    } finally {
      await inspect.destroy();
    }
  };

  /** Exactly one line on stderr, matching `pattern`, and the exit code. */
  const expectRefusal = (result: CliRun, exitCode: number, pattern: RegExp) => {
    expect({ exitCode: result.exitCode, stderr: result.stderr.trimEnd() }).toEqual({ exitCode, stderr: expect.stringMatching(pattern) });
    expect(result.stderr).toMatch(/^[^\n]+\n$/);
  };

  beforeAll(async () => {
    emulator = new HoverEmulator();
    await emulator.start(0);
    emulator.registerClient(CLIENT);
    database = createSqliteDatabase();
  });

  afterAll(async () => {
    for (const child of running) child.kill('SIGKILL');
    await emulator?.stop();
    await database?.drop();
  });

  it('list on a fresh database (migrations run) says there is none', async () => {
    expect(await run(['list'])).toEqual({ exitCode: 0, stdout: 'No Hover connections.\n', stderr: '' });
  }, SLOW);

  it('connect refuses a wrong state, a URL without code, Deny, garbage and EOF: nothing stored, no code exchanged', async () => {
    const [wrongState, noCode, denied, garbage, eof] = [cli(['connect']), cli(['connect']), cli(['connect', '--connection', 'account:denied']), cli(['connect']), cli(['connect'])];
    const results = await Promise.all([
      (async () => {
        const redirected = await consent(await wrongState.authorizeUrl(), 'allow');
        redirected.searchParams.set('state', randomBytes(32).toString('base64url'));
        return wrongState.answer(redirected.toString());
      })(),
      (async () => {
        const state = new URL(await noCode.authorizeUrl()).searchParams.get('state') as string;
        return noCode.answer(`https://hover.to/?state=${state}`);
      })(),
      (async () => {
        const redirected = await consent(await denied.authorizeUrl(), 'deny');
        expect(redirected.searchParams.get('error')).toBe('access_denied');
        return denied.answer(redirected.toString());
      })(),
      garbage.authorizeUrl().then(() => garbage.answer('this is not an address')),
      eof.authorizeUrl().then(() => eof.answer(null)),
    ]);
    expectRefusal(results[0], 1, /^The state does not match the authorization this command started/);
    expectRefusal(results[1], 1, /^The address has no code/);
    expectRefusal(results[2], 1, /^Hover refused: access_denied/);
    expectRefusal(results[3], 1, /^Could not read the answer/);
    expectRefusal(results[4], 1, /^No answer/);
    for (const result of results) expect(result.stdout).not.toMatch(/^Connected/m);
    expect(emulator.tokenRequestCount('authorization_code')).toBe(0);
    expect(await storedConnections()).toEqual([]);
  }, SLOW);

  it('connect stores the grant from the pasted address (or just its code) and prints the connection', async () => {
    const [byAddress, byCode] = [cli(['connect']), cli(['connect', '-c', 'account:42'])];
    const [first, second] = await Promise.all([
      (async () => byAddress.answer((await consent(await byAddress.authorizeUrl(), 'allow')).toString()))(),
      (async () => byCode.answer((await consent(await byCode.authorizeUrl(), 'allow')).searchParams.get('code') as string))(),
    ]);
    const user = emulator.users()[0];
    const line = (id: string) => new RegExp(`\\nConnected ${id} to Hover org ${user.orgName} \\(${user.orgId}\\); access token expires ${ISO}\\n$`);
    expect(first).toEqual({ exitCode: 0, stdout: expect.stringMatching(line('default')), stderr: '' });
    expect(second).toEqual({ exitCode: 0, stdout: expect.stringMatching(line('account:42')), stderr: '' });
    expect(first.stdout).toContain('Open this address in a browser signed in to Hover and click Allow:');

    expect(emulator.tokenRequestCount('authorization_code')).toBe(2);
    // The new access tokens worked: Hover's profile answered both (the org comes from it).
    expect(emulator.apiRequestLog().filter((request) => request.path === '/api/v2/users/profile').map((request) => request.status)).toEqual([200, 200]);
    const rows = await storedConnections();
    expect(rows.map((row) => [row.connection_id, String(row.hover_org_id)])).toEqual([
      ['account:42', String(user.orgId)],
      ['default', String(user.orgId)],
    ]);
    expect(rows.map((row) => row.access_token.split('.')[1])).toEqual(['e2e', 'e2e']);
  }, SLOW);

  it('status, list and reencrypt (to a new first key) of the stored connections', async () => {
    keys = `${NEW_KEY},${E2E_KEY}`;
    const [status, list, reencrypt] = await Promise.all([run(['status']), run(['list', '--status', 'active', '--per-page', '1', '--page', '2']), run(['reencrypt'])]);
    const user = emulator.users()[0];
    expect(status.exitCode).toBe(0);
    expect(status.stderr).toBe('');
    expect(status.stdout).toMatch(new RegExp(`^Connection: +default\\nStatus: +active\\nHover org: +${user.orgName} \\(${user.orgId}\\)\\n`));
    expect(status.stdout).toMatch(/\nIntegrations: +available\n/);
    expect(status.stdout).toMatch(new RegExp(`\\nAccess token expires: +${ISO}\\nTokens readable: +yes\\n`));

    // Ordered by connection id: page 2 of 1 per page is "default".
    expect(list).toEqual({ exitCode: 0, stdout: expect.any(String), stderr: '' });
    const table = list.stdout.trimEnd().split('\n');
    expect(table).toHaveLength(3);
    expect(table[0]).toMatch(/^CONNECTION +STATUS +HOVER ORG +INTEGRATIONS +TOKENS +ACCESS TOKEN EXPIRES$/);
    expect(table[1]).toMatch(new RegExp(`^default +active +${user.orgName} \\(${user.orgId}\\) +yes +readable +${ISO}$`));
    expect(table[2]).toBe('Page 2 of 2 (2 connections with status active).');

    expect(reencrypt).toEqual({ exitCode: 0, stdout: 'Re-encrypted 2 of 2 Hover connections with key "cli-new".\n', stderr: '' });
    const rows = await storedConnections();
    expect(rows.map((row) => [row.access_token.split('.')[1], row.refresh_token.split('.')[1]])).toEqual([
      ['cli-new', 'cli-new'],
      ['cli-new', 'cli-new'],
    ]);
  }, SLOW);

  it('disconnect deletes one connection; status then finds none; an unknown id exits 1', async () => {
    expect(await run(['disconnect', 'default'])).toEqual({ exitCode: 0, stdout: expect.stringMatching(/^Disconnected default /), stderr: '' });
    const [status, again, list] = await Promise.all([run(['status', 'default']), run(['disconnect', 'default']), run(['list'])]);
    expectRefusal(status, 1, /^No Hover connection "default"\.$/);
    expectRefusal(again, 1, /^No Hover connection "default" to disconnect\.$/);
    expect(list).toEqual({ exitCode: 0, stdout: expect.stringMatching(/^CONNECTION .*\naccount:42 +active .*\nPage 1 of 1 \(1 connection\)\.\n$/), stderr: '' });
    expect((await storedConnections()).map((row) => row.connection_id)).toEqual(['account:42']);
  }, SLOW);

  describe('bad arguments and configuration (in-process runCli: one line on stderr, exit 2, nothing on stdout)', () => {
    let written: { stdout: string; stderr: string };
    beforeEach(() => {
      written = { stdout: '', stderr: '' };
      for (const stream of ['stdout', 'stderr'] as const) {
        jest.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
          written[stream] += chunk.toString();
          return true;
        });
      }
    });
    afterEach(() => {
      jest.restoreAllMocks();
      outputs.push({ exitCode: null, ...written });
    });

    it.each([
      ['an unknown command', ['frobnicate'], {}, /^error: unknown command 'frobnicate'/],
      ['disconnect without an id', ['disconnect'], {}, /^error: missing required argument 'id'/],
      ['an invalid connection id', ['status', 'x'.repeat(192)], {}, /^Invalid connection id \(192 characters\): it must be 1-191 characters/],
      ['a bad --page', ['list', '--page', 'zero'], {}, /^--page must be a whole number from 1 up\.$/],
      ['a bad --status', ['list', '--status', 'gone'], {}, /^--status must be active or reauthorization_required\.$/],
      ['extra arguments', ['reencrypt', 'now'], {}, /^error: too many arguments for 'reencrypt'/],
      [
        'connect without the Hover settings',
        ['connect'],
        { HOVER_BASE_URL: undefined, HOVER_CLIENT_ID: undefined, HOVER_CLIENT_SECRET: undefined, HOVER_REDIRECT_URI: undefined },
        /^connect talks to Hover: set HOVER_BASE_URL, HOVER_CLIENT_ID, HOVER_CLIENT_SECRET, HOVER_REDIRECT_URI /,
      ],
      ['a configuration error', ['list'], { PORT: 'none' }, /^PORT must be a TCP port number 1-65535/],
      ['an invalid HOVER_* option', ['list'], { HOVER_ENCRYPTION_KEYS: 'not-a-key' }, /^Invalid HoverAuthModule options: - HOVER_ENCRYPTION_KEYS must be/],
    ])('%s', async (_name, args, extra, message) => {
      expect(await runCli(args as string[], environment(extra as NodeJS.ProcessEnv))).toBe(2);
      expect(written.stdout).toBe('');
      expect(written.stderr).toMatch(/^[^\n]+\n$/);
      expect(written.stderr.trimEnd()).toMatch(message);
    });
  });

  // Last, after every child and in-process run.
  describe('afterwards', () => {
    it('no output carries a token, an authorization code, the client secret or a key', () => {
      const secrets = [...tokensKnownToEmulator(emulator), ...codes, CLIENT.clientSecret, E2E_ENCRYPTION_KEYS[0].key, NEW_KEY_VALUE];
      expect(codes.length).toBeGreaterThanOrEqual(3);
      expect(tokensKnownToEmulator(emulator).length).toBeGreaterThanOrEqual(4);
      for (const output of outputs) {
        for (const secret of secrets) {
          expect(output.stdout).not.toContain(secret);
          expect(output.stderr).not.toContain(secret);
        }
      }
    });
  });
});
