/** "Test this node": the graph its test run takes (src/ui/client/editor/node-test.ts). */
import { describe, expect, it } from 'vitest';
import { nodeTestRun } from '../../src/ui/client/editor/node-test';
import { validateDefinition } from '../../src/graph/validate';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';

const isTrigger = (type: string) => BUILT_IN_CATALOG.get(type)?.category === 'trigger';

const drawn = {
  name: 'orders',
  nodes: [
    { id: 'start', type: 'trigger', position: { x: 0, y: 0 } },
    { id: 'fetch', type: 'http', data: { url: 'https://example.com/orders' } },
    { id: 'check', type: 'condition', data: { expression: '{% $nodes.fetch.output.status = 200 %}' } },
    { id: 'shape', type: 'code', data: { code: 'return $nodes.fetch.output.body;' } },
    { id: 'after', type: 'set', data: { value: 1 } },
    { id: 'aside', type: 'set', data: { value: 2 } },
  ],
  edges: [
    { source: 'start', target: 'fetch' },
    { source: 'fetch', target: 'check' },
    { source: 'check', target: 'shape', sourceHandle: 'true' },
    { source: 'shape', target: 'after' },
    { source: 'start', target: 'aside' },
  ],
};

describe('test this node', () => {
  it('keeps the node and what is upstream of it, the upstream nodes pinned set nodes under their ids', () => {
    const { workflow, upstream } = nodeTestRun(drawn, 'shape', isTrigger);
    expect(upstream.sort()).toEqual(['check', 'fetch']);
    expect(workflow.nodes.map((n) => [n.id, n.type])).toEqual([
      ['start', 'trigger'],
      ['fetch', 'set'],
      ['check', 'set'],
      ['shape', 'code'],
    ]);
    // The condition's branch handle is gone with the condition: a set node has one plain edge.
    expect(workflow.edges).toEqual([
      { source: 'start', target: 'fetch' },
      { source: 'fetch', target: 'check' },
      { source: 'check', target: 'shape' },
    ]);
    expect(validateDefinition(workflow, BUILT_IN_CATALOG).ok).toBe(true);
  });

  it('needs no pins for a node right after the trigger', () => {
    const { workflow, upstream } = nodeTestRun(drawn, 'aside', isTrigger);
    expect(upstream).toEqual([]);
    expect(workflow.nodes.map((n) => n.id)).toEqual(['start', 'aside']);
  });
});
