/**
 * `braid`: the command line over the HTTP API (BRAID_URL, default
 * http://127.0.0.1:3000; API_TOKEN when the API wants one).
 *
 *   braid run <file.json> [--input <json>] [--wait <s>] [--watch]
 *                                                       start a run; show it if it ends within --wait (10 s), or follow it
 *   braid status <runId>                                one run and its nodes
 *   braid list [--workflow <name>] [--status <s>]       recent runs
 *   braid cancel <runId>
 *   braid validate <file.json>
 *   braid login --url <url> < key.txt                   remember an API and a key (logout forgets them)
 *
 * `--json` prints machine-readable output. Exit codes: 0 done, 1 the run
 * failed (or was canceled, terminated, timed out) or the definition has
 * problems, 2 a usage, file or API error. The parts: the API client
 * (cli/client.ts), what is printed (cli/format.ts), the commands
 * (cli/commands.ts); this file wires them to commander.
 */
import { Command, CommanderError, Option } from 'commander';
import { ApiFailure, createApiClient } from './cli/client';
import type { CliContext } from './cli/commands';
import { bulkCommand, cancelCommand, controlCommand, listCommand, redriveCommand, runCommand, statusCommand, validateCommand } from './cli/commands';
import type { ExitCode } from './cli/format';
import { EXIT } from './cli/format';

export { EXIT } from './cli/format';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_TOKEN_FILE } from './api-token';
import { processEnvironment } from './config';
import { addTeamCommands } from './cli/team-commands';
import { loginCommand, logoutCommand, readLogin } from './cli/login';

interface Io {
  env: Record<string, string | undefined>;
  /** Where `braid login` keeps its login (XDG_CONFIG_HOME, else ~/.config); none: no login. */
  configDir?: string;
  /** Standard input, whole (`braid login` reads the key from it). */
  readStdin?: () => Promise<string>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Where the progress bar draws (stderr; it redraws in place on a terminal). */
  progress?: NodeJS.WritableStream;
}

/**
 * Without API_TOKEN, the token `npm start` made on this machine
 * ($DATA_DIR/api-token) for a local API; nothing for another one.
 */
function localToken(env: Record<string, string | undefined>): string | undefined {
  const url = env.BRAID_URL ?? 'http://127.0.0.1:3000';
  if (!/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(url)) return undefined;
  try {
    return readFileSync(join(env.DATA_DIR ?? './.data', API_TOKEN_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The program; each command's exit code lands in `exit.code`. */
export function createCli(io: Io, exit: { code: ExitCode } = { code: EXIT.ok }): Command {
  const program = new Command('braid')
    .description('Durable graph workflows on Temporal: run, watch, list, cancel and validate through the Braid API.')
    .addOption(new Option('--json', 'machine-readable output'))
    .addOption(new Option('--project <name>', 'the project to work in (the Braid-Project header; BRAID_PROJECT); default: your only project, else "default"'))
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();
  const context = (): CliContext => {
    const json = Boolean(program.opts<{ json?: boolean }>().json);
    // BRAID_URL and API_TOKEN first; then what `braid login` saved (for its API only); then the local token of `npm start`.
    const saved = readLogin(io.configDir);
    const baseUrl = io.env.BRAID_URL ?? saved?.url ?? 'http://127.0.0.1:3000';
    const savedToken = saved && saved.url === baseUrl.replace(/\/+$/, '') ? saved.token : undefined;
    return {
      api: createApiClient({
        baseUrl,
        token: io.env.API_TOKEN || savedToken || localToken({ ...io.env, BRAID_URL: baseUrl }),
        project: program.opts<{ project?: string }>().project ?? io.env.BRAID_PROJECT,
      }),
      json,
      print: (value, text) => io.out(json ? `${JSON.stringify(value)}\n` : `${text()}\n`),
      note: (text) => void (json ? undefined : io.err(`${text}\n`)),
      ...(io.progress ? { progress: io.progress } : {}),
    };
  };
  const run =
    <A extends unknown[]>(command: (ctx: CliContext, ...args: A) => Promise<ExitCode>) =>
    async (...args: A) => {
      exit.code = await command(context(), ...args);
    };

  program
    .command('run')
    .description('start a run of a definition file (a bare definition, or a POST /v1/runs body like examples/*.json)')
    .argument('<file>', 'JSON file')
    .option('--input <json>', "the run input (replaces the file's)")
    .option('--trigger <id>', 'fire only this trigger node')
    .option('--watch', 'follow the run to its end, with a progress bar')
    .option('--wait <seconds>', "without --watch: wait this long (at most 60) for the run's end and show it, else print its id", '10')
    .action(run(runCommand));
  program.command('status').description('show a run and its nodes').argument('<runId>').action(run(statusCommand));
  program
    .command('list')
    .description('list recent runs, newest first')
    .option('--workflow <name>', 'only runs of this workflow')
    .option('--status <status>', 'only runs in this status')
    .option('--limit <n>', 'how many', '20')
    .action(run(listCommand));
  program.command('cancel').description('cancel a running run').argument('<runId>').action(run(cancelCommand));
  const controls = { pause: 'pause a run: it starts no node until resumed (nodes already running finish)', resume: 'resume a paused run' } as const;
  for (const action of ['pause', 'resume'] as const)
    program
      .command(action)
      .description(controls[action])
      .argument('<runId>')
      .action(run(controlCommand(action)));
  program
    .command('redrive')
    .description('start a run again from where it failed: nodes that succeeded keep their outputs and do not run again')
    .argument('<runId>')
    .option('--from <id...>', 'also run these nodes again (and everything downstream of them)')
    .option('--input <json>', "a new input instead of the run's")
    .option('--latest', "run the saved workflow's latest version, reusing the nodes it left unchanged")
    .option('--run-id <id>', "the new run's id (default <runId>-r<n>)")
    .option('--watch', 'follow the new run to its end')
    .action(run(redriveCommand));
  program
    .command('bulk')
    .description(
      'redrive, cancel, pause or resume every run a filter matches (a redrive takes failed runs, a cancel or pause running ones, a resume paused ones, unless --status says)',
    )
    .argument('<action>', 'redrive, cancel, pause or resume')
    .option('--workflow <name>', 'runs of this workflow')
    .option('--version <version>', 'runs of this saved version')
    .option('--status <status>', 'runs in this status')
    .option('--started-after <time>', 'runs started after this ISO time')
    .option('--started-before <time>', 'runs started before this ISO time')
    .option('--limit <n>', 'at most this many runs, newest first (at most 1000)')
    .option('--wait', 'follow the operation to its end and list what it did')
    .action(run(bulkCommand));
  addTeamCommands(program, run);
  program
    .command('login')
    .description('sign the CLI in to an API with a key read from standard input (braid login --url https://braid.example.com < key.txt)')
    .option('--url <url>', 'the API (default: BRAID_URL, else http://127.0.0.1:3000)')
    .action(run((ctx, opts: { url?: string }) => loginCommand(ctx, { configDir: io.configDir, readStdin: io.readStdin ?? (async () => '') }, opts)));
  program
    .command('logout')
    .description('forget the saved login')
    .action(run((ctx) => logoutCommand(ctx, { configDir: io.configDir })));
  program
    .command('validate')
    .description('check a definition file without running it')
    .argument('<file>', 'JSON file (a bare definition, or a run body with "workflow")')
    .action(run(validateCommand));
  return program;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const exit: { code: ExitCode } = { code: EXIT.ok };
  try {
    await createCli(io, exit).parseAsync(argv, { from: 'user' });
    return exit.code;
  } catch (err) {
    return reportFailure(err, io);
  }
}

/** Says what went wrong, and the exit code for it. */
function reportFailure(err: unknown, io: Io): ExitCode {
  if (err instanceof CommanderError) {
    // Help and version print and exit 0; commander already printed usage errors.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    return err.exitCode === EXIT.ok ? EXIT.ok : EXIT.error;
  }
  if (err instanceof ApiFailure) {
    io.err(`braid: ${err.message} (HTTP ${err.status})\n`);
    for (const e of err.problem.errors ?? []) io.err(`  ${e.path}: ${e.message}\n`);
    return err.status === 422 ? EXIT.failed : EXIT.error;
  }
  // A usage or file problem (UsageError), an unreachable API (ConnectFailure), anything else.
  io.err(`braid: ${(err as Error).message}\n`);
  return EXIT.error;
}

/** The CLI on this process's arguments, environment and streams (bin/braid.cjs). */
export function runCli(): void {
  const env = processEnvironment();
  main(process.argv.slice(2), {
    env,
    configDir: env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, '.config') : undefined),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    progress: process.stderr,
  }).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) runCli();
