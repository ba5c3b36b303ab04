/**
 * Anonymous flood of the authorize route (`npm run bench:flood`): the sample app on PostgreSQL (or
 * DATABASE_URL), 32 concurrent clients without cookies requesting `GET /hover/authorize` for 10 s
 * (FLOOD_CLIENTS, FLOOD_SECONDS). Prints requests served, rows in `hover_authorization_states` and the
 * process's heap before and after, in one run. Issue 8, kind 6: starting a flow must cost the database
 * nothing an anonymous client can multiply.
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { startSampleApp } from '../apps/sample/src/start-sample-app';
import { createPostgresDatabase, createSqliteDatabase } from '../test/support/test-databases';

const CLIENTS = Number(process.env.FLOOD_CLIENTS ?? 32);
const SECONDS = Number(process.env.FLOOD_SECONDS ?? 10);

async function main(): Promise<void> {
  const database = process.env.FLOOD_DATABASE === 'sqlite' ? createSqliteDatabase() : await createPostgresDatabase();
  const sample = await startSampleApp({ PORT: '3977', DATABASE_URL: database.url, HOVER_ENCRYPTION_KEYS: `bench:${Buffer.alloc(32, 9).toString('base64')}` }, false);
  try {
    const rows = async () => Number((await sample.app.get(DataSource).query('SELECT COUNT(*) AS n FROM hover_authorization_states'))[0].n);
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const rowsBefore = await rows();
    const until = performance.now() + SECONDS * 1000;
    let served = 0;
    let other = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (performance.now() < until) {
          const response = await fetch(`${sample.url}/hover/authorize`, { redirect: 'manual' });
          await response.arrayBuffer();
          if (response.status === 302) served++;
          else other++;
        }
      }),
    );
    global.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    console.log(`| database | clients | seconds | 302 answers | other answers | rows before | rows after | heap before (MiB) | heap after (MiB) |`);
    console.log(`| --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
    console.log(
      `| ${database.kind} | ${CLIENTS} | ${SECONDS} | ${served} | ${other} | ${rowsBefore} | ${await rows()} | ${(heapBefore / 2 ** 20).toFixed(1)} | ${(heapAfter / 2 ** 20).toFixed(1)} |`,
    );
  } finally {
    await sample.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
