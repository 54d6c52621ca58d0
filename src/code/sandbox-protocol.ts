/**
 * What the pool (sandbox-pool.ts) and a sandbox thread (sandbox-thread.ts)
 * send each other, and the prelude each execution's context runs before the
 * code: the code's function, its `console`, and how its answer and logs
 * become JSON text. The prelude keeps its own references to JSON, the
 * AsyncFunction constructor and String before any code runs, so code that
 * replaces them changes only what it sees itself.
 */

/** One execution, as the thread gets it: the function body (JavaScript) and its inputs as JSON text. */
export interface CodeRequest {
  body: string;
  input: string;
  nodes: string;
  run: string;
  timeoutMs: number;
  memoryBytes: number;
  maxOutputBytes: number;
  maxLogBytes: number;
}

export interface CodeLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export type CodeAnswer =
  | { ok: true; output: string; logs: CodeLog[]; dropped: number; runMs: number }
  | {
      ok: false;
      kind: 'error' | 'timeout' | 'memory' | 'output';
      message: string;
      /** The code's line, when its own error says it. */
      line?: number;
      logs: CodeLog[];
      dropped: number;
      runMs: number;
      /** The thread itself failed: the pool replaces it. */
      broken?: boolean;
    };

/** What one log entry costs beyond its message, as JSON (`{"level":"debug","message":""},`): counted against the log limit. */
export const LOG_ENTRY_OVERHEAD = 32;

/**
 * The first code each context runs: it returns the internals the thread
 * calls by handle (they are never globals). `console` keeps the first
 * `maxLogBytes` of log entries as JSON and counts the calls it dropped.
 */
export const PRELUDE = (maxLogBytes: number): string => `(() => {
  'use strict';
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const text = String;
  const AsyncFunction = (async function () {}).constructor;
  const freeze = Object.freeze;
  const logs = [];
  let room = ${Math.max(0, Math.floor(maxLogBytes))};
  let dropped = 0;
  const show = (value) => {
    if (typeof value === 'string') return value;
    try {
      const json = stringify(value);
      return json === undefined ? text(value) : json;
    } catch (err) {
      try { return text(value); } catch (e) { return '[unprintable]'; }
    }
  };
  const say = (level) => (...args) => {
    if (room <= 0) { dropped++; return; }
    let message = '';
    for (let i = 0; i < args.length; i++) message += (i === 0 ? '' : ' ') + show(args[i]);
    if (message.length + ${LOG_ENTRY_OVERHEAD} > room) { message = message.slice(0, Math.max(0, room - ${LOG_ENTRY_OVERHEAD})); dropped++; }
    room -= message.length + ${LOG_ENTRY_OVERHEAD};
    logs[logs.length] = freeze({ level, message });
  };
  const console = freeze({ log: say('info'), info: say('info'), debug: say('debug'), warn: say('warn'), error: say('error'), trace: say('debug') });
  return freeze({
    compile: (body) => new AsyncFunction('$input', '$nodes', '$run', 'console', body),
    start: (fn, input, nodes, run) => fn.call(undefined, parse(input), parse(nodes), parse(run), console),
    finish: (value) => { const json = stringify(value); return json === undefined ? 'null' : json; },
    logs: () => stringify({ logs, dropped }),
  });
})()`;
