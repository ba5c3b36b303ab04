import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

/** Runs the CLI from source, as `node dist/main.js` would run the build. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'main.ts'), ...args], {
    cwd: join(__dirname, '..', '..', '..'),
    env: { ...process.env, HOVER_EMULATOR_PORT: '', ...env, TS_NODE_PROJECT: join(__dirname, '..', 'tsconfig.build.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child, { output: () => output });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function waitFor(check: () => RegExpMatchArray | null, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = check();
    if (match) return match;
    if (Date.now() > deadline) throw new Error('timed out waiting for CLI output');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('hover-emulator CLI', () => {
  it('--help prints the usage and exits 0', async () => {
    const child = cli(['--help']);
    expect(await exitCode(child)).toBe(0);
    expect(child.output()).toContain('Usage: hover-emulator [--port N]');
    expect(child.output()).toContain('-p, --port N');
  });

  it.each([
    [['--port', 'abc'], {}, 'hover-emulator: --port must be a TCP port 0-65535, got "abc".'],
    [['--port', '70000'], {}, 'hover-emulator: --port must be a TCP port 0-65535, got "70000".'],
    [['--verbose'], {}, "hover-emulator: Unknown option '--verbose'"],
    [['4010'], {}, "hover-emulator: Unexpected argument '4010'"],
    [[], { HOVER_EMULATOR_PORT: 'eighty' }, 'hover-emulator: HOVER_EMULATOR_PORT must be a TCP port 0-65535, got "eighty".'],
  ])('%j (env %j) is a usage error: exit 2 and "%s"', async (args, env, message) => {
    const child = cli(args, env);
    expect(await exitCode(child)).toBe(2);
    expect(child.output()).toContain(message);
    expect(child.output()).toContain('Run "hover-emulator --help" for usage.');
  });

  it('--port 0 serves on a free port and stops cleanly on SIGTERM (exit 0)', async () => {
    const child = cli(['--port', '0']);
    const exited = exitCode(child);
    const [, baseUrl] = await waitFor(() => child.output().match(/ready at (http:\/\/127\.0\.0\.1:\d+)/));
    expect(child.output()).toContain('client_id:     hover-emulator-client');
    const stats = await fetch(`${baseUrl}/__emulator/stats`);
    expect(stats.status).toBe(200);
    expect(((await stats.json()) as { tokenRequests: { total: number } }).tokenRequests.total).toBe(0);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(child.output()).toContain('SIGTERM received, stopping');
    await expect(fetch(`${baseUrl}/__emulator/stats`)).rejects.toThrow('fetch failed');
  });

  it('a port in use is a start failure: exit 1 with the reason', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const child = cli([], { HOVER_EMULATOR_PORT: String(port) });
      expect(await exitCode(child)).toBe(1);
      expect(child.output()).toContain('[hover-emulator] failed to start: listen EADDRINUSE');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
