/**
 * A run's side of its limits (`settings.concurrency`, `settings.rateLimit`;
 * src/graph/admission.ts). A run the API took in at once starts as usual. A
 * run that must wait (or that nobody asked for, such as a schedule's) says
 * `queued`, asks its limits' admission workflows through the `admitRun`
 * activity, and starts nodes once each has sent `braid-admitted`. While it
 * waits it can be paused, canceled or reach its deadline like any run. At its
 * end it releases what it held, so the next run of its key starts.
 */
import {
  CancellationScope,
  condition,
  defineSignal,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Admission } from '../src/graph/admission';
import { ADMITTED_SIGNAL, admissionPolicies, RELEASE_SIGNAL } from '../src/graph/admission';
import type { Graph } from '../src/graph/graph';
import type { GraphWorkflowInput } from '../src/graph/run-state';
import { QUEUED_SEARCH_ATTRIBUTE, webhookInput } from '../src/graph/run-state';
import type { RunTracker } from '../src/graph/run-tracker';
import type { AdmissionActivities } from '../activities/admission';
import type { RunControl } from './run-control';
import { PATCHES } from './patches';

/** A run with limits asks them (asked once, at the start, only by such runs). */
export const ADMISSION_PATCH = PATCHES.admission.id;
const admittedSignal = defineSignal<[{ entity: string }]>(ADMITTED_SIGNAL);
const queuedKey = defineSearchAttributeKey(QUEUED_SEARCH_ATTRIBUTE, SearchAttributeType.KEYWORD);

const { admitRun } = proxyActivities<AdmissionActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', maximumInterval: '10s' },
});

export class RunAdmission {
  /** The run may start nodes. */
  admitted = true;
  /** Set when the run was let in or refused, until the loop has looked. */
  woken = false;
  /** Why the run's limits cannot take it in; `skipped`: refused by `onLimit: "skip"` (the run ends canceled). */
  refused?: { message: string; skipped: boolean };
  /** Admission workflows to tell at the end: the run holds a slot there, or waits in its queue. */
  private readonly held = new Set<string>();
  private readonly granted = new Set<string>();
  private queuedShown = false;

  constructor(
    private readonly tracker: RunTracker,
    private readonly control: RunControl,
  ) {}

  /** Asks the run's limits, when it has any and is a run of its own (not a child's). */
  begin(graph: Graph, args: GraphWorkflowInput): void {
    const policies = admissionPolicies(graph.settings);
    if (args.parent || policies.length === 0 || !patched(ADMISSION_PATCH)) return;
    setHandler(admittedSignal, ({ entity }) => {
      this.granted.add(entity);
    });
    const asked = args.admissions ?? [];
    this.hold(asked);
    if (asked.length === policies.length && asked.every((a) => a.verdict === 'started')) return;
    this.admitted = false;
    this.control.liveStatus = () => (this.admitted ? 'running' : 'queued');
    const input = args.request ? webhookInput(args.input, args.request) : (args.input ?? null);
    this.waitForTurn(
      graph,
      input,
      asked.find((a) => a.verdict === 'queued'),
      policies[policies.length - 1]!.kind,
    ).then(
      () => this.letIn(),
      (err: unknown) => {
        this.refused = { message: `the run's limits could not take it in: ${(err as Error).message}`, skipped: false };
        this.woken = true;
      },
    );
  }

  /**
   * Tells every admission workflow the run held or waited at that it is
   * done. Awaited: Temporal drops a signal whose sender closed before it was
   * delivered. An entity that is gone is let be.
   */
  async release(runId: string): Promise<void> {
    delete this.tracker.state.queue;
    if (this.held.size === 0) return;
    await CancellationScope.nonCancellable(() =>
      Promise.all(
        [...this.held].map((entity) =>
          getExternalWorkflowHandle(entity)
            .signal(RELEASE_SIGNAL, { runId })
            .catch(() => undefined),
        ),
      ),
    );
  }

  /**
   * Waits where the API queued the run (its admission workflow sends
   * `braid-admitted`, again until the run exists), then asks the limits that
   * remain; a run nobody asked for (a schedule's) asks them all. Each ask
   * after a grant moves on to the next limit (asking is idempotent).
   */
  private async waitForTurn(graph: Graph, input: unknown, queuedAt: Admission | undefined, lastKind: Admission['kind']): Promise<void> {
    let waiting = queuedAt;
    for (;;) {
      if (waiting) {
        const at = waiting;
        this.queue(at);
        await condition(() => this.granted.has(at.entity));
        if (at.kind === lastKind) return;
      }
      const { concurrency, rateLimit } = graph.settings;
      const answers = await admitRun({
        workflow: graph.name,
        settings: { ...(concurrency ? { concurrency } : {}), ...(rateLimit ? { rateLimit } : {}) },
        input,
      });
      this.hold(answers);
      const last = answers[answers.length - 1];
      if (!last || last.verdict === 'started') return;
      if (last.verdict === 'refused') {
        this.refused = {
          message: `refused by its ${last.kind === 'rate' ? 'rate limit' : 'concurrency limit'} (key ${JSON.stringify(last.key)})`,
          skipped: true,
        };
        this.woken = true;
        return new Promise(() => undefined);
      }
      waiting = last;
    }
  }

  private hold(answers: readonly Admission[]): void {
    for (const a of answers) if (a.verdict === 'queued' || (a.verdict === 'started' && a.kind === 'concurrency')) this.held.add(a.entity);
  }

  private queue(a: Admission | undefined): void {
    const { state } = this.tracker;
    if (a) state.queue = { key: a.key, entity: a.entity };
    if (!this.control.paused) state.status = 'queued';
    // A run the API queued was started with the flag set (one write fewer); a run nobody asked for sets it here.
    if (!this.queuedShown && workflowInfo().typedSearchAttributes.get(queuedKey) !== 'true') upsertSearchAttributes([{ key: queuedKey, value: 'true' }]);
    this.queuedShown = true;
    this.tracker.touch();
  }

  private letIn(): void {
    const { state } = this.tracker;
    this.admitted = true;
    this.woken = true;
    delete state.queue;
    if (state.status === 'queued') state.status = 'running';
    if (this.queuedShown) upsertSearchAttributes([{ key: queuedKey, value: null }]);
    this.queuedShown = false;
    this.tracker.touch();
  }
}
