/**
 * The definition format's constants, apart from its zod schemas so that code
 * which only indexes a graph (the run page's critical path) does not carry zod
 * and JSONata along.
 */
export const LIMITS = {
  maxNodes: 5_000,
  maxEdges: 20_000,
  maxDefinitionBytes: 1024 * 1024,
  maxParallel: 1_000,
  defaultMaxParallel: 100,
  maxIdLength: 64,
} as const;

export const NODE_TYPES = ['trigger', 'http', 'condition', 'switch', 'merge', 'delay', 'set', 'approval', 'wait', 'activity', 'subworkflow', 'forEach'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

/** Node types that run as Temporal activities (counted by maxParallel); the rest run inside the workflow. */
export const ACTIVITY_NODE_TYPES: ReadonlySet<NodeType> = new Set(['http', 'activity']);
/** Activity node types that may run as local activities (Braid's own activities). */
export const LOCAL_CAPABLE_TYPES: ReadonlySet<NodeType> = new Set(['http']);

/** The name of a definition that gives none. */
export const DEFAULT_NAME = 'unnamed';
