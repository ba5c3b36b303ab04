import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { WorkerCommand, WorkerInit, WorkerReport } from './refresh-worker';

const ROOT = join(__dirname, '..', '..');

/** One app instance in its own Node process (see refresh-worker.ts). */
export class RefreshWorker {
  private constructor(readonly child: ChildProcess) {}

  /** Forks the worker (TypeScript through ts-node, transpile-only) and waits until it has booted. */
  static async start(init: WorkerInit): Promise<RefreshWorker> {
    const child = fork(join(__dirname, 'refresh-worker.ts'), [], {
      cwd: ROOT,
      execArgv: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'],
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), HOVER_WORKER_INIT: JSON.stringify(init) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker = new RefreshWorker(child);
    await worker.next('ready', 60_000);
    return worker;
  }

  /** Sends a command without waiting for an answer. */
  send(command: WorkerCommand): void {
    this.child.send(command);
  }

  /** Sends a command and resolves with the next report of type `expected`. */
  async request<T extends WorkerReport['type']>(command: WorkerCommand, expected: T, timeoutMs = 60_000): Promise<Extract<WorkerReport, { type: T }>> {
    const answer = this.next(expected, timeoutMs);
    this.child.send(command);
    return answer;
  }

  next<T extends WorkerReport['type']>(expected: T, timeoutMs: number): Promise<Extract<WorkerReport, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`worker ${this.child.pid}: no "${expected}" within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (report: WorkerReport) => {
        if (report.type === expected) finish(null, report as Extract<WorkerReport, { type: T }>);
      };
      const onExit = (code: number | null, signal: string | null) => finish(new Error(`worker ${this.child.pid} exited (${code ?? signal}) before "${expected}"`));
      const finish = (error: Error | null, report?: Extract<WorkerReport, { type: T }>) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        if (error) reject(error);
        else resolve(report as Extract<WorkerReport, { type: T }>);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }

  /** Asks the worker to close its app and exit; kills it after 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'stop' } satisfies WorkerCommand);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  /** SIGKILL: the process dies at once, whatever it holds. */
  async kill(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }
}
