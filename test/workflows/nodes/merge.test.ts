import { describe, expect, it } from 'vitest';
import { merge } from '../../../workflows/nodes/merge';
import { graph } from '../../helpers/graphs';
import { nodeContext } from './context';

describe('merge', () => {
  it('outputs each taken input by its source id, and nothing of an untaken one', async () => {
    // start ─▶ c ─true─▶ a ─▶ m
    //           └false─▶ b ─▶ m
    const def = graph()
      .trigger()
      .node('c', 'condition', { expression: '{% true %}' })
      .set('a', 1)
      .set('b', 2)
      .node('m', 'merge', { mode: 'any' })
      .edge('start', 'c')
      .edge('c', 'a', 'true')
      .edge('c', 'b', 'false')
      .edge('a', 'm')
      .edge('b', 'm')
      .build();
    const { scheduler, graph: g, run } = nodeContext(def, 'm', { nodes: { a: { status: 'succeeded', output: 'A' } } });
    const id = (name: string) => g.indexById.get(name)!;
    scheduler.next();
    scheduler.complete(id('start'), { status: 'succeeded' });
    scheduler.next();
    scheduler.complete(id('c'), { status: 'succeeded', handle: 'true' });
    scheduler.next();
    scheduler.complete(id('a'), { status: 'succeeded' });
    expect(scheduler.next().map((n) => n.id)).toEqual(['m']);
    expect((await run()).output).toEqual({ a: 'A' });
  });

  it('joins on the first input only with mode "any"', () => {
    expect(merge.joinsOnFirst!({ mode: 'any' })).toBe(true);
    expect(merge.joinsOnFirst!({ mode: 'all' })).toBe(false);
    expect(merge.joinsOnFirst!({})).toBe(false);
  });
});
