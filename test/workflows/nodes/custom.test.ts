import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { customNodeType } from '../../../workflows/nodes/custom';
import { graph } from '../../helpers/graphs';
import { nodeContext } from './context';

describe('custom node types', () => {
  it('send their evaluated data to the activity named after the type', async () => {
    const def = graph().trigger().node('s', 'slugify', { text: '{% $input.title %}' }).edge('start', 's').build();
    const { run, recorded } = nodeContext(def, 's', { input: { title: 'Hello World' }, customTypes: ['slugify'] });
    await run();
    expect(recorded.calls).toEqual([
      { activityType: 'slugify', taskQueue: 'braid', args: [{ nodeId: 's', runId: 'run-1', data: { text: 'Hello World' } }], owner: 'braid' },
    ]);
  });

  it('check data against their schema, leaving fields written as expressions for run time', () => {
    const type = customNodeType('slugify', z.object({ text: z.string(), max: z.number() }).strict());
    expect(type.data.safeParse({ text: 'a', max: 3 }).success).toBe(true);
    expect(type.data.safeParse({ text: 'a', max: '{% $input.max %}' }).success).toBe(true);
    const bad = type.data.safeParse({ text: 1, max: '{% $input.max %}' });
    expect(bad.success ? [] : bad.error.issues.map((i) => i.path)).toEqual([['text']]);
  });
});
