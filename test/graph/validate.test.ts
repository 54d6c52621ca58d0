import { describe, expect, it } from 'vitest';
import { assertValid, GraphValidationError, ISSUE_CODES, validateDefinition } from '../../src/graph/validate';
import { LIMITS } from '../../src/graph/schema';
import { graph } from '../helpers/graphs';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';

function issuesOf(def: unknown) {
  const result = validateDefinition(def, BUILT_IN_CATALOG);
  if (result.ok) throw new Error('expected the definition to be invalid');
  return result.issues;
}

const minimal = () => graph().trigger('start').set('s', 1).edge('start', 's');

describe('validateDefinition', () => {
  it('accepts a React Flow export with UI keys it ignores', () => {
    const def = {
      nodes: [
        { id: 'start', type: 'trigger', position: { x: 0, y: 0 }, width: 150, selected: true, data: { label: 'Start' } },
        { id: 'a', type: 'set', data: { value: 1 }, dragging: false },
      ],
      edges: [{ id: 'e1', source: 'start', target: 'a', sourceHandle: null, animated: true, type: 'smoothstep' }],
      viewport: { x: 0, y: 0, zoom: 1 },
    };
    const result = validateDefinition(def, BUILT_IN_CATALOG);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.graph.name).toBe('unnamed');
      expect(result.stats).toEqual({ nodes: 2, edges: 1, triggers: 1, maxDepth: 2 });
    }
  });

  // Each row: a broken definition, the issue code and path it must produce.
  const cases: [string, unknown, string, string][] = [
    ['not an object', [], ISSUE_CODES.invalidShape, '$'],
    ['nodes not an array', { nodes: {} }, ISSUE_CODES.invalidShape, '$.nodes'],
    ['malformed id', { nodes: [{ id: 'a b', type: 'trigger' }] }, ISSUE_CODES.invalidShape, '$.nodes[0].id'],
    ['id too long', { nodes: [{ id: 'x'.repeat(65), type: 'trigger' }] }, ISSUE_CODES.invalidShape, '$.nodes[0].id'],
    ['duplicate id', minimal().trigger('start').build(), ISSUE_CODES.duplicateId, '$.nodes[2].id'],
    ['unknown type', minimal().node('x', 'htp').edge('s', 'x').build(), ISSUE_CODES.unknownType, '$.nodes[2].type'],
    ['edge to unknown node', minimal().edge('s', 'ghost').build(), ISSUE_CODES.unknownNode, '$.edges[1].target'],
    ['edge from unknown node', minimal().edge('ghost', 's').build(), ISSUE_CODES.unknownNode, '$.edges[1].source'],
    ['no trigger', graph().set('a', 1).build(), ISSUE_CODES.noTrigger, '$.nodes'],
    ['no nodes', { nodes: [] }, ISSUE_CODES.noTrigger, '$.nodes'],
    ['trigger with incoming edge', minimal().trigger('t2').edge('s', 't2').build(), ISSUE_CODES.triggerHasIncoming, '$.edges[1].target'],
    ['unreachable node', minimal().set('island', 2).build(), ISSUE_CODES.unreachable, '$.nodes[2]'],
    ['http without url', minimal().node('h', 'http', {}).edge('s', 'h').build(), ISSUE_CODES.invalidData, '$.nodes[2].data.url'],
    ['http url not http(s)', minimal().http('h', 'ftp://x').edge('s', 'h').build(), ISSUE_CODES.invalidData, '$.nodes[2].data.url'],
    ['typo in data', minimal().http('h', 'http://x', {}, { mehtod: 'GET' }).edge('s', 'h').build(), ISSUE_CODES.invalidData, '$.nodes[2].data'],
    [
      'condition without expression',
      minimal().node('c', 'condition', { expression: 'true' }).edge('s', 'c').build(),
      ISSUE_CODES.invalidData,
      '$.nodes[2].data.expression',
    ],
    ['expression does not compile', minimal().set('bad', '{% 1 + %}').edge('s', 'bad').build(), ISSUE_CODES.invalidExpression, '$.nodes[2].data.value'],
    [
      'nested expression does not compile',
      minimal()
        .set('bad', { a: [{ b: '{% ( %}' }] })
        .edge('s', 'bad')
        .build(),
      ISSUE_CODES.invalidExpression,
      '$.nodes[2].data.value.a[0].b',
    ],
    ['bad duration', minimal().node('d', 'delay', { duration: '5 minutes' }).edge('s', 'd').build(), ISSUE_CODES.invalidData, '$.nodes[2].data.duration'],
    ['bad timeout', minimal().http('h', 'http://x', { timeout: '1 hour' }).edge('s', 'h').build(), ISSUE_CODES.invalidShape, '$.nodes[2].timeout'],
    [
      'delay with both',
      minimal().node('d', 'delay', { duration: '1s', until: '2030-01-01T00:00:00Z' }).edge('s', 'd').build(),
      ISSUE_CODES.invalidData,
      '$.nodes[2].data',
    ],
    [
      'condition edge without handle',
      minimal().node('c', 'condition', { expression: '{% true %}' }).set('y', 1).edge('s', 'c').edge('c', 'y').build(),
      ISSUE_CODES.invalidHandle,
      '$.edges[2].sourceHandle',
    ],
    ['handle on a plain node', minimal().set('y', 1).edge('s', 'y', 'true').build(), ISSUE_CODES.invalidHandle, '$.edges[1].sourceHandle'],
    ['error handle without onError branch', minimal().set('y', 1).edge('s', 'y', 'error').build(), ISSUE_CODES.invalidHandle, '$.edges[1].sourceHandle'],
    [
      'unknown switch handle',
      minimal()
        .node('sw', 'switch', { cases: [{ handle: 'vip', expression: '{% true %}' }] })
        .set('y', 1)
        .edge('s', 'sw')
        .edge('sw', 'y', 'gold')
        .build(),
      ISSUE_CODES.invalidHandle,
      '$.edges[2].sourceHandle',
    ],
    ['maxParallel above 1000', minimal().with({ maxParallel: 1001 }).build(), ISSUE_CODES.invalidShape, '$.settings.maxParallel'],
    [
      'unknown strategy',
      minimal()
        .with({ strategy: 'random' as never })
        .build(),
      ISSUE_CODES.invalidShape,
      '$.settings.strategy',
    ],
    [
      'duplicate edge id',
      {
        ...minimal().set('t', 1).build(),
        edges: [
          { id: 'e', source: 'start', target: 's' },
          { id: 'e', source: 'start', target: 't' },
        ],
      },
      ISSUE_CODES.duplicateEdge,
      '$.edges[1].id',
    ],
  ];

  it.each(cases)('rejects %s', (_name, def, code, path) => {
    const issues = issuesOf(def);
    expect(issues).toContainEqual(expect.objectContaining({ code, path }));
    for (const issue of issues) expect(issue.message.length).toBeGreaterThan(0);
  });

  it('names the nodes on a cycle', () => {
    //  start ──▶ a ──▶ b ──▶ c
    //            ▲           │
    //            └───────────┘
    const def = graph().trigger('start').set('a', 1).set('b', 1).set('c', 1).chain('start', 'a', 'b', 'c').edge('c', 'a').build();
    const issues = issuesOf(def);
    expect(issues).toContainEqual(expect.objectContaining({ code: ISSUE_CODES.cycle, message: 'cycle: a -> b -> c -> a' }));
  });

  it('reports every problem at once, not only the first', () => {
    const def = graph().trigger('start').node('x', 'nope').http('h', 'not a url').edge('start', 'ghost').build();
    const codes = issuesOf(def).map((i) => i.code);
    expect(codes).toEqual(expect.arrayContaining([ISSUE_CODES.unknownType, ISSUE_CODES.invalidData, ISSUE_CODES.unknownNode]));
  });

  it('lists the known types when the type is unknown', () => {
    const [issue] = issuesOf(minimal().node('x', 'htp').edge('s', 'x').build()).filter((i) => i.code === ISSUE_CODES.unknownType);
    expect(issue?.message).toContain('trigger, http, condition, switch, merge, delay, set');
    expect(issue?.nodeId).toBe('x');
  });

  it('gives the position of an expression syntax error', () => {
    const [issue] = issuesOf(minimal().set('bad', '{% $a + %}').edge('s', 'bad').build());
    expect(issue?.message).toMatch(/position \d+/);
  });

  it('enforces the node, edge and size limits', () => {
    const tooMany = { nodes: Array.from({ length: LIMITS.maxNodes + 1 }, (_, i) => ({ id: `n${i}`, type: 'trigger' })) };
    expect(issuesOf(tooMany)).toContainEqual(expect.objectContaining({ code: ISSUE_CODES.tooLarge, path: '$.nodes' }));
    const tooManyEdges = { nodes: [{ id: 'a', type: 'trigger' }], edges: Array.from({ length: LIMITS.maxEdges + 1 }, () => ({ source: 'a', target: 'a' })) };
    expect(issuesOf(tooManyEdges)).toContainEqual(expect.objectContaining({ code: ISSUE_CODES.tooLarge, path: '$.edges' }));
    const huge = minimal().set('big', 'x'.repeat(LIMITS.maxDefinitionBytes)).edge('s', 'big').build();
    expect(issuesOf(huge)).toContainEqual(expect.objectContaining({ code: ISSUE_CODES.tooLarge, path: '$' }));
  });

  it('accepts 5,000 nodes in a chain without overflowing the stack', () => {
    const b = graph().trigger('n0');
    for (let i = 1; i < LIMITS.maxNodes; i++) b.set(`n${i}`, i).edge(`n${i - 1}`, `n${i}`);
    const result = validateDefinition(b.build(), BUILT_IN_CATALOG);
    expect(result.ok && result.stats.maxDepth).toBe(LIMITS.maxNodes);
  });

  it('accepts every expression position and handle kind in one valid graph', () => {
    //            ┌─ true ─▶ yes ─┐
    // start ─▶ cond              ├─▶ join ─▶ sw ─ vip ─▶ v
    //            └─ false ─▶ no ─┘            └─ default ─▶ d
    const def = graph()
      .trigger('start')
      .node('cond', 'condition', { expression: '{% $input.amount > 10 %}' })
      .set('yes', { big: '{% $input.amount %}' })
      .set('no', 'small')
      .node('join', 'merge', { mode: 'all' })
      .node('sw', 'switch', { cases: [{ handle: 'vip', expression: '{% $input.vip = true %}' }] })
      .set('v', 1)
      .set('d', 2)
      .edge('start', 'cond')
      .edge('cond', 'yes', 'true')
      .edge('cond', 'no', 'false')
      .edge('yes', 'join')
      .edge('no', 'join')
      .edge('join', 'sw')
      .edge('sw', 'v', 'vip')
      .edge('sw', 'd', 'default')
      .build();
    expect(() => assertValid(def, BUILT_IN_CATALOG)).not.toThrow();
  });

  it('assertValid throws one error carrying every issue', () => {
    const err = (() => {
      try {
        assertValid({ nodes: [] }, BUILT_IN_CATALOG);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(GraphValidationError);
    expect((err as GraphValidationError).issues).toHaveLength(1);
  });

  it('refuses hostile nesting without overflowing the stack', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const result = validateDefinition(
      {
        nodes: [
          { id: 'start', type: 'trigger' },
          { id: 's', type: 'set', data: { value: deep } },
        ],
        edges: [{ source: 'start', target: 's' }],
      },
      BUILT_IN_CATALOG,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]).toMatchObject({ code: ISSUE_CODES.tooLarge, path: '$' });
  });

  it('accepts unicode in names, labels and data', () => {
    const def = graph('заказы 🚀').trigger().set('s', { ключ: '値 ✓', emoji: '{% "🎉" & $input.名前 %}' }).edge('start', 's').build();
    def.nodes[1]!.label = 'Überprüfung ✓';
    expect(validateDefinition(def, BUILT_IN_CATALOG).ok).toBe(true);
  });

  it('keeps __proto__ and constructor as plain data', () => {
    const def = JSON.parse(
      '{"nodes":[{"id":"start","type":"trigger"},{"id":"s","type":"set","data":{"value":{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}}}],"edges":[{"source":"start","target":"s"}],"__proto__":{"polluted":true}}',
    );
    expect(validateDefinition(def, BUILT_IN_CATALOG).ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
