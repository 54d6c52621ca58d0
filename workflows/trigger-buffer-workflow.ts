/**
 * The buffer workflow of a debounced or batched webhook trigger: one per
 * (project, workflow, trigger, key value), started by the first delivery's
 * Update-with-Start and ended after a minute with no open window. Each
 * `deliver` update answers the id of the run the delivery joined; when a
 * window closes (src/graph/trigger-buffer.ts), its run is started by the
 * `startBufferedRun` activity under that id, so a crash anywhere starts it
 * once, late at worst.
 */
import { allHandlersFinished, condition, continueAsNew, defineUpdate, log, proxyActivities, setHandler, uuid4, workflowInfo } from '@temporalio/workflow';
import type { BufferBookState, BufferPolicy, Delivery } from '../src/graph/trigger-buffer';
import { BufferBook, DELIVER_UPDATE } from '../src/graph/trigger-buffer';
import { nameSlug } from '../src/graph/project-ids';
import type { AdmissionActivities } from '../activities/admission';
import { flowMaxEvents } from './admission-workflow';

export interface TriggerBufferInput {
  workflow: string;
  trigger: string;
  policy: BufferPolicy;
  book?: BufferBookState;
  /** Continue as new past this many events (tests set it low). */
  maxEvents?: number;
}

export const deliverUpdate = defineUpdate<{ runId: string; deliveries: number }, [Delivery & { policy: BufferPolicy }]>(DELIVER_UPDATE);

const IDLE_MS = 60_000;

const { startBufferedRun } = proxyActivities<AdmissionActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '10s' },
});

export async function braidTriggerBuffer(input: TriggerBufferInput): Promise<void> {
  const maxEvents = flowMaxEvents(input.maxEvents);
  const book = new BufferBook(input.policy, input.book);
  let changed = false;
  const newRunId = () => `${nameSlug(input.workflow)}-${book.policy.mode}-${uuid4()}`;
  setHandler(deliverUpdate, ({ policy, ...delivery }) => {
    book.policy = policy;
    changed = true;
    return book.deliver(delivery, Date.now(), newRunId);
  });

  for (;;) {
    changed = false;
    book.closeDue(Date.now());
    for (let next = book.nextStart(input.workflow, input.trigger); next; next = book.nextStart(input.workflow, input.trigger)) {
      // A run that cannot start (its workflow deleted, its limit refusing it) is let go, not retried for ever.
      await startBufferedRun(next).catch((err: unknown) => log.warn('a buffered run did not start', { runId: next!.runId, error: (err as Error).message }));
      book.started();
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > maxEvents) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof braidTriggerBuffer>({ ...input, policy: book.policy, book: book.state });
    }
    const due = book.dueAt();
    if (due === undefined) {
      const woke = await condition(() => changed, IDLE_MS);
      if (!woke && book.idle && allHandlersFinished()) return;
      continue;
    }
    // A delivery only moves the due time later, so one timer serves a whole burst; a full batch wakes it early.
    await condition(() => book.state.closing.length > 0, Math.max(1, due - Date.now()));
  }
}
