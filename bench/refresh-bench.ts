/**
 * hover-auth benchmark (`npm run bench`). Prints a Markdown report; every ratio is measured within
 * this one run, against the Hover emulator in its own process on 127.0.0.1 (so the client under test
 * has a core to itself on a 2-core machine) and a SQLite file.
 *
 * 1. GET throughput and p50/p99 latency through HoverHttpService vs a bare axios instance with a fixed
 *    bearer header, same endpoint, same concurrency, interleaved rounds.
 * 2. Database queries per API call in steady state (TypeORM query logger).
 * 3. Refresh storms: N concurrent calls when the access token has expired at Hover → token endpoint
 *    calls and latency.
 * 4. Heap used by 10,000 cached connections.
 */
import 'reflect-metadata';
import { hoverAuthEntities, hoverAuthMigrations } from '@hover-auth/nestjs';
import { HoverConnection, HoverTokenManager } from '../libs/hover-auth/src/testing/internals';
import axios from 'axios';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { DataSource } from 'typeorm';
import { connectThroughEmulator } from '../test/support/emulator-grant';
import { startHoverClientApp } from '../test/support/hover-client-app';

const CLIENT = { clientId: 'bench-client', clientSecret: 'bench-secret', redirectUri: 'http://localhost:3997/hover/callback' };
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const PATH = '/v3/jobs/10001';

/** Counts every query TypeORM sends, whatever its logging settings. */
class QueryCounter implements TypeOrmLogger {
  count = 0;
  logQuery(): void { this.count++; }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

interface RunStats { seconds: number; latenciesMs: number[] }

async function run(calls: number, concurrency: number, call: () => Promise<unknown>): Promise<RunStats> {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < calls) {
        const t0 = performance.now();
        await call();
        latenciesMs.push(performance.now() - t0);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latenciesMs };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const fmt = (n: number, digits = 2) => n.toFixed(digits);

/** The emulator as a separate process (`npm run emulator`), driven through its HTTP control surface. */
class EmulatorProcess {
  private constructor(private readonly child: ChildProcess, readonly baseUrl: string) {}

  static start(): Promise<EmulatorProcess> {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'libs/hover-emulator/src/main.ts'], {
      env: { ...process.env, HOVER_EMULATOR_PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return new Promise((resolve, reject) => {
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = output.match(/ready at (http:\/\/127\.0\.0\.1:\d+)/);
        if (match) resolve(new EmulatorProcess(child, match[1]));
      });
      child.once('exit', (code) => reject(new Error(`emulator exited (${code})`)));
    });
  }

  private async control(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${this.baseUrl}/__emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return response.json();
  }

  registerClient(client: { clientId: string; clientSecret: string; redirectUris: string[] }) {
    return this.control('POST', 'clients', client);
  }

  expireAccessTokens() {
    return this.control('POST', 'expire-tokens');
  }

  async refreshGrants(): Promise<number> {
    return (await this.control('GET', 'stats')).tokenRequests.refresh_token;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'hover-bench-'));
  const emulator = await EmulatorProcess.start();
  await emulator.registerClient({ ...CLIENT, redirectUris: [CLIENT.redirectUri] });
  const queries = new QueryCounter();
  const client = await startHoverClientApp(
    { type: 'better-sqlite3', database: join(folder, 'bench.sqlite'), enableWAL: true, logger: queries, logging: ['query'] },
    { ...CLIENT, baseUrl: emulator.baseUrl, encryptionKeys: [{ id: 'bench', key: Buffer.alloc(32, 1).toString('base64') }], rateLimit: false },
    { runMigrations: true },
  );
  const lines: string[] = [];
  const out = (line = '') => { lines.push(line); console.log(line); };
  try {
    await connectThroughEmulator(emulator.baseUrl, CLIENT, client.connections);
    const hover = client.hover;
    const stored = (await client.connections.findById('default')) as HoverConnection;
    // Same transport settings as HoverHttpService's instance (it never follows redirects, so axios skips
    // the follow-redirects wrapper): the ratio then measures hover-auth's hooks, not a transport choice.
    const bare = axios.create({ baseURL: `${emulator.baseUrl}/api`, maxRedirects: 0, headers: { Authorization: `Bearer ${stored.accessToken}` } });
    const bareDefault = axios.create({ baseURL: `${emulator.baseUrl}/api`, headers: { Authorization: `Bearer ${stored.accessToken}` } });

    out(`# hover-auth benchmark`);
    out();
    out(`- date: ${new Date().toISOString()}`);
    out(`- command: \`npm run bench\` (BENCH_CALLS=${CALLS_PER_ROUND}, BENCH_CONCURRENCY=${CONCURRENCY}, BENCH_ROUNDS=${ROUNDS})`);
    out(`- machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
    out(`- peer: Hover emulator in its own process on 127.0.0.1 (GET /api${PATH}); SQLite file (WAL)`);
    out();

    // 1. Throughput and latency, interleaved so drift hits both sides alike.
    await run(500, CONCURRENCY, () => bare.get(PATH));
    await run(500, CONCURRENCY, () => hover.getData(PATH));
    const bareRuns: RunStats[] = [];
    const hoverRuns: RunStats[] = [];
    const bareDefaultRuns: RunStats[] = [];
    const queriesBefore = queries.count;
    let hoverCalls = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // ABBA order: neither side always runs first (warmer caches, GC debt).
      const hoverRound = () => run(CALLS_PER_ROUND, CONCURRENCY, () => hover.getData(PATH));
      const bareRound = () => run(CALLS_PER_ROUND, CONCURRENCY, () => bare.get(PATH));
      if (round % 2 === 0) {
        bareRuns.push(await bareRound());
        hoverRuns.push(await hoverRound());
      } else {
        hoverRuns.push(await hoverRound());
        bareRuns.push(await bareRound());
      }
      bareDefaultRuns.push(await run(CALLS_PER_ROUND, CONCURRENCY, () => bareDefault.get(PATH)));
      hoverCalls += CALLS_PER_ROUND;
    }
    const roundRatios = hoverRuns.map((h, i) => bareRuns[i].seconds / h.seconds);
    const steadyQueries = queries.count - queriesBefore;
    const summarize = (runs: RunStats[]) => {
      const latencies = runs.flatMap((r) => r.latenciesMs);
      const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
      return { rps: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    };
    const b = summarize(bareRuns);
    const h = summarize(hoverRuns);
    const d = summarize(bareDefaultRuns);
    out(`## GET throughput and latency (${ROUNDS} interleaved rounds × ${CALLS_PER_ROUND} calls, concurrency ${CONCURRENCY})`);
    out();
    out('| client | calls/s | p50 ms | p99 ms |');
    out('| --- | ---: | ---: | ---: |');
    out(`| bare axios, fixed bearer header, \`maxRedirects: 0\` (same transport as ours) | ${fmt(b.rps, 0)} | ${fmt(b.p50)} | ${fmt(b.p99)} |`);
    out(`| HoverHttpService | ${fmt(h.rps, 0)} | ${fmt(h.p50)} | ${fmt(h.p99)} |`);
    out(`| **ratio HoverHttpService / bare** | **${fmt(h.rps / b.rps)}** (target ≥ 0.90) | ${fmt(h.p50 / b.p50)} | ${fmt(h.p99 / b.p99)} |`);
    out(`| for reference: bare axios with default settings (follows redirects) | ${fmt(d.rps, 0)} | ${fmt(d.p50)} | ${fmt(d.p99)} |`);
    out();
    out(`Throughput ratio per round: ${roundRatios.map((r) => fmt(r)).join(', ')} (median ${fmt(percentile(roundRatios, 50))}); the spread is this machine's noise.`);
    out();
    out(`## Database queries per API call in steady state`);
    out();
    out(`${steadyQueries} queries over ${hoverCalls} calls → **${fmt(steadyQueries / hoverCalls, 4)} per call** (target 0)`);
    out();

    // 3. Refresh storms.
    out(`## Refresh storm: N concurrent calls right after the access token expired at Hover`);
    out();
    out('| N | token endpoint calls | failed calls | wall ms | p50 ms | p99 ms | max ms |');
    out('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const n of [10, 100, 1000]) {
      await emulator.expireAccessTokens();
      const refreshesBefore = await emulator.refreshGrants();
      let failed = 0;
      const stats = await run(n, n, () => hover.getData(PATH).catch(() => failed++));
      const refreshes = (await emulator.refreshGrants()) - refreshesBefore;
      out(`| ${n} | ${refreshes} | ${failed} | ${fmt(stats.seconds * 1000, 0)} | ${fmt(percentile(stats.latenciesMs, 50))} | ${fmt(percentile(stats.latenciesMs, 99))} | ${fmt(Math.max(...stats.latenciesMs))} |`);
    }
    out();
    out(`Steady-state p50 for comparison: ${fmt(h.p50)} ms (the storm's extra latency is one 401 round trip + one refresh + one retry).`);
    out();

    // 4. Memory for 10,000 cached connections.
    const count = 10_000;
    // Stored through the repository, so the rows hold real ciphertext like production rows.
    const repository = client.connections;
    const ids = Array.from({ length: count }, (_, i) => `tenant-${i}`);
    for (let i = 0; i < ids.length; i += 250) {
      await Promise.all(
        ids.slice(i, i + 250).map((connectionId, j) =>
          repository.saveAuthorizedConnection(
            connectionId,
            { accessToken: `${stored.accessToken}-${i + j}`, refreshToken: `refresh-${i + j}-${'x'.repeat(32)}`, accessTokenIssuedAt: Date.now(), accessTokenExpiresAt: Date.now() + 7_000_000, scope: 'all', ownerId: String(1000 + i + j), ownerType: 'orgs' },
            { hoverUserId: String(i + j), hoverOrgId: String(1000 + i + j), hoverOrgName: null, integrationsEnabled: true },
          ),
        ),
      );
    }
    const tokens = client.app.get(HoverTokenManager);
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    for (const connectionId of ids) await tokens.getAccessToken(connectionId);
    gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    out(`## Memory for ${count.toLocaleString('en')} cached connections`);
    out();
    out(`${tokens.cachedConnectionCount} connections cached: heap +${fmt((heapAfter - heapBefore) / 2 ** 20, 1)} MiB → ${fmt((heapAfter - heapBefore) / count, 0)} bytes per connection (access token ${stored.accessToken.length} chars)${gc ? '' : ' — run with --expose-gc for a stable figure'}`);
  } finally {
    await client.close();
    await emulator.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
