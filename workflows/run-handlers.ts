/**
 * A run's queries, update and signals: the state and its changes (queries),
 * an approval's decision (an update, validated before it is recorded),
 * events for `wait` nodes and forEach batches' progress (signals). Handlers
 * only deliver; what they change goes through the run's tracker and mailbox.
 */
import { ApplicationFailure, condition, defineQuery, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';
import { decisionRefusal } from '../src/graph/decisions';
import type { ForEachProgressTotals } from '../src/graph/for-each-progress';
import type { Graph } from '../src/graph/graph';
import type { DecisionInput, EventInput, ForEachProgressInput, NodeState, RunChanges, RunState } from '../src/graph/run-state';
import { CHANGES_QUERY, DECISION_UPDATE, EVENT_SIGNAL, FOR_EACH_PROGRESS_SIGNAL, STATE_QUERY } from '../src/graph/run-state';
import type { RunTracker } from '../src/graph/run-tracker';
import type { Mailbox } from './mailbox';

export const stateQuery = defineQuery<RunState>(STATE_QUERY);
/** The run with only the nodes that changed after the given version (see RunTracker). */
export const changesQuery = defineQuery<RunChanges, [number]>(CHANGES_QUERY);
/** An approval node's decision; refused (not recorded) unless that node is waiting. Answers with the node's new state. */
export const decisionUpdate = defineUpdate<NodeState, [DecisionInput]>(DECISION_UPDATE);
/** An external event for `wait` nodes. */
export const eventSignal = defineSignal<[EventInput]>(EVENT_SIGNAL);
/** A forEach batch's progress. */
export const forEachProgressSignal = defineSignal<[ForEachProgressInput]>(FOR_EACH_PROGRESS_SIGNAL);

export interface RunHandlersDeps {
  graph: Graph;
  tracker: RunTracker;
  mailbox: Mailbox;
  progress: ForEachProgressTotals;
  /** Brings the running run's wall time up to now before a query answers. */
  liveWallMs: () => void;
  now: () => string;
}

export function setRunHandlers({ graph, tracker, mailbox, progress, liveWallMs, now }: RunHandlersDeps): void {
  const { state } = tracker;
  setHandler(stateQuery, () => {
    liveWallMs();
    return state;
  });
  setHandler(changesQuery, (since: number) => {
    liveWallMs();
    return tracker.changes(since);
  });
  setHandler(forEachProgressSignal, (p: ForEachProgressInput) => {
    if (state.nodes[p.nodeId]?.status !== 'running') return;
    const summed = progress.report(p);
    if (summed) tracker.setNode(p.nodeId, { ...state.nodes[p.nodeId]!, progress: summed });
  });
  // Decisions and events from outside; nothing is recorded until a node takes them.
  setHandler(eventSignal, (e: EventInput) => mailbox.deliverEvent(e.name, e.payload));
  setHandler(
    decisionUpdate,
    async (d: DecisionInput) => {
      mailbox.decide(d.nodeId, {
        approved: d.approved,
        ...(d.comment === undefined ? {} : { comment: d.comment }),
        ...(d.by === undefined ? {} : { by: d.by }),
        decidedAt: now(),
      });
      await condition(() => state.nodes[d.nodeId]!.status !== 'waiting');
      return state.nodes[d.nodeId]!;
    },
    {
      validator: (d: DecisionInput) => {
        const refusal = decisionRefusal(graph, state.nodes, (id) => mailbox.hasDecision(id), d);
        if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.type);
      },
    },
  );
}
