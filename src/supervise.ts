/**
 * Keeps a part of `npm start` running: when it exits without being asked to,
 * it is started again after a backoff (1 s, 2 s, 4 s … up to 30 s), on the same
 * data. A part that stays up for `stableMs` has its failure count reset; one
 * that fails `maxRestarts` times in a row makes the supervisor give up, which
 * `npm start` turns into a non-zero exit.
 */
import type { Logger } from './logger';

export interface RunningPart {
  /** Resolves when the part exits, however it exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Asks the part to stop and waits for it. */
  stop(): Promise<void>;
}

export interface SuperviseOptions {
  name: string;
  start: () => Promise<RunningPart>;
  logger: Logger;
  /** Restarts allowed in a row before giving up (0: never restart). */
  maxRestarts: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Up this long, a part's earlier failures are forgiven. */
  stableMs?: number;
  /** Called after every (re)start, with how many restarts happened so far. */
  onStart?: (restarts: number) => void;
}

export interface Supervised {
  /** Rejects when the supervisor gives up on the part. */
  gaveUp: Promise<never>;
  restarts(): number;
  stop(): Promise<void>;
}

/** Starts the part (the first start must succeed) and keeps it running. */
export async function supervise(opts: SuperviseOptions): Promise<Supervised> {
  const initial = opts.initialBackoffMs ?? 1_000;
  const ceiling = opts.maxBackoffMs ?? 30_000;
  const stableMs = opts.stableMs ?? 60_000;
  let current = await opts.start();
  let stopping = false;
  let restarts = 0;
  let failuresInRow = 0;
  let wake: (() => void) | undefined;
  let giveUp!: (err: Error) => void;
  const gaveUp = new Promise<never>((_, reject) => (giveUp = reject));
  gaveUp.catch(() => {}); // observed by the caller when it wants to
  opts.onStart?.(0);

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = async () => {
    for (;;) {
      const startedAt = Date.now();
      const exit = await current.exited;
      if (stopping) return;
      failuresInRow = Date.now() - startedAt >= stableMs ? 1 : failuresInRow + 1;
      if (failuresInRow > opts.maxRestarts) {
        opts.logger.error('part keeps failing; giving up', { part: opts.name, ...exit, failuresInRow });
        return giveUp(new Error(`${opts.name} exited (${exit.signal ?? `code ${exit.code}`}) ${failuresInRow} time(s) in a row; gave up`));
      }
      for (;;) {
        const delay = Math.min(ceiling, initial * 2 ** (failuresInRow - 1));
        opts.logger.warn('part exited; restarting', { part: opts.name, ...exit, inMs: delay, attempt: failuresInRow });
        await sleep(delay);
        if (stopping) return;
        try {
          current = await opts.start();
          restarts++;
          opts.logger.info('part restarted', { part: opts.name, restarts });
          opts.onStart?.(restarts);
          break;
        } catch (err) {
          failuresInRow++;
          opts.logger.warn('part failed to start', { part: opts.name, err: err instanceof Error ? err.message : String(err) });
          if (failuresInRow > opts.maxRestarts) {
            return giveUp(new Error(`${opts.name} failed to start ${failuresInRow} time(s) in a row; gave up`));
          }
        }
      }
    }
  };
  const looping = loop();

  return {
    gaveUp,
    restarts: () => restarts,
    async stop() {
      stopping = true;
      wake?.();
      await current.stop();
      await looping;
    },
  };
}
