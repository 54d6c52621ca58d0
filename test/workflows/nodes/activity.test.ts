import { describe, expect, it } from 'vitest';
import { FAILURE_TYPES } from '../../../src/graph/failures';
import { activity } from '../../../workflows/nodes/activity';
import { graph } from '../../helpers/graphs';
import { nodeContext } from './context';

describe('activity', () => {
  it('calls the activity type on its task queue with the evaluated args', async () => {
    const def = graph()
      .trigger()
      .node('a', 'activity', { activityType: 'chargeCard', taskQueue: 'payments', args: ['{% $input.amount %}', 'EUR'] })
      .edge('start', 'a')
      .build();
    const { run, recorded } = nodeContext(def, 'a', { input: { amount: 12 } });
    await run();
    expect(recorded.calls).toEqual([{ activityType: 'chargeCard', taskQueue: 'payments', args: [12, 'EUR'] }]);
  });

  it('uses the run task queue by default and fails when args are not a list', async () => {
    const ok = nodeContext(graph().trigger().node('a', 'activity', { activityType: 'x' }).edge('start', 'a').build(), 'a');
    await ok.run();
    expect(ok.recorded.calls).toEqual([{ activityType: 'x', taskQueue: 'braid', args: [] }]);
    const bad = nodeContext(graph().trigger().node('a', 'activity', { activityType: 'x', args: '{% 5 %}' }).edge('start', 'a').build(), 'a');
    await expect(bad.run()).rejects.toMatchObject({ type: FAILURE_TYPES.invalidNodeData });
  });

  it('takes an activity slot but cannot run locally (another worker may host it)', () => {
    expect(activity.activitySlot).toBe(true);
    expect(activity.local).toBe(false);
  });
});
