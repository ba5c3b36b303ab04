/**
 * Flood of the authorize route (`npm run bench:flood`): the sample app on PostgreSQL (or SQLite with
 * FLOOD_DATABASE=sqlite), signed in once as the sample user, then 32 concurrent clients sending only that
 * session cookie (never the flow cookies they get back) request `GET /hover/authorize` for 10 s
 * (FLOOD_CLIENTS, FLOOD_SECONDS). Prints requests served, rows in `hover_authorization_states` and the
 * process's heap before and after, in one run. Issue 8, kind 6: starting a flow must cost the database
 * nothing a client can multiply. The sample starts flows for signed-in users only (an anonymous request
 * is answered 401 before any flow starts), so one session, reused, is the cheapest way to start many.
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { startSampleApp } from '../apps/sample/src/start-sample-app';
import { SAMPLE_USER, signInToSample } from '../test/support/sample-harness';
import { createPostgresDatabase, createSqliteDatabase } from '../test/support/test-databases';

const CLIENTS = Number(process.env.FLOOD_CLIENTS ?? 32);
const SECONDS = Number(process.env.FLOOD_SECONDS ?? 10);

async function main(): Promise<void> {
  const database = process.env.FLOOD_DATABASE === 'sqlite' ? createSqliteDatabase() : await createPostgresDatabase();
  const sample = await startSampleApp({ PORT: '3977', DATABASE_URL: database.url, HOVER_ENCRYPTION_KEYS: `bench:${Buffer.alloc(32, 9).toString('base64')}` }, false);
  try {
    const cookie = await signInToSample(sample.url, SAMPLE_USER);
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
          const response = await fetch(`${sample.url}/hover/authorize`, { redirect: 'manual', headers: { cookie } });
          await response.arrayBuffer();
          if (response.status === 302) served++;
          else other++;
        }
      }),
    );
    global.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    console.log(`Signed in once as ${SAMPLE_USER}; every request sends that session cookie only.`);
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
