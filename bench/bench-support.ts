/** Measurement helpers shared by the benchmark scripts under bench/. */
import { HoverAuthConfigurationError, type HoverAuthModuleOptions } from '@hover-auth/nestjs';
import { resolveHoverAuthOptions } from '../libs/hover-auth/src/config/resolve-hover-auth-options';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Logger as TypeOrmLogger } from 'typeorm';

/** Counts every query TypeORM sends (pass as `logger` with `logging: ['query']`). */
export class QueryCounter implements TypeOrmLogger {
  count = 0;
  logQuery(): void {
    this.count++;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

/** One timed run of `calls` calls kept `concurrency` deep. */
export interface RunStats {
  calls: number;
  failed: number;
  /** Wall time, seconds. */
  seconds: number;
  /** Client CPU time (user + system of this whole process) during the run, microseconds. */
  cpuMicros: number;
  latenciesMs: number[];
}

/**
 * Runs `calls` calls of `call`, `concurrency` at a time (each worker starts its next call when its last
 * one ends), and measures wall time, per-call latency and this process's CPU time.
 */
export async function run(calls: number, concurrency: number, call: () => Promise<unknown>): Promise<RunStats> {
  const latenciesMs: number[] = [];
  let next = 0;
  let failed = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < calls) {
        const t0 = performance.now();
        try {
          await call();
        } catch {
          failed++;
        }
        latenciesMs.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { calls, failed, seconds, cpuMicros: cpu.user + cpu.system, latenciesMs };
}

/** Nearest-rank percentile (`p` in 0–100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (values: readonly number[]) => percentile(values, 50);

export const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** Forces a full collection when node runs with `--expose-gc`; returns whether it could. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return gc !== undefined;
}

/** `2 × AMD EPYC 7B13, 24 GiB, Node v20.x` */
export function describeMachine(): string {
  const list = cpus();
  return `${list.length} cores × ${list[0]?.model.trim() ?? 'unknown CPU'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/**
 * Returns `options` without those of `optional` that the module's validator does not know yet
 * ("Unknown option `x`": the option is being added while this benchmark is written), and the names
 * dropped. Validated with the module's own resolver before booting, because a configuration error
 * inside `NestFactory` aborts the process.
 * @throws {HoverAuthConfigurationError} for any other configuration problem
 */
export function withKnownOptions(options: HoverAuthModuleOptions, optional: readonly string[]): { options: HoverAuthModuleOptions; dropped: string[] } {
  const current: Record<string, unknown> = { ...options };
  const dropped: string[] = [];
  for (;;) {
    try {
      resolveHoverAuthOptions(current as unknown as HoverAuthModuleOptions);
      return { options: current as unknown as HoverAuthModuleOptions, dropped };
    } catch (error) {
      if (!(error instanceof HoverAuthConfigurationError)) throw error;
      const unknown = optional.filter((name) => name in current && error.message.includes(`Unknown option \`${name}\``));
      if (unknown.length === 0) throw error;
      for (const name of unknown) {
        delete current[name];
        dropped.push(name);
      }
    }
  }
}

/** `commit f8f4ba2 + uncommitted changes in 12 files under libs/`: which code a figure was measured on. */
export function describeCode(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const changed = git('status', '--porcelain', '--', 'libs').split('\n').filter(Boolean).length;
    return `commit ${git('rev-parse', '--short', 'HEAD')}${changed ? ` + uncommitted changes in ${changed} files under libs/` : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** `1.02 / 0.87 / 0.55`: the 1, 5 and 15 minute load averages (other work on the machine skews every figure). */
export const describeLoad = () => loadavg().map((n) => fmt(n)).join(' / ');
