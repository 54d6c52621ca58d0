/**
 * "Test this node": the graph a node's test run needs, as the drawn graph
 * gives it. The node runs as drawn; every node upstream of it is kept under
 * its id (so `$nodes.<id>` reads as in a real run) but becomes a `set` node
 * whose output is pinned (`pins` on POST /v1/runs: a test run, left out of
 * lists and counters); triggers stay triggers and take the input. Nothing
 * downstream is in the test.
 */
import type { Definition } from './model';

export interface NodeTest {
  workflow: Definition;
  /** The nodes whose outputs are pinned, upstream first. */
  upstream: string[];
}

/** `isTrigger`: whether a node type is a trigger (the catalog's category), which takes the input instead of a pin. */
export function nodeTestRun(def: Definition, nodeId: string, isTrigger: (type: string) => boolean): NodeTest {
  const byId = new Map(def.nodes.map((n) => [String(n.id), n]));
  const sourcesOf = (id: string) => def.edges.filter((e) => e.target === id).map((e) => String(e.source));
  const kept = new Set<string>([nodeId]);
  const queue = [nodeId];
  while (queue.length > 0) {
    for (const s of sourcesOf(queue.shift()!)) {
      if (kept.has(s) || !byId.has(s)) continue;
      kept.add(s);
      queue.push(s);
    }
  }
  const upstream: string[] = [];
  const nodes = def.nodes
    .filter((n) => kept.has(String(n.id)))
    .map((n) => {
      const id = String(n.id);
      if (id === nodeId || isTrigger(String(n.type))) return n;
      upstream.push(id);
      return { id, type: 'set', data: { value: null }, ...(n.position ? { position: n.position } : {}) };
    });
  const replaced = new Set(upstream);
  const edges = def.edges
    .filter((e) => kept.has(String(e.source)) && kept.has(String(e.target)))
    .map((e) => {
      if (!replaced.has(String(e.source))) return e;
      const { sourceHandle: _handle, ...plain } = e;
      return plain;
    });
  return { workflow: { ...def, name: `${def.name ?? 'workflow'} (test of ${nodeId})`, nodes, edges }, upstream };
}
