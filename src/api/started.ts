/**
 * The answer to a run just started. With `Prefer: wait=<n>` the API waits (at
 * most n seconds, Temporal's long poll on the run's result) and answers with
 * the whole run once it ended, so a caller of a short workflow gets its output
 * in one request; otherwise, or past n, that the run is running. A client
 * that goes away while waiting ends only the wait: the run goes on.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { preferredWait } from './prefer';
import type { RunStore, StartedRun } from '../runs/run-store';
import type { runStartedSchema } from './schemas';

export interface StartedAnswer {
  body: z.infer<typeof runStartedSchema>;
  headers: Record<string, string>;
}

export async function startedAnswer(c: Context, store: Pick<RunStore, 'waitForEnd' | 'get'>, started: StartedRun): Promise<StartedAnswer> {
  const headers: Record<string, string> = { location: started.links.self, vary: 'Prefer' };
  // A queued run says so, with its place; `Prefer: wait` waits through the queue.
  const status = started.status ?? 'running';
  const running: StartedAnswer = { body: { runId: started.runId, status, ...(started.queue ? { queue: started.queue } : {}), links: started.links }, headers };
  const wait = preferredWait(c.req.header('prefer'));
  if (wait === undefined || wait === 0) return running;
  const ended = await store.waitForEnd(started.runId, wait * 1000, c.req.raw.signal);
  if (!ended) return running;
  return { body: await store.get(started.runId), headers: { ...headers, 'preference-applied': `wait=${wait}` } };
}
