/**
 * The commands: each takes its arguments and the CLI's context and resolves
 * to its exit code. Output goes through `ctx.print` (text, or one JSON value
 * per line with --json).
 */
import { BULK_ACTIONS } from '../graph/run-state';
import { readFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { RunSummary, RunView } from '../runs/run-store';
import type { ApiClient } from './client';
import { ApiFailure } from './client';
import type { ExitCode } from './format';
import { EXIT, exitFor, FINISHED_NODE, invalidText, runListTable, runSummary, validText } from './format';

export interface CliContext {
  api: ApiClient;
  json: boolean;
  /** Prints `value` as JSON with --json, else `text()`. */
  print(value: unknown, text: () => string): void;
  /** Notes for a person (stderr); not printed with --json. */
  note(text: string): void;
  /** Where the progress bar draws (stderr; it redraws in place on a terminal). */
  progress?: NodeJS.WritableStream;
}

/** A usage, file or input problem: exit 2 with this message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path} is not JSON: ${(err as Error).message}`);
  }
}

function parseJsonOption(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new UsageError(`${name} is not JSON: ${(err as Error).message}`);
  }
}

/** Follows a run to its end, with a progress bar of finished nodes (or one JSON line per node event). */
export async function followRun(ctx: CliContext, runId: string): Promise<RunView> {
  const nodes = new Map<string, string>();
  const finished = () => [...nodes.values()].filter((s) => FINISHED_NODE.has(s)).length;
  const bar = ctx.json
    ? undefined
    : new SingleBar({
        ...(ctx.progress ? { stream: ctx.progress } : {}),
        format: ' {bar} {value}/{total} nodes | {status}',
        noTTYOutput: true,
        notTTYSchedule: 1_000,
        hideCursor: false,
      });
  let barStarted = false;
  let final: RunView | undefined;
  for await (const event of ctx.api.watchRun(runId)) {
    if (event.kind === 'run') {
      final = event.run;
      break;
    }
    nodes.set(event.nodeId, event.status);
    if (ctx.json) ctx.print({ event: 'node', ...event.data }, () => '');
    if (!bar) continue;
    if (!barStarted) {
      bar.start(nodes.size, 0, { status: 'running' });
      barStarted = true;
    }
    // The stream sends every node's state first: the total grows to the node count.
    bar.setTotal(Math.max(bar.getTotal(), nodes.size));
    bar.update(finished(), { status: `${event.nodeId} ${event.status}` });
  }
  if (bar && barStarted) {
    if (final) bar.setTotal(Object.keys(final.nodes).length);
    bar.update(final ? Object.values(final.nodes).filter((n) => FINISHED_NODE.has(n.status)).length : finished(), { status: final?.status ?? 'stream ended' });
    bar.stop();
  }
  return final ?? (await ctx.api.getRun(runId));
}

export async function runCommand(ctx: CliContext, file: string, opts: { input?: string; trigger?: string; watch?: boolean; wait: string }): Promise<ExitCode> {
  const content = readJsonFile(file) as Record<string, unknown>;
  const body: Record<string, unknown> = 'workflow' in content ? { ...content } : { workflow: content };
  if (opts.input !== undefined) body.input = parseJsonOption('--input', opts.input);
  if (opts.trigger !== undefined) body.trigger = opts.trigger;
  const wait = Number(opts.wait);
  if (!Number.isInteger(wait) || wait < 0 || wait > 60) throw new UsageError('--wait must be a whole number of seconds from 0 to 60');
  // Without --watch, the API answers with the whole run when it ends within --wait (Prefer: wait).
  const prefer: Record<string, string> = !opts.watch && wait > 0 ? { prefer: `wait=${wait}` } : {};
  const started = await ctx.api.request<
    { runId: string; status: string; queue?: { key: string; position: number | null }; links: { self: string; temporalUi: string } } | RunView
  >('POST', '/v1/runs', body, prefer);
  if ('nodes' in started) {
    ctx.print(started, () => runSummary(started, ctx.api.baseUrl));
    return exitFor(started);
  }
  if (!opts.watch) {
    // A run its limits made wait says so, with its place.
    const queued = started.queue ? `\nqueued: #${started.queue.position ?? '?'} for key ${started.queue.key}` : '';
    ctx.print(started, () => `${started.runId}${queued}\n${started.links.temporalUi}`);
    return EXIT.ok;
  }
  ctx.note(`started ${started.runId}: ${ctx.api.baseUrl}/runs/${encodeURIComponent(started.runId)}`);
  const run = await followRun(ctx, started.runId);
  ctx.print({ event: 'run', ...run }, () => runSummary(run, ctx.api.baseUrl));
  return exitFor(run);
}

export async function statusCommand(ctx: CliContext, runId: string): Promise<ExitCode> {
  const run = await ctx.api.getRun(runId);
  ctx.print(run, () => runSummary(run, ctx.api.baseUrl));
  return exitFor(run);
}

export async function listCommand(ctx: CliContext, opts: { workflow?: string; status?: string; limit: string }): Promise<ExitCode> {
  const query = new URLSearchParams({
    limit: opts.limit,
    ...(opts.workflow ? { workflow: opts.workflow } : {}),
    ...(opts.status ? { status: opts.status } : {}),
  });
  const page = await ctx.api.request<{ runs: RunSummary[] }>('GET', `/v1/runs?${query}`);
  ctx.print(page, () => runListTable(page.runs));
  return EXIT.ok;
}

export async function cancelCommand(ctx: CliContext, runId: string): Promise<ExitCode> {
  const res = await ctx.api.request<{ runId: string; status: string }>('POST', `/v1/runs/${encodeURIComponent(runId)}/cancel`);
  ctx.print(res, () => `${res.runId} ${res.status}`);
  return EXIT.ok;
}

/** `braid pause <runId>`, `braid resume <runId>`: the run's new status. */
export const controlCommand =
  (action: 'pause' | 'resume') =>
  async (ctx: CliContext, runId: string): Promise<ExitCode> => {
    const run = await ctx.api.request<RunView>('POST', `/v1/runs/${encodeURIComponent(runId)}/${action}`);
    ctx.print(run, () => `${run.runId} ${run.status}`);
    return EXIT.ok;
  };

export async function redriveCommand(
  ctx: CliContext,
  runId: string,
  opts: { from?: string[]; input?: string; latest?: boolean; runId?: string; watch?: boolean },
): Promise<ExitCode> {
  const body = {
    ...(opts.from && opts.from.length > 0 ? { fromNodes: opts.from } : {}),
    ...(opts.input !== undefined ? { input: parseJsonOption('--input', opts.input) } : {}),
    ...(opts.latest ? { version: 'latest' } : {}),
    ...(opts.runId ? { runId: opts.runId } : {}),
  };
  const res = await ctx.api.request<{ runId: string; redriveOf: string; reused: string[]; links: { self: string; temporalUi: string } }>(
    'POST',
    `/v1/runs/${encodeURIComponent(runId)}/redrive`,
    body,
  );
  const reused = res.reused.length > 0 ? `reusing ${res.reused.join(', ')}` : 'reusing nothing';
  if (!opts.watch) {
    ctx.print(res, () => `${res.runId} (redrive of ${res.redriveOf}, ${reused})\n${res.links.temporalUi}`);
    return EXIT.ok;
  }
  ctx.note(`started ${res.runId}, a redrive of ${res.redriveOf} ${reused}: ${ctx.api.baseUrl}/runs/${encodeURIComponent(res.runId)}`);
  const run = await followRun(ctx, res.runId);
  ctx.print({ event: 'run', ...run }, () => runSummary(run, ctx.api.baseUrl));
  return exitFor(run);
}

export async function bulkCommand(
  ctx: CliContext,
  action: string,
  opts: { workflow?: string; version?: string; status?: string; startedAfter?: string; startedBefore?: string; limit?: string; wait?: boolean },
): Promise<ExitCode> {
  if (!(BULK_ACTIONS as readonly string[]).includes(action)) throw new UsageError('the action is redrive, cancel, pause or resume');
  const filter = {
    ...(opts.workflow ? { workflow: opts.workflow } : {}),
    ...(opts.version ? { version: opts.version } : {}),
    ...(opts.status ? { status: opts.status } : {}),
    ...(opts.startedAfter ? { startedAfter: opts.startedAfter } : {}),
    ...(opts.startedBefore ? { startedBefore: opts.startedBefore } : {}),
  };
  const limit = opts.limit === undefined ? undefined : Number(opts.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 1000)) throw new UsageError('--limit must be a whole number from 1 to 1000');
  type Progress = {
    operationId: string;
    status: string;
    total: number;
    done: number;
    failed: number;
    runIds: string[];
    failures: { runId: string; message: string }[];
  };
  const started = await ctx.api.request<{ operationId: string; matched: number; links: { self: string } }>('POST', '/v1/runs/bulk', {
    action,
    filter,
    ...(limit ? { limit } : {}),
  });
  if (!opts.wait) {
    ctx.print(started, () => `${started.operationId}: ${action} of ${started.matched} run(s) started\n${ctx.api.baseUrl}${started.links.self}`);
    return EXIT.ok;
  }
  ctx.note(`${started.operationId}: ${action} of ${started.matched} run(s)`);
  let progress: Progress;
  for (;;) {
    progress = await ctx.api.request<Progress>('GET', started.links.self);
    if (progress.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  ctx.print(progress, () =>
    [
      `${progress.operationId} ${progress.status}: ${progress.done}/${progress.total} done, ${progress.failed} failed`,
      ...progress.runIds,
      ...progress.failures.map((f) => `failed ${f.runId}: ${f.message}`),
    ].join('\n'),
  );
  return progress.failed > 0 || progress.status !== 'succeeded' ? EXIT.failed : EXIT.ok;
}

export async function validateCommand(ctx: CliContext, file: string): Promise<ExitCode> {
  const content = readJsonFile(file) as Record<string, unknown>;
  const definition = 'workflow' in content && !('nodes' in content) ? content.workflow : content;
  try {
    const ok = await ctx.api.request<{ valid: true; stats: Record<string, number> }>('POST', '/v1/workflows/validate', definition);
    ctx.print(ok, () => validText(ok.stats));
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof ApiFailure && err.status === 422)) throw err;
    const errors = err.problem.errors ?? [];
    ctx.print({ valid: false, errors }, () => invalidText(errors));
    return EXIT.failed;
  }
}
