/**
 * A separate app instance for the multi-process refresh suites, started with `fork()`. It boots the
 * host app (TypeORM + HoverAuthModule) on the shared database and answers commands over IPC:
 * - `{ type: 'burst', calls, connectionId }` → runs `calls` concurrent GETs, answers `{ type: 'burst-done', ok, failures }`;
 * - `{ type: 'call' }` → one GET in the background (used to be killed while it holds the refresh lease);
 * - `{ type: 'stop' }` → closes and exits.
 */
import 'reflect-metadata';
import type { HoverAuthModuleOptions } from '@hover-auth/nestjs';
import type { DataSourceOptions } from 'typeorm';
import { startHoverClientApp } from './hover-client-app';

export interface WorkerInit {
  dataSource: DataSourceOptions;
  hover: HoverAuthModuleOptions;
}

export type WorkerCommand = { type: 'burst'; calls: number; connectionId: string } | { type: 'call'; connectionId: string } | { type: 'stop' };

export type WorkerReport =
  | { type: 'ready' }
  | { type: 'burst-done'; ok: number; failures: string[] }
  | { type: 'call-done'; ok: boolean; failure?: string };

function describe(error: unknown): string {
  const candidate = error as { code?: string; response?: { status?: number }; name?: string };
  return candidate?.response?.status ? `HTTP ${candidate.response.status}` : String(candidate?.code ?? candidate?.name ?? error);
}

async function main(): Promise<void> {
  const init = JSON.parse(process.env.HOVER_WORKER_INIT as string) as WorkerInit;
  const client = await startHoverClientApp(init.dataSource, init.hover);
  const send = (report: WorkerReport) => process.send?.(report);

  process.on('message', async (command: WorkerCommand) => {
    if (command.type === 'stop') {
      await client.close();
      process.exit(0);
    }
    const scoped = client.hover.forConnection(command.connectionId);
    const call = () => scoped.getData('/v3/jobs', { params: { per: 1 } });
    if (command.type === 'call') {
      call().then(
        () => send({ type: 'call-done', ok: true }),
        (error: unknown) => send({ type: 'call-done', ok: false, failure: describe(error) }),
      );
      return;
    }
    const results = await Promise.allSettled(Array.from({ length: command.calls }, call));
    send({
      type: 'burst-done',
      ok: results.filter((result) => result.status === 'fulfilled').length,
      failures: results.flatMap((result) => (result.status === 'rejected' ? [describe(result.reason)] : [])),
    });
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error(`refresh worker failed to start: ${(error as Error).message}`);
  process.exit(1);
});
