import { describe, expect, it } from 'vitest';
import { FAILURE_TYPES } from '../../../src/graph/failures';
import { approval } from '../../../workflows/nodes/approval';
import { graph } from '../../helpers/graphs';
import { nodeContext } from './context';

const decided = { approved: false, comment: 'too much', by: 'ana', decidedAt: '2026-01-01T00:00:01.000Z' };

describe('approval', () => {
  it('shows what it waits for and takes the handle of the decision', async () => {
    const def = graph().trigger().node('ok', 'approval', { prompt: 'Refund?' }).edge('start', 'ok').build();
    const { run, recorded } = nodeContext(def, 'ok', { answer: { value: decided } });
    const result = await run();
    expect(recorded.waiting).toEqual([{ kind: 'approval', prompt: 'Refund?' }]);
    expect(result).toMatchObject({ handle: 'rejected', output: decided });
  });

  it('takes the timeout edge when nobody decides, and fails without one', async () => {
    const withEdge = graph().trigger().node('ok', 'approval', { timeout: '1h' }).set('late', 1).edge('start', 'ok').edge('ok', 'late', 'timeout').build();
    expect((await nodeContext(withEdge, 'ok').run()).handle).toBe('timeout');
    const without = graph().trigger().node('ok', 'approval', { timeout: '1h' }).edge('start', 'ok').build();
    await expect(nodeContext(without, 'ok').run()).rejects.toMatchObject({ type: FAILURE_TYPES.waitTimeout });
  });

  it('needs a run of its own and offers approved, rejected and timeout', () => {
    expect(approval.ownRun).toBe(true);
    expect(approval.handles({})).toEqual(['approved', 'rejected', 'timeout']);
  });
});
