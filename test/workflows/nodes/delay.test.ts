import { describe, expect, it } from 'vitest';
import { FAILURE_TYPES } from '../../../src/graph/failures';
import { delay } from '../../../workflows/nodes/delay';
import { graph } from '../../helpers/graphs';
import { nodeContext } from './context';

const withData = (data: Record<string, unknown>) => graph().trigger().node('d', 'delay', data).edge('start', 'd').build();

describe('delay', () => {
  it('sleeps durably for its duration, evaluated', async () => {
    const { run, recorded } = nodeContext(withData({ duration: '{% $input.wait %}' }), 'd', { input: { wait: '2s' } });
    expect(await run()).toEqual({ output: { waitedMs: 2000 }, attempts: 1, runMs: 2000, execution: 'workflow' });
    expect(recorded.sleeps).toEqual([2000]);
  });

  it('does not sleep for a time already past', async () => {
    const { run, recorded } = nodeContext(withData({ until: '2000-01-01T00:00:00Z' }), 'd');
    expect((await run()).output).toEqual({ waitedMs: 0 });
    expect(recorded.sleeps).toEqual([]);
  });

  it('fails with InvalidNodeData when the evaluated duration is not one', async () => {
    await expect(nodeContext(withData({ duration: '{% $input.wait %}' }), 'd', { input: { wait: 'soon' } }).run()).rejects.toMatchObject({
      type: FAILURE_TYPES.invalidNodeData,
      message: expect.stringMatching(/data.duration must be a duration/),
    });
  });

  it('needs exactly one of duration and until', () => {
    expect(delay.data.safeParse({}).success).toBe(false);
    expect(delay.data.safeParse({ duration: '1s', until: '2030-01-01T00:00:00Z' }).success).toBe(false);
  });
});
