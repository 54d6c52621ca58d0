/**
 * The `code` activity: a code node's source runs in the sandbox pool
 * (src/code/sandbox-pool.ts), never on this thread. Its inputs arrive as
 * the workflow sent them (placeholders of secrets already replaced by
 * `[secret]`) and cross into the sandbox as JSON text; its answer comes back
 * as JSON text, parsed here. Every way the code can fail is a
 * non-retryable failure of its own type (the same code on the same data
 * fails the same way), with what it logged.
 */
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { CODE_FAILURES, CODE_LIMITS } from '../src/code/limits';
import type { CodeLanguage } from '../src/code/limits';
import { compileCode } from '../src/code/compile';
import type { SandboxPool } from '../src/code/sandbox-pool';
import { createSandboxPool, DEFAULT_SANDBOXES } from '../src/code/sandbox-pool';
import type { CodeLog } from '../src/code/sandbox-protocol';

export interface CodeInput {
  nodeId: string;
  code: string;
  language: CodeLanguage;
  timeoutMs: number;
  memoryMiB?: number;
  /** `$input`, `$nodes`, `$run` as the code sees them. */
  input: unknown;
  nodes: unknown;
  run: unknown;
}

export interface CodeResult {
  value: unknown;
  logs: CodeLog[];
  /** Console calls past the log limit. */
  logsDropped?: number;
}

let shared: SandboxPool | undefined;

/** A pool for activities created without one (tests, benches): one per process. */
function sharedSandboxPool(): SandboxPool {
  return (shared ??= createSandboxPool(DEFAULT_SANDBOXES));
}

export function createCodeActivities(pool: SandboxPool | undefined, heartbeatIntervalMs = 1_000) {
  return {
    async code(input: CodeInput): Promise<CodeResult> {
      const ctx = Context.current();
      const compiled = compileCode(input.code, input.language);
      if (!compiled.ok) {
        throw ApplicationFailure.create({
          type: CODE_FAILURES.error,
          message: `syntax error at line ${compiled.line}, column ${compiled.column}: ${compiled.message}`,
          nonRetryable: true,
          details: [{ line: compiled.line, logs: [] }],
        });
      }
      const memoryMiB = Math.min(CODE_LIMITS.maxMemoryMiB, Math.max(1, input.memoryMiB ?? CODE_LIMITS.defaultMemoryMiB));
      const timeoutMs = Math.max(1, Math.floor(input.timeoutMs));
      const abort = new AbortController();
      const beat = setInterval(() => ctx.heartbeat(), heartbeatIntervalMs);
      ctx.cancelled.catch(() => abort.abort());
      try {
        const answer = await (pool ?? sharedSandboxPool()).run(
          {
            body: compiled.body,
            input: JSON.stringify(input.input ?? null),
            nodes: JSON.stringify(input.nodes ?? {}),
            run: JSON.stringify(input.run ?? {}),
            timeoutMs,
            memoryBytes: memoryMiB * 1024 * 1024,
            maxOutputBytes: CODE_LIMITS.maxOutputBytes,
            maxLogBytes: CODE_LIMITS.maxLogBytes,
          },
          abort.signal,
        );
        if (abort.signal.aborted) throw new CancelledFailure('the code node was canceled');
        const dropped = answer.dropped > 0 ? { logsDropped: answer.dropped } : {};
        if (answer.ok) return { value: JSON.parse(answer.output) as unknown, logs: answer.logs, ...dropped };
        throw ApplicationFailure.create({
          type: CODE_FAILURES[answer.kind],
          message: failureMessage(answer.kind, answer.message, answer.line, timeoutMs, memoryMiB),
          nonRetryable: answer.kind !== 'error' || !answer.broken,
          details: [{ logs: answer.logs, ...dropped, ...(answer.line ? { line: answer.line } : {}) }],
        });
      } finally {
        clearInterval(beat);
      }
    },
  };
}

function failureMessage(kind: keyof typeof CODE_FAILURES, message: string, line: number | undefined, timeoutMs: number, memoryMiB: number): string {
  if (kind === 'timeout') return `the code ran past its time limit (${timeoutMs} ms) and was stopped`;
  if (kind === 'memory') return `the code used more than its memory limit (${memoryMiB} MiB) and was stopped`;
  if (kind === 'output') return `the code's output is too large: ${message}`;
  return line ? `${message} (line ${line})` : message;
}

export type CodeActivities = ReturnType<typeof createCodeActivities>;
