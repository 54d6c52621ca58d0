/** A watched run: the S1 graph through the API (its own process) with 10 SSE clients and 10 pollers, and the SSE lag during a wide run. */
import { freePort } from '../../src/temporal/free-port';
import type { BenchContext } from '../context';
import { TASK_QUEUE } from '../context';
import { fanOut } from '../graphs';
import { round } from '../stats';
import { measureWatching, startApiProcess } from '../watching';

export async function watchedScenario(ctx: BenchContext): Promise<void> {
  const { base, quick, log, client, server, results, table, goals } = ctx;
  log('Watched run: 10 SSE clients and 10 pollers at 20 ms');
  const apiProcess = await startApiProcess(server.address, TASK_QUEUE, await freePort());
  const watched = await measureWatching({
    api: apiProcess.url,
    client,
    reps: quick ? 2 : 10,
    wideWidth: quick ? 100 : 1000,
    s1: fanOut(base),
    wide: fanOut(base, quick ? 100 : 1000, 0, 50),
  }).finally(apiProcess.stop);
  results.watched = watched;
  table.push('| Watched run (S1 graph through the API, `npm run api` as its own process) | median ms | p95 ms |', '|---|---|---|');
  table.push(`| unwatched | ${round(watched.unwatched.median)} | ${round(watched.unwatched.p95)} |`);
  table.push(`| 10 SSE clients + 10 pollers at 20 ms | ${round(watched.watched.median)} | ${round(watched.watched.p95)} |`);
  table.push(`| watched / unwatched | ${watched.ratio} | |`);
  table.push(`| SSE lag, node change → client (S1) | ${round(watched.lag.median)} | ${round(watched.lag.p95)} |`);
  table.push(`| SSE lag during a ${quick ? 100 : 1000}-wide run (10 SSE clients) | ${round(watched.wideLag.median)} | ${round(watched.wideLag.p95)} |`, '');
  goals.push({
    scenario: 'watched run',
    goal: '≤ 1.05× unwatched; SSE lag p95 ≤ 250 ms',
    measured: `${watched.ratio}×; lag p95 ${round(watched.lag.p95)} ms (${round(watched.wideLag.p95)} ms during a ${quick ? 100 : 1000}-wide run)`,
    met: watched.ratio <= 1.05 && watched.lag.p95 <= 250 && watched.wideLag.p95 <= 250,
  });
}
