/** forEach and subworkflow start child workflows: their runs are tested in test/workflows/for-each.test.ts and interpreter.test.ts; here, what validation reads. */
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../../src/graph/validate';
import { BUILT_IN_CATALOG } from '../../../src/graph/nodes';
import { forEach } from '../../../workflows/nodes/for-each';
import { subworkflow } from '../../../workflows/nodes/subworkflow';
import { graph } from '../../helpers/graphs';

describe('forEach and subworkflow', () => {
  it('hold a graph of their own; only a subworkflow gives it a run of its own', () => {
    expect(forEach.inlineGraph).toEqual({ field: 'body', ownRun: false });
    expect(subworkflow.inlineGraph).toEqual({ field: 'workflow', ownRun: true });
  });

  it('need exactly one of an inline graph and a ref', () => {
    expect(forEach.data.safeParse({ items: [1] }).success).toBe(false);
    expect(forEach.data.safeParse({ items: [1], ref: 'a', body: {} }).success).toBe(false);
    expect(subworkflow.data.safeParse({ ref: 'pricing@0123456789abcdef' }).success).toBe(true);
  });

  it('refuse a node that needs its own run inside a forEach body, not inside a subworkflow', () => {
    const inner = graph().trigger().node('ok', 'approval', {}).edge('start', 'ok').build();
    const inForEach = validateDefinition(
      graph()
        .trigger()
        .node('each', 'forEach', { items: [1], body: inner })
        .edge('start', 'each')
        .build(),
      BUILT_IN_CATALOG,
    );
    expect(inForEach.ok ? [] : inForEach.issues.map((i) => i.path)).toEqual(['$.nodes[1].data.body.nodes[1].type']);
    const inChild = validateDefinition(graph().trigger().node('sub', 'subworkflow', { workflow: inner }).edge('start', 'sub').build(), BUILT_IN_CATALOG);
    expect(inChild.ok).toBe(true);
  });
});
