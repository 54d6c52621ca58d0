/** A small builder for test graphs: `graph().trigger('start').http('a', url).edge('start', 'a')`. */
import type { GraphDefinition } from '../../src/graph/schema';

type Node = GraphDefinition['nodes'][number];
type Edge = NonNullable<GraphDefinition['edges']>[number];

export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly edges: Edge[] = [];
  settings: GraphDefinition['settings'] = undefined;
  constructor(readonly name = 'test') {}

  node(id: string, type: string, data?: Record<string, unknown>, extra: Partial<Node> = {}): this {
    this.nodes.push({ id, type, ...(data ? { data } : {}), ...extra });
    return this;
  }
  trigger(id = 'start'): this {
    return this.node(id, 'trigger');
  }
  http(id: string, url: string, extra: Partial<Node> = {}, data: Record<string, unknown> = {}): this {
    return this.node(id, 'http', { url, ...data }, extra);
  }
  set(id: string, value: unknown): this {
    return this.node(id, 'set', { value });
  }
  /** `edge('a', 'b')`, `edge('cond', 'yes', 'true')`. */
  edge(source: string, target: string, sourceHandle?: string): this {
    this.edges.push({ source, target, ...(sourceHandle ? { sourceHandle } : {}) });
    return this;
  }
  /** Chain: `chain('a', 'b', 'c')` adds a→b and b→c. */
  chain(...ids: string[]): this {
    for (let i = 1; i < ids.length; i++) this.edge(ids[i - 1]!, ids[i]!);
    return this;
  }
  with(settings: GraphDefinition['settings']): this {
    this.settings = settings;
    return this;
  }
  build(): GraphDefinition {
    return { name: this.name, nodes: this.nodes, edges: this.edges, ...(this.settings ? { settings: this.settings } : {}) };
  }
}

export const graph = (name?: string) => new GraphBuilder(name);
