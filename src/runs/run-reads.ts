/**
 * Reading runs for the API: views of a run (runViews) and what it was
 * started with (runInputs). The run store (run-store.ts) puts them together.
 */
import { runSpanIds } from '../graph/trace-ids';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { FAILURE_TYPES } from '../graph/failures';
import type { GraphWorkflowInput, RunChanges, RunState } from '../graph/run-state';
import { CHANGES_QUERY, isLive } from '../graph/run-state';
import { POSITION_QUERY } from '../graph/admission';
import { redactSecrets } from '../graph/secrets';
import type { HistoryEvent } from './run-history';
import { stateFromEvents } from './run-history';
import type { RunSnapshot, RunView } from './run-view';
import { nodeView, STATUS_BY_TEMPORAL, viewOf, waitingFor } from './run-view';
import type { RunAccess, RunStoreOptions } from './run-access';
import { BraidError } from './errors';

/** Definitions kept by runInputs, for the last runs asked. */
const DEFINITIONS_KEPT = 200;

/** Reading runs: one run (query, result, then history), its changes, its definition, lists. */
/** A run's view: asked of its worker while it runs, read from its result once closed, rebuilt from history as a last resort. */
export function runViews(opts: Pick<RunStoreOptions, 'queryTimeoutMs'>, { client, links, describe }: RunAccess, { startInput }: Pick<RunInputs, 'startInput'>) {
  const queryTimeoutMs = opts.queryTimeoutMs ?? 3_000;
  /** The run's changes since `since` (0: everything), or undefined when no worker answers in time. */
  async function queryChanges(runId: string, since: number): Promise<RunChanges | undefined> {
    try {
      return await client.withDeadline(Date.now() + queryTimeoutMs, () => client.workflow.getHandle(runId).query<RunChanges, [number]>(CHANGES_QUERY, since));
    } catch {
      return undefined;
    }
  }
  /** Final state carried by a closed run's result or failure. */
  async function closedState(runId: string): Promise<RunState | undefined> {
    try {
      return await client.workflow.getHandle(runId).result();
    } catch (err) {
      if (err instanceof WorkflowFailedError) {
        const cause = err.cause;
        if (cause instanceof ApplicationFailure && cause.type === FAILURE_TYPES.runFailed) return cause.details?.[0] as RunState;
      }
      return undefined;
    }
  }
  async function load(runId: string): Promise<{ view: RunView; version: number }> {
    const d = await describe(runId);
    const status = STATUS_BY_TEMPORAL[d.status.name] ?? 'failed';
    let state: RunState | undefined;
    let version = 0;
    // Succeeded and failed runs carry their final state in the result; a
    // running one is asked; a canceled, terminated or timed-out one is asked
    // (a worker replays it) and otherwise rebuilt from history.
    if (status === 'succeeded' || status === 'failed') state = await closedState(runId);
    if (!state) {
      const answer = await queryChanges(runId, 0);
      if (answer) {
        state = answer.state;
        if (status === 'running') version = answer.version;
      }
    }
    state ??= await stateFromHistory(runId, d);
    return { view: await placed(runId, viewOf(runId, state, d, links(runId, d.runId, traceIdOf(runId, d.memo))), state.queue), version };
  }
  /** A queued run's place in its key's queue (asked of its admission workflow); the view of any other run has no `queue`. */
  async function placed(runId: string, view: RunView, queue: RunState['queue']): Promise<RunView> {
    const { queue: _view, ...rest } = view;
    if (!queue || !isLive(view.status)) return rest;
    const position = await client.workflow
      .getHandle(queue.entity)
      .query<number | undefined, [string]>(POSITION_QUERY, runId)
      .catch(() => undefined);
    return { ...rest, queue: { key: queue.key, position: position ?? null } };
  }
  /** A run's state assembled from history when neither query nor result has it. */
  async function stateFromHistory(runId: string, d: WorkflowExecutionDescription): Promise<RunState> {
    const history = await client.workflow.getHandle(runId).fetchHistory();
    const events = history.events ?? [];
    const args = await startInput(events[0]).catch(() => undefined);
    return stateFromEvents(runId, events, args, d, Date.now());
  }
  async function get(runId: string): Promise<RunView> {
    return (await load(runId)).view;
  }
  /**
   * A fresher snapshot of a run. A running run already read is asked only for
   * the nodes changed since its version (one small query); anything else is
   * read whole.
   */
  async function refresh(runId: string, prev?: RunSnapshot): Promise<RunSnapshot> {
    if (prev && prev.version > 0 && isLive(prev.view.status)) {
      const answer = await queryChanges(runId, prev.version);
      if (answer && isLive(answer.state.status)) {
        const { nodes: changedNodes, ...rest } = redactSecrets(answer.state);
        const nodes = answer.full ? {} : { ...prev.view.nodes };
        for (const [id, n] of Object.entries(changedNodes)) nodes[id] = nodeView(n);
        const view: RunView = await placed(
          runId,
          {
            ...prev.view,
            ...rest,
            nodes,
            waitingFor: waitingFor(runId, nodes),
            status: answer.state.status,
            finishedAt: null,
            links: prev.view.links,
          } as RunView,
          answer.state.queue,
        );
        return { view, version: answer.version, changed: answer.full ? null : Object.keys(changedNodes) };
      }
    }
    const { view, version } = await load(runId);
    return { view, version, changed: null };
  }
  return { get, refresh };
}

/** What runs were started with: their definition and arguments, from the first event of their history; and whether an id is taken. */
export function runInputs({ client, namespace, describe }: RunAccess) {
  const definitions = new Map<string, unknown>();
  /** The graph workflow's input, from a run's first history event, decoded by the client's data converter (so encryption and the claim check hold). */
  async function startInput(first: HistoryEvent | undefined): Promise<Partial<GraphWorkflowInput> | undefined> {
    const payloads = first?.workflowExecutionStartedEventAttributes?.input?.payloads;
    const [args] = await decodeArrayFromPayloads(client.options.loadedDataConverter, payloads);
    return args !== null && typeof args === 'object' ? (args as Partial<GraphWorkflowInput>) : undefined;
  }
  /**
   * The definition a run ran, from the input of its first history event (one
   * event read, decoded by the client's data converter, so encryption holds).
   * A definition never changes, so it is kept for the last few runs asked.
   */
  async function definition(runId: string): Promise<unknown> {
    const kept = definitions.get(runId);
    if (kept !== undefined) return kept;
    const args = await startArgs(runId);
    if (definitions.size >= DEFINITIONS_KEPT) definitions.delete(definitions.keys().next().value!);
    definitions.set(runId, args.definition);
    return args.definition;
  }
  /** What the run was started with (definition, input, trigger, library, …), from its first history event. */
  async function startArgs(runId: string): Promise<Partial<GraphWorkflowInput> & { definition: unknown }> {
    await describe(runId); // 404 for an unknown run or one that is not a graph run
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId: runId },
      maximumPageSize: 1,
    });
    const args = await startInput(page.history?.events?.[0]);
    if (args?.definition === undefined) throw new BraidError('notFound', 'this run has no graph definition in its history');
    return args as Partial<GraphWorkflowInput> & { definition: unknown };
  }
  /** Whether a workflow with this id exists (of any type: a new run may not take its id). */
  async function exists(runId: string): Promise<boolean> {
    try {
      await client.workflow.getHandle(runId).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }
  return { startInput, definition, startArgs, exists };
}

export type RunInputs = ReturnType<typeof runInputs>;

/** A traced run's trace id, from its memo: the one its start recorded, or a schedule's run's own (a root, named by its id). */
function traceIdOf(runId: string, memo: Record<string, unknown> | undefined): string | undefined {
  if (typeof memo?.traceId === 'string') return memo.traceId;
  return memo?.traced === true ? runSpanIds(runId, {}).traceId : undefined;
}
