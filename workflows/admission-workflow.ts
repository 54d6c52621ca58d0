/**
 * The admission workflow: one per (project, workflow, limit kind, key value),
 * started by the first Update-with-Start that names it (src/runs/admission.ts)
 * and ended once nobody holds, waits or counts in its window for a minute.
 * It holds the book (src/graph/admission.ts): the `admit` update takes a run
 * in, a run's `release` signal frees its slot, and each run that may start is
 * sent `braid-admitted`. Every part of that is in this workflow's history, so
 * a crash of any API, worker or server loses no queued run and never lets a
 * key run more than its limit.
 *
 * A run can end without saying so (terminated, or its start never happened
 * after the API asked): while runs wait, every 15 s the book's older holders
 * are checked (the `admissionEnded` activity) and the ended ones let go.
 */
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { AdmissionBookState } from '../src/graph/admission';
import { ADMITTED_SIGNAL, AdmissionBook, ADMIT_UPDATE, POSITION_QUERY, RELEASE_SIGNAL } from '../src/graph/admission';
import type { AdmissionEntityInput, AdmitAnswer, AdmitRequest } from '../src/runs/admission';
import type { AdmissionActivities } from '../activities/admission';
import { PATCHES } from './patches';

export const admitUpdate = defineUpdate<AdmitAnswer, [AdmitRequest]>(ADMIT_UPDATE);
export const releaseSignal = defineSignal<[{ runId: string }]>(RELEASE_SIGNAL);
export const positionQuery = defineQuery<number | undefined, [string]>(POSITION_QUERY);
export const admittedSignal = defineSignal<[{ entity: string }]>(ADMITTED_SIGNAL);

/** How often held slots are checked while runs wait, and how old a holder must be to be checked. */
const CHECK_EVERY_MS = 15_000;
const CHECK_AFTER_MS = 30_000;
/** How soon a run let in whose signal did not arrive hears it again. */
const RETRY_MS = 1_000;
/** How long an idle entity waits for the next run before it ends. */
const IDLE_MS = 60_000;
export const FLOW_HISTORY_PATCH = PATCHES.flowHistory.id;
export const ENTITY_TIMER_PATCH = PATCHES.entityTimer.id;

/**
 * One timer for the loop's next due time, kept while that time stays the
 * same: a timer per wait is a TimerStarted and a TimerCanceled in history
 * each time a signal or an update comes first, two per run handed over.
 */
class WakeTimer {
  private scope: CancellationScope | undefined;
  private atMs: number | undefined;
  private fired = false;

  /** Rings at `when` (workflow time); a timer already set for then is kept. */
  at(when: number): void {
    if (this.scope && this.atMs === when && !this.fired) return;
    this.clear();
    const scope = new CancellationScope();
    this.scope = scope;
    this.atMs = when;
    scope
      .run(() => sleep(Math.max(1, when - Date.now())))
      .then(
        () => {
          if (this.scope === scope) this.fired = true;
        },
        () => undefined,
      );
  }

  get rang(): boolean {
    return this.fired;
  }

  clear(): void {
    if (this.scope && !this.fired) this.scope.cancel();
    this.scope = undefined;
    this.atMs = undefined;
    this.fired = false;
  }
}

/**
 * The history length past which an admission or trigger-buffer workflow
 * continues as new (or sooner, when Temporal suggests it): a test's `given`,
 * else 1,000 events (5,000 before FLOW_HISTORY_PATCH). A worker that takes an
 * entity over after another died replays its whole history in one workflow
 * task; at 5,000 events that outlasted the task's timeout on a loaded worker,
 * and the entity stalled.
 */
export function flowMaxEvents(given: number | undefined): number {
  return given ?? (patched(FLOW_HISTORY_PATCH) ? 1_000 : 5_000);
}

const { admissionEnded } = proxyActivities<AdmissionActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '10s' },
});

export async function braidAdmission(input: AdmissionEntityInput & { book?: AdmissionBookState }): Promise<void> {
  const maxEvents = flowMaxEvents(input.maxEvents);
  const wake = patched(ENTITY_TIMER_PATCH) ? new WakeTimer() : undefined;
  const book = new AdmissionBook(input.policy, input.book);
  const self = workflowInfo().workflowId;
  let changed = false;
  const toCancel: string[] = [];
  setHandler(admitUpdate, ({ runId, policy }) => {
    // A larger limit may let waiting runs in; a new run only adds to the book (the loop wakes for what it must cancel).
    if (policy.limit > book.policy.limit) changed = true;
    book.policy = policy;
    const { cancel, ...answer } = book.admit(runId, Date.now());
    if (cancel.length > 0) {
      toCancel.push(...cancel);
      changed = true;
    }
    return answer;
  });
  setHandler(releaseSignal, ({ runId }) => {
    if (book.release(runId)) changed = true;
  });
  setHandler(positionQuery, (runId) => book.position(runId));

  /** Runs let in whose signal did not arrive (by when it first failed), and when to try again. */
  const undelivered = new Map<string, number>();
  let retryAt = 0;
  /** Signals and cancels on their way: a workflow that continues as new before they land loses them. */
  let outstanding = 0;
  const sending = (p: Promise<unknown>) => {
    outstanding++;
    void p.finally(() => outstanding--);
  };
  const tell = (runId: string, since = Date.now()) =>
    sending(
      getExternalWorkflowHandle(runId)
        .signal(admittedSignal, { entity: self })
        .catch(() => {
          // Ended (its release is on its way or was lost: the check finds it), or not started yet.
          if (!book.holds(runId)) return;
          undelivered.set(runId, since);
          retryAt = Date.now() + RETRY_MS;
          changed = true;
        }),
    );
  let lastCheck = Date.now();
  for (;;) {
    changed = false;
    // cancelOldest: the victims are asked to stop; their release makes room.
    for (const runId of toCancel.splice(0))
      sending(
        getExternalWorkflowHandle(runId)
          .cancel()
          .catch(() => undefined),
      );
    for (const runId of book.grant(Date.now())) tell(runId);
    // A run that did not exist yet (its API between asking and starting it) hears it again a second later; one that never starts is let go.
    if (undelivered.size > 0 && Date.now() >= retryAt) {
      for (const [runId, since] of [...undelivered]) {
        undelivered.delete(runId);
        if (Date.now() - since > CHECK_AFTER_MS) book.release(runId);
        else tell(runId, since);
      }
      continue;
    }
    if (book.queued > 0 && Date.now() - lastCheck >= CHECK_EVERY_MS) {
      lastCheck = Date.now();
      const candidates = book.heldSince(Date.now() - CHECK_AFTER_MS);
      if (candidates.length > 0) for (const runId of await admissionEnded({ runIds: candidates })) book.release(runId);
      continue;
    }
    const info = workflowInfo();
    if ((info.continueAsNewSuggested || info.historyLength > maxEvents) && toCancel.length === 0) {
      // What is on its way lands first; a grant still to be sent again waits for the next round.
      await condition(() => outstanding === 0 && allHandlersFinished());
      if (undelivered.size === 0 && toCancel.length === 0) {
        await continueAsNew<typeof braidAdmission>({ ...input, policy: book.policy, book: book.state });
      }
    }
    const now = Date.now();
    if (book.idle(now)) {
      wake?.clear();
      const woke = await condition(() => !book.idle(Date.now()), IDLE_MS);
      if (!woke && book.idle(Date.now()) && allHandlersFinished()) return;
      continue;
    }
    const due = [book.wakeAt(now), book.queued > 0 ? lastCheck + CHECK_EVERY_MS : undefined, undelivered.size > 0 ? retryAt : undefined].filter(
      (t): t is number => t !== undefined,
    );
    if (due.length === 0) {
      wake?.clear();
      await condition(() => changed);
    } else if (wake) {
      wake.at(Math.min(...due));
      await condition(() => changed || wake.rang);
    } else await condition(() => changed, Math.max(1, Math.min(...due) - now));
  }
}
