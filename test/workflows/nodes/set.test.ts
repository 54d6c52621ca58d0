import { describe, expect, it } from 'vitest';
import { graph } from '../../helpers/graphs';
import { nodeContext } from './context';

describe('set', () => {
  it('outputs its value with expressions evaluated against the input and earlier nodes', async () => {
    const def = graph()
      .trigger()
      .set('s', { sum: '{% $input.a + $nodes.prev.output %}', fixed: [1, 'two'] })
      .edge('start', 's')
      .build();
    const { run } = nodeContext(def, 's', { input: { a: 2 }, nodes: { prev: { status: 'succeeded', output: 40 } } });
    const result = await run();
    expect(result).toEqual({ output: { sum: 42, fixed: [1, 'two'] }, attempts: 1, runMs: 0, execution: 'workflow' });
  });
});
