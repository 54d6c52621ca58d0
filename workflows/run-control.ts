/**
 * Pausing and resuming a run from outside (the `pause` and `resume`
 * updates), and its deadline (`settings.timeout`). A paused run starts no
 * node: what runs finishes and is recorded, decisions, events and timers
 * keep arriving, and the loop takes them up on resume. While paused the run
 * says `paused` (its state and the BraidPaused search attribute, so lists can
 * filter on it); the time it spends paused is `pausedMs`, not overhead.
 */
import {
  ApplicationFailure,
  CancellationScope,
  defineSignal,
  defineUpdate,
  patched,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { RunState } from '../src/graph/run-state';
import { CONTROL_SIGNAL, isLive, PAUSE_REFUSALS, PAUSE_UPDATE, PAUSED_SEARCH_ATTRIBUTE, RESUME_UPDATE } from '../src/graph/run-state';
import type { RunTracker } from '../src/graph/run-tracker';
import { PATCHES } from './patches';

export const pauseUpdate = defineUpdate<RunState>(PAUSE_UPDATE);
export const resumeUpdate = defineUpdate<RunState>(RESUME_UPDATE);
export const controlSignal = defineSignal<[{ action: 'pause' | 'resume' }]>(CONTROL_SIGNAL);
/** A pause or resume update changes what the run does (asked in the update's handler). */
export const PAUSE_PATCH = PATCHES.pause.id;
/** A run with `settings.timeout` starts its deadline's timer (asked once, at the start). */
export const DEADLINE_PATCH = PATCHES.deadline.id;
/** The deadline counts from the execution's start, not from the run's first workflow task (asked once, with DEADLINE_PATCH). */
export const DEADLINE_FROM_START_PATCH = PATCHES.deadlineFromStart.id;
const pausedKey = defineSearchAttributeKey(PAUSED_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);

export class RunControl {
  paused = false;
  /** Set by a resume (or the deadline) until the loop has looked. */
  woken = false;
  /** Set once the run's deadline passed. */
  deadlinePassed = false;
  /** The run has a deadline (its timer started). */
  deadlineArmed = false;
  /** What the run says when it is not paused (RunAdmission makes it `queued` while the run waits for its limits). */
  liveStatus: () => 'running' | 'queued' = () => 'running';
  private pausedAt = 0;
  private pausedBefore = 0;

  constructor(private readonly tracker: RunTracker) {}

  /** Time spent paused so far. */
  pausedMs(nowMs: number): number {
    return this.pausedBefore + (this.paused ? nowMs - this.pausedAt : 0);
  }

  pause(nowMs: number): void {
    if (this.paused) return;
    this.paused = true;
    this.pausedAt = nowMs;
    this.tracker.state.status = 'paused';
    this.tracker.touch();
  }

  resume(nowMs: number): void {
    if (!this.paused) return;
    this.pausedBefore += nowMs - this.pausedAt;
    this.paused = false;
    this.woken = true;
    this.tracker.state.status = this.liveStatus();
    this.tracker.touch();
  }

  /**
   * Starts the deadline's timer (a run with `settings.timeout`; asked behind
   * its patch). It counts from when the run was accepted (the execution's
   * start): a run whose first workflow task came late (its worker down, a
   * backlog) has that much less left, and one that comes after its deadline
   * has passed it already and starts nothing.
   */
  startDeadline(ms: number): void {
    if (!patched(DEADLINE_PATCH)) return;
    this.deadlineArmed = true;
    const left = patched(DEADLINE_FROM_START_PATCH) ? ms - (Date.now() - workflowInfo().startTime.getTime()) : ms;
    if (left <= 0) {
      this.deadlinePassed = true;
      this.woken = true;
      return;
    }
    CancellationScope.cancellable(() => sleep(left)).then(
      () => {
        this.deadlinePassed = true;
        this.woken = true;
      },
      // The run ended or was canceled first.
      () => undefined,
    );
  }
}

/** The `pause` and `resume` updates: each answers with the run's state; refused (not recorded) when it cannot apply. */
export function setControlHandlers(control: RunControl, tracker: RunTracker): void {
  const { state } = tracker;
  const ended = () => !isLive(state.status);
  const pause = () => {
    if (patched(PAUSE_PATCH) && !control.paused) {
      control.pause(Date.now());
      upsertSearchAttributes([{ key: pausedKey, value: 'true' }]);
    }
  };
  const resume = () => {
    if (patched(PAUSE_PATCH) && control.paused) {
      control.resume(Date.now());
      upsertSearchAttributes([{ key: pausedKey, value: null }]);
    }
  };
  // The signal asks what the updates ask, with nobody to refuse: what no longer applies is let be.
  setHandler(controlSignal, ({ action }) => {
    if (ended()) return;
    if (action === 'pause') pause();
    else if (action === 'resume') resume();
  });
  setHandler(
    pauseUpdate,
    () => {
      pause();
      return state;
    },
    {
      validator: () => {
        if (ended()) throw ApplicationFailure.nonRetryable(`run is already ${state.status}`, PAUSE_REFUSALS.notRunning);
      },
    },
  );
  setHandler(
    resumeUpdate,
    () => {
      resume();
      return state;
    },
    {
      validator: () => {
        if (ended()) throw ApplicationFailure.nonRetryable(`run is already ${state.status}`, PAUSE_REFUSALS.notRunning);
        if (!control.paused) throw ApplicationFailure.nonRetryable('run is not paused', PAUSE_REFUSALS.notPaused);
      },
    },
  );
}
