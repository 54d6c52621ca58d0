/** The editor's pure parts: a definition's round trip, problem placement, handles, ids, undo/redo, schema fields. */
import { describe, expect, it } from 'vitest';
import { History } from '../../src/ui/client/editor/history';
import {
  edgeId,
  handlesOf,
  hasLayout,
  initialData,
  newNodeId,
  placeProblems,
  renameNode,
  setIn,
  setNodeField,
  toDefinition,
  toDocument,
  type NodeTypeView,
} from '../../src/ui/client/editor/model';
import { fieldKind } from '../../src/ui/client/editor/schema-fields';

const view = (over: Partial<NodeTypeView>): NodeTypeView => ({
  type: 't',
  label: 'T',
  description: '',
  category: 'action',
  custom: false,
  dataSchema: { type: 'object' },
  handles: [null],
  activity: false,
  local: false,
  cacheable: false,
  ...over,
});

describe('definition ↔ document', () => {
  const def = {
    name: 'orders',
    version: 3,
    owner: 'team-a',
    nodes: [
      { id: 'start', type: 'trigger', position: { x: 0, y: 10 }, data: { kind: 'manual' } },
      {
        id: 'check',
        type: 'condition',
        label: 'Big?',
        position: { x: 200.4, y: 10.6 },
        data: { expression: '{% $input.n > 5 %}' },
        retry: { maximumAttempts: 2 },
      },
      { id: 'big', type: 'set', position: { x: 400, y: 0 }, data: { value: 1 }, width: 190 },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'check' },
      { source: 'check', target: 'big', sourceHandle: 'true' },
    ],
    settings: { maxParallel: 4 },
  };

  it('keeps everything through a round trip (unknown keys too), positions rounded, generated edge ids not written', () => {
    const back = toDefinition(toDocument(def));
    expect(back).toEqual({
      ...def,
      nodes: def.nodes.map((n) => ({ ...n, position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } })),
    });
    expect(toDefinition(toDocument(back))).toEqual(back);
  });

  it('refuses what is not a graph, naming what is wrong', () => {
    expect(() => toDocument({ edges: [] })).toThrow(/"nodes" array/);
    expect(() => toDocument({ nodes: [{ id: 1, type: 'set' }] })).toThrow(/nodes\[0\]/);
    expect(() => toDocument({ nodes: [], edges: [{ source: 'a' }] })).toThrow(/edges\[0\]/);
  });

  it('knows when a definition has no layout of its own', () => {
    expect(hasLayout(def)).toBe(true);
    expect(hasLayout({ nodes: [{ id: 'a', type: 'set' }] })).toBe(false);
    expect(hasLayout({ nodes: [] })).toBe(false);
  });

  it('renames a node and the edges that name it; sets and removes fields, dropping emptied objects', () => {
    const doc = renameNode(toDocument(def), 'check', 'is-big');
    expect(doc.nodes.map((n) => n.id)).toEqual(['start', 'is-big', 'big']);
    expect(doc.edges.map((e) => [e.source, e.target])).toEqual([
      ['start', 'is-big'],
      ['is-big', 'big'],
    ]);
    const edited = setNodeField(setNodeField(doc, 'is-big', 'retry.maximumAttempts', undefined), 'is-big', 'timeout', '5s');
    const node = toDefinition(edited).nodes[1]!;
    expect(node).not.toHaveProperty('retry');
    expect(node.timeout).toBe('5s');
    expect(setIn({ a: { b: 1, c: 2 } }, 'a.b', undefined)).toEqual({ a: { c: 2 } });
  });
});

describe('problems from the API, placed', () => {
  it('on nodes (with the field), on edges (by id or by their ends), and the rest on the graph', () => {
    const sent = {
      nodes: [
        { id: 'start', type: 'trigger' },
        { id: 'fetch', type: 'http', data: {} },
      ],
      edges: [
        { source: 'start', target: 'fetch' },
        { id: 'dangling', source: 'fetch', target: 'nowhere' },
      ],
    };
    const placed = placeProblems(
      [
        { path: '$.nodes[1].data.url', message: 'Invalid input' },
        { path: '$.nodes[1]', message: 'node "fetch" cannot be reached' },
        { path: '$.edges[1].target', message: 'target "nowhere" is not a node id' },
        { path: '$.edges[0]', message: 'made up' },
        { path: '$.settings.maxParallel', message: 'too big' },
        { path: '$.nodes', message: 'must have a trigger' },
      ],
      sent,
    );
    expect(placed.nodes.get('fetch')).toEqual([
      { field: 'data.url', message: 'Invalid input' },
      { field: '', message: 'node "fetch" cannot be reached' },
    ]);
    expect(placed.edges.get('dangling')).toEqual([{ field: 'target', message: 'target "nowhere" is not a node id' }]);
    expect(placed.edges.get(edgeId('start', 'fetch', null))).toEqual([{ field: '', message: 'made up' }]);
    expect(placed.graph).toEqual([
      { field: 'settings.maxParallel', message: 'too big' },
      { field: 'nodes', message: 'must have a trigger' },
    ]);
    expect(placed.count).toBe(6);
  });
});

describe('handles, ids, new data', () => {
  it("gives a type's handles, a switch's cases before its default, and error when the node branches on failure", () => {
    expect(handlesOf(view({ handles: ['true', 'false'] }), { type: 'condition' })).toEqual(['true', 'false']);
    const sw = view({ handles: ['default'], handlesFromData: 'data.cases[].handle' });
    expect(handlesOf(sw, { type: 'switch', data: { cases: [{ handle: 'big' }, { handle: 'small' }, {}] } })).toEqual(['big', 'small', 'default']);
    expect(handlesOf(view({}), { type: 'http', onError: 'branch' })).toEqual([null, 'error']);
    expect(handlesOf(undefined, { type: 'gone' })).toEqual([null]);
  });

  it('names new nodes by type, numbering repeats', () => {
    expect(newNodeId('http', new Set())).toBe('http');
    expect(newNodeId('http', new Set(['http', 'http-2']))).toBe('http-3');
    expect(newNodeId('my.type', new Set())).toBe('my-type');
  });

  it("starts a node with its schema's defaults for required fields", () => {
    const v = view({ dataSchema: { type: 'object', properties: { mode: { default: 'all' }, text: { type: 'string' } }, required: ['mode', 'text'] } });
    expect(initialData(v)).toEqual({ mode: 'all' });
  });
});

describe('schema fields', () => {
  it('picks the input each schema calls for, and whether it takes an expression', () => {
    expect(fieldKind({ type: 'string' })).toEqual({ kind: 'text' });
    expect(fieldKind({ anyOf: [{ type: 'string' }, { type: 'string', enum: ['GET', 'POST'] }] })).toEqual({
      kind: 'select',
      options: ['GET', 'POST'],
      expression: true,
    });
    expect(fieldKind({ type: 'string', enum: ['a', 'b'] })).toEqual({ kind: 'select', options: ['a', 'b'], expression: false });
    expect(fieldKind({ type: 'integer', minimum: 1, maximum: 5 })).toEqual({ kind: 'number', integer: true, min: 1, max: 5, expression: false });
    expect(fieldKind({ type: ['string', 'boolean'] })).toEqual({ kind: 'boolean', expression: true });
    expect(fieldKind({ anyOf: [{ type: 'string' }, { type: 'object' }] })).toEqual({ kind: 'json' });
    expect(fieldKind({})).toEqual({ kind: 'json' });
    const retry = { type: 'object', properties: { maximumAttempts: { type: 'integer' } } };
    expect(fieldKind(retry)).toEqual({ kind: 'object', schema: retry });
  });
});

describe('undo and redo', () => {
  it('steps back and forth; a new edit drops the redo steps; quick edits of one field are one step', () => {
    const h = new History<number>();
    h.record(0, undefined, 0);
    h.record(1, undefined, 10);
    expect(h.undo(2)).toBe(1);
    expect(h.undo(1)).toBe(0);
    expect(h.undo(0)).toBeUndefined();
    expect(h.redo(0)).toBe(1);
    h.record(1, undefined, 20);
    expect(h.canRedo).toBe(false);

    const typing = new History<string>();
    typing.record('', 'url', 0);
    typing.record('h', 'url', 300);
    typing.record('ht', 'url', 600);
    typing.record('htt', 'label', 700);
    expect(typing.undo('http')).toBe('htt');
    expect(typing.undo('htt')).toBe('');
    expect(typing.canUndo).toBe(false);
  });
});
