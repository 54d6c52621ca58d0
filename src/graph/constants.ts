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

/** The name of a definition that gives none. */
export const DEFAULT_NAME = 'unnamed';
