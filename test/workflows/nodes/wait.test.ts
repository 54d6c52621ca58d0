import { describe, expect, it } from 'vitest';
import { wait } from '../../../workflows/nodes/wait';
import { graph } from '../../helpers/graphs';
import { nodeContext } from './context';

describe('wait', () => {
  it('outputs the event body and shows what it waits for', async () => {
    const def = graph().trigger().node('w', 'wait', { event: 'paid', timeout: '1d' }).edge('start', 'w').build();
    const { run, recorded } = nodeContext(def, 'w', { answer: { value: { amount: 3 } } });
    expect(await run()).toMatchObject({ output: { amount: 3 }, execution: 'workflow' });
    expect(recorded.waiting).toEqual([{ kind: 'event', event: 'paid', timeoutAt: expect.any(String) }]);
  });

  it('offers a plain edge and timeout, and needs a run of its own', () => {
    expect(wait.handles({})).toEqual([undefined, 'timeout']);
    expect(wait.ownRun).toBe(true);
    expect(wait.data.safeParse({ event: 'has space' }).success).toBe(false);
  });
});
