/**
 * `braid`: the command line over the HTTP API (BRAID_URL, default
 * http://127.0.0.1:3000; API_TOKEN when the API wants one).
 *
 *   braid run <file.json> [--input <json>] [--watch]   start a run (and follow it)
 *   braid status <runId>                                one run and its nodes
 *   braid list [--workflow <name>] [--status <s>]       recent runs
 *   braid cancel <runId>
 *   braid validate <file.json>
 *
 * `--json` prints machine-readable output. Exit codes: 0 done, 1 the run
 * failed (or was canceled, terminated, timed out) or the definition has
 * problems, 2 a usage, file or API error.
 */
import { readFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import { Command, CommanderError, Option } from 'commander';
import { createParser } from 'eventsource-parser';
import type { RunView } from './api/run-store';

export const EXIT = { ok: 0, failed: 1, error: 2 } as const;

interface Io {
  env: Record<string, string | undefined>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Where the progress bar draws (stderr; it redraws in place on a terminal). */
  progress?: NodeJS.WritableStream;
}

interface Problem {
  title?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

/** An API answer that is not what the command needed (the problem's detail and field errors). */
class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

const FINISHED_NODE = new Set(['succeeded', 'failed', 'skipped', 'canceled']);

function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CommanderError(EXIT.error, 'braid.file', `cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CommanderError(EXIT.error, 'braid.file', `${path} is not JSON: ${(err as Error).message}`);
  }
}

function parseJsonOption(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new CommanderError(EXIT.error, 'braid.input', `--input is not JSON: ${(err as Error).message}`);
  }
}

export function createCli(io: Io): Command {
  const base = (io.env.BRAID_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const headers = (json: boolean): Record<string, string> => ({
    ...(io.env.API_TOKEN ? { authorization: `Bearer ${io.env.API_TOKEN}` } : {}),
    ...(json ? { 'content-type': 'application/json' } : {}),
  });

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { method, headers: headers(body !== undefined), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (err) {
      throw new CommanderError(EXIT.error, 'braid.connect', `cannot reach the Braid API at ${base} (BRAID_URL): ${(err as Error).cause ?? (err as Error).message}`);
    }
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) throw new ApiFailure(res.status, (parsed ?? {}) as Problem);
    return parsed as T;
  }

  const program = new Command('braid')
    .description('Durable graph workflows on Temporal: run, watch, list, cancel and validate through the Braid API.')
    .addOption(new Option('--json', 'machine-readable output'))
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();
  const json = () => Boolean(program.opts<{ json?: boolean }>().json);
  const print = (value: unknown, text: () => string) => io.out(json() ? `${JSON.stringify(value)}\n` : `${text()}\n`);

  const nodeTable = (run: RunView) => {
    const table = new Table({ head: ['node', 'status', 'attempts', 'queued ms', 'run ms', 'error'], style: { head: [], border: [] } });
    for (const [id, n] of Object.entries(run.nodes)) {
      table.push([id, n.status, n.attempts ?? 0, n.queuedMs ?? '', n.runMs ?? '', n.error ? `${n.error.type ?? 'Error'}: ${n.error.message ?? ''}`.slice(0, 80) : '']);
    }
    return table.toString();
  };
  const summary = (run: RunView) =>
    [
      `${run.runId}  ${run.status}  (${run.name})`,
      run.metrics?.wallMs !== undefined ? `wall ${run.metrics.wallMs} ms, work ${run.metrics.workMs ?? 0} ms, efficiency ${run.metrics.efficiency ?? 0}` : '',
      run.error?.message ? `error: ${run.error.message}` : '',
      `Run page: ${base}/runs/${encodeURIComponent(run.runId)}`,
      run.links?.temporalUi ? `Temporal Web UI: ${run.links.temporalUi}` : '',
      nodeTable(run),
    ]
      .filter(Boolean)
      .join('\n');
  const exitFor = (run: RunView) => (run.status === 'succeeded' || run.status === 'running' ? EXIT.ok : EXIT.failed);

  /** Follows a run's SSE stream to its end, with a progress bar of finished nodes. */
  async function watch(runId: string): Promise<RunView> {
    let res: Response;
    try {
      res = await fetch(`${base}/v1/runs/${encodeURIComponent(runId)}/events`, { headers: headers(false) });
    } catch (err) {
      throw new CommanderError(EXIT.error, 'braid.connect', `cannot reach the Braid API at ${base}: ${(err as Error).message}`);
    }
    if (!res.ok || !res.body) throw new ApiFailure(res.status, ((await res.json().catch(() => ({}))) ?? {}) as Problem);
    const nodes = new Map<string, string>();
    let final: RunView | undefined;
    const bar = json()
      ? undefined
      : new SingleBar({
          ...(io.progress ? { stream: io.progress } : {}),
          format: ' {bar} {value}/{total} nodes | {status}',
          noTTYOutput: true,
          notTTYSchedule: 1_000,
          hideCursor: false,
        });
    let barStarted = false;
    const finished = () => [...nodes.values()].filter((s) => FINISHED_NODE.has(s)).length;
    const parser = createParser({
      onEvent(event) {
        const data = JSON.parse(event.data) as Record<string, unknown>;
        if (event.event === 'node') {
          nodes.set(String(data.nodeId), String(data.status));
          if (bar) {
            if (!barStarted) {
              bar.start(nodes.size, 0, { status: 'running' });
              barStarted = true;
            }
            // The stream sends every node's state first: the total grows to the node count.
            bar.setTotal(Math.max(bar.getTotal(), nodes.size));
            bar.update(finished(), { status: `${data.nodeId} ${data.status}` });
          }
          if (json()) io.out(`${JSON.stringify({ event: 'node', ...data })}\n`);
        } else if (event.event === 'run') {
          final = data as unknown as RunView;
        } else if (event.event === 'error') {
          throw new CommanderError(EXIT.error, 'braid.watch', `watching failed: ${String(data.message)}`);
        }
      },
    });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    while (!final) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    await reader.cancel().catch(() => undefined);
    if (bar && barStarted) {
      if (final) bar.setTotal(Object.keys(final.nodes).length);
      bar.update(final ? Object.values(final.nodes).filter((n) => FINISHED_NODE.has(n.status)).length : finished(), { status: final?.status ?? 'stream ended' });
      bar.stop();
    }
    return final ?? (await api<RunView>('GET', `/v1/runs/${encodeURIComponent(runId)}`));
  }

  program
    .command('run')
    .description('start a run of a definition file (a bare definition, or a POST /v1/runs body like examples/*.json)')
    .argument('<file>', 'JSON file')
    .option('--input <json>', 'the run input (replaces the file\'s)')
    .option('--trigger <id>', 'fire only this trigger node')
    .option('--watch', 'follow the run to its end, with a progress bar')
    .action(async (file: string, opts: { input?: string; trigger?: string; watch?: boolean }) => {
      const content = readJsonFile(file) as Record<string, unknown>;
      const body: Record<string, unknown> = 'workflow' in content ? { ...content } : { workflow: content };
      if (opts.input !== undefined) body.input = parseJsonOption(opts.input);
      if (opts.trigger !== undefined) body.trigger = opts.trigger;
      const started = await api<{ runId: string; links: { self: string; temporalUi: string } }>('POST', '/v1/runs', body);
      if (!opts.watch) {
        print(started, () => `${started.runId}\n${started.links.temporalUi}`);
        return;
      }
      if (!json()) io.err(`started ${started.runId}: ${base}/runs/${encodeURIComponent(started.runId)}\n`);
      const run = await watch(started.runId);
      print({ event: 'run', ...run }, () => summary(run));
      process.exitCode = exitFor(run);
    });

  program
    .command('status')
    .description('show a run and its nodes')
    .argument('<runId>')
    .action(async (runId: string) => {
      const run = await api<RunView>('GET', `/v1/runs/${encodeURIComponent(runId)}`);
      print(run, () => summary(run));
      process.exitCode = exitFor(run);
    });

  program
    .command('list')
    .description('list recent runs, newest first')
    .option('--workflow <name>', 'only runs of this workflow')
    .option('--status <status>', 'only runs in this status')
    .option('--limit <n>', 'how many', '20')
    .action(async (opts: { workflow?: string; status?: string; limit: string }) => {
      const query = new URLSearchParams({ limit: opts.limit, ...(opts.workflow ? { workflow: opts.workflow } : {}), ...(opts.status ? { status: opts.status } : {}) });
      const page = await api<{ runs: { runId: string; name: string; status: string; startedAt: string | null; finishedAt: string | null }[] }>('GET', `/v1/runs?${query}`);
      print(page, () => {
        const table = new Table({ head: ['run', 'workflow', 'status', 'started', 'duration'], style: { head: [], border: [] } });
        for (const r of page.runs) {
          const ms = r.startedAt && r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : undefined;
          table.push([r.runId, r.name, r.status, r.startedAt ?? '', ms === undefined ? '' : `${ms} ms`]);
        }
        return table.toString();
      });
    });

  program
    .command('cancel')
    .description('cancel a running run')
    .argument('<runId>')
    .action(async (runId: string) => {
      const res = await api<{ runId: string; status: string }>('POST', `/v1/runs/${encodeURIComponent(runId)}/cancel`);
      print(res, () => `${res.runId} ${res.status}`);
    });

  program
    .command('validate')
    .description('check a definition file without running it')
    .argument('<file>', 'JSON file (a bare definition, or a run body with "workflow")')
    .action(async (file: string) => {
      const content = readJsonFile(file) as Record<string, unknown>;
      const definition = 'workflow' in content && !('nodes' in content) ? content.workflow : content;
      try {
        const ok = await api<{ valid: true; stats: Record<string, number> }>('POST', '/v1/workflows/validate', definition);
        print(ok, () => `valid: ${Object.entries(ok.stats).map(([k, v]) => `${v} ${k}`).join(', ')}`);
      } catch (err) {
        if (err instanceof ApiFailure && err.status === 422) {
          const errors = err.problem.errors ?? [];
          print({ valid: false, errors }, () => [`invalid: ${errors.length} problem(s)`, ...errors.map((e) => `  ${e.path}: ${e.message}`)].join('\n'));
          process.exitCode = EXIT.failed;
          return;
        }
        throw err;
      }
    });

  return program;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const program = createCli(io);
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version print and exit 0; commander already printed usage errors.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      if (err.code.startsWith('braid.')) io.err(`braid: ${err.message}\n`);
      return err.exitCode === EXIT.ok ? EXIT.ok : EXIT.error;
    }
    if (err instanceof ApiFailure) {
      io.err(`braid: ${err.message} (HTTP ${err.status})\n`);
      for (const e of err.problem.errors ?? []) io.err(`  ${e.path}: ${e.message}\n`);
      return err.status === 422 ? EXIT.failed : EXIT.error;
    }
    io.err(`braid: ${(err as Error).message}\n`);
    return EXIT.error;
  }
}

/** The CLI on this process's arguments, environment and streams (bin/braid.cjs). */
export function runCli(): void {
  main(process.argv.slice(2), {
    env: process.env,
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    progress: process.stderr,
  }).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) runCli();
