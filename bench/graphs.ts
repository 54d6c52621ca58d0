/** The benchmark scenarios' graphs. */
import type { GraphDefinition } from '../src/graph/schema';

type Node = GraphDefinition['nodes'][number];
type Edge = NonNullable<GraphDefinition['edges']>[number];

const http = (id: string, url: string): Node => ({ id, type: 'http', data: { url }, retry: { maximumAttempts: 1 } });

/** S1: trigger → http 100 ms → five http 200 ms siblings. Critical path 300 ms. */
export type Execution = 'activity' | 'local';

export function fanOut(
  baseUrl: string,
  width = 5,
  firstMs = 100,
  ms = 200,
  strategy: 'parallel' | 'sequential' = 'parallel',
  execution: Execution = 'activity',
): GraphDefinition {
  const nodes: Node[] = [{ id: 'start', type: 'trigger' }, http('first', `${baseUrl}/delay/${firstMs}`)];
  const edges: Edge[] = [{ source: 'start', target: 'first' }];
  for (let i = 1; i <= width; i++) {
    nodes.push(http(`s${i}`, `${baseUrl}/delay/${ms}`));
    edges.push({ source: 'first', target: `s${i}` });
  }
  return { name: `fan-out-${width}`, nodes, edges, settings: { strategy, maxParallel: Math.min(1000, Math.max(10, width)), execution } };
}

/**
 * S2: an unbalanced DAG. A chain of three 100 ms nodes beside one 300 ms node,
 * both feeding a join, then a 100 ms tail; the chain also feeds a 200 ms node.
 *
 *   start ─▶ a1 ─▶ a2 ─▶ a3 ─▶ join ─▶ tail
 *     │       └──▶ side(200) ───┘
 *     └────▶ slow(300) ─────────┘
 *
 * Critical path: max(a1 a2 a3 = 300, a1 side = 300, slow = 300) + tail 100 = 400 ms.
 * A level-by-level executor waits for the slowest node of each level:
 * {a1, slow} 300 + {a2, side} 200 + {a3} 100 + {join} 0 + {tail} 100 = 700 ms.
 */
export function unbalanced(baseUrl: string): GraphDefinition {
  return {
    name: 'unbalanced',
    nodes: [
      { id: 'start', type: 'trigger' },
      http('a1', `${baseUrl}/delay/100`),
      http('a2', `${baseUrl}/delay/100`),
      http('a3', `${baseUrl}/delay/100`),
      http('side', `${baseUrl}/delay/200`),
      http('slow', `${baseUrl}/delay/300`),
      { id: 'join', type: 'merge' },
      http('tail', `${baseUrl}/delay/100`),
    ],
    edges: [
      { source: 'start', target: 'a1' },
      { source: 'a1', target: 'a2' },
      { source: 'a2', target: 'a3' },
      { source: 'a3', target: 'join' },
      { source: 'a1', target: 'side' },
      { source: 'side', target: 'join' },
      { source: 'start', target: 'slow' },
      { source: 'slow', target: 'join' },
      { source: 'join', target: 'tail' },
    ],
  };
}

/** S4: a chain of `depth` zero-delay http nodes. */
export function chain(baseUrl: string, depth: number, execution: Execution = 'activity'): GraphDefinition {
  const nodes: Node[] = [{ id: 'start', type: 'trigger' }];
  const edges: Edge[] = [];
  let prev = 'start';
  for (let i = 0; i < depth; i++) {
    nodes.push(http(`n${i}`, `${baseUrl}/delay/0`));
    edges.push({ source: prev, target: `n${i}` });
    prev = `n${i}`;
  }
  return { name: `chain-${depth}`, nodes, edges, settings: { execution } };
}

/** S5: the smallest useful run. */
export function tiny(): GraphDefinition {
  return {
    name: 'tiny',
    nodes: [
      { id: 'start', type: 'trigger' },
      { id: 'echo', type: 'set', data: { value: '{% $input %}' } },
    ],
    edges: [{ source: 'start', target: 'echo' }],
  };
}

/** S6: a layered random DAG of `n` nodes, each with up to 3 parents from the previous layers (seeded). */
export function layered(n: number, seed = 42): GraphDefinition {
  let s = seed;
  const rand = () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const nodes: Node[] = [{ id: 'n0', type: 'trigger' }];
  const edges: Edge[] = [];
  for (let i = 1; i < n; i++) {
    nodes.push({ id: `n${i}`, type: i % 3 === 0 ? 'http' : 'set', data: i % 3 === 0 ? { url: 'http://x/' } : { value: i } });
    const parents = new Set<number>([Math.floor(rand() * i)]);
    for (let k = 0; k < 2; k++) if (rand() < 0.5) parents.add(Math.max(0, i - 1 - Math.floor(rand() * 50)));
    for (const p of parents) edges.push({ source: `n${p}`, target: `n${i}` });
  }
  return { name: `layered-${n}`, nodes, edges };
}

/** One http node that fails until its target lets it pass (`/flaky/<key>/<n>`), retried every 100 ms. */
export function flaky(url: string, execution: Execution = 'activity'): GraphDefinition {
  return {
    name: 'bench-retry',
    nodes: [
      { id: 'start', type: 'trigger' },
      { id: 'flaky', type: 'http', data: { url }, execution, retry: { maximumAttempts: 5, initialInterval: '100ms', backoffCoefficient: 1 } },
    ],
    edges: [{ source: 'start', target: 'flaky' }],
  };
}
