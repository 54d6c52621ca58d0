/** What validation reports: each problem with its code and JSON path, and the error that carries them. */
import type { Graph } from './graph';
import { formatPath } from './json';

/** Kinds of validation problem; the `code` of each issue. */
export const ISSUE_CODES = {
  invalidShape: 'invalid_shape',
  tooLarge: 'too_large',
  duplicateId: 'duplicate_id',
  unknownType: 'unknown_type',
  invalidData: 'invalid_data',
  invalidExpression: 'invalid_expression',
  unknownNode: 'unknown_node',
  invalidHandle: 'invalid_handle',
  duplicateEdge: 'duplicate_edge',
  noTrigger: 'no_trigger',
  triggerHasIncoming: 'trigger_has_incoming',
  cycle: 'cycle',
  unreachable: 'unreachable',
  localExecution: 'local_execution',
  notCacheable: 'not_cacheable',
  forbiddenActivity: 'forbidden_activity',
  forbiddenSecret: 'forbidden_secret',
  codeSyntax: 'code_syntax',
} as const;
export type IssueCode = (typeof ISSUE_CODES)[keyof typeof ISSUE_CODES];

export interface ValidationIssue {
  code: IssueCode;
  /** JSON path into the definition, e.g. `$.nodes[2].data.url`. */
  path: string;
  nodeId?: string;
  message: string;
  /** Source code problems (`code_syntax`): where in the field, 1-based. */
  line?: number;
  column?: number;
}

export interface GraphStats {
  nodes: number;
  edges: number;
  triggers: number;
  /** Nodes on the longest path from a trigger, counting both ends. */
  maxDepth: number;
}

export type ValidationResult = { ok: true; graph: Graph; stats: GraphStats } | { ok: false; issues: ValidationIssue[] };

/** Thrown by {@link assertValid}; carries every issue. */
export class GraphValidationError extends Error {
  override readonly name = 'GraphValidationError';
  constructor(readonly issues: ValidationIssue[]) {
    super(
      `invalid workflow definition: ${issues
        .slice(0, 5)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`,
    );
  }
}

export function zodIssues(
  error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] },
  base: PropertyKey[],
  code: IssueCode,
  nodeId?: string,
): ValidationIssue[] {
  return error.issues.map((issue) => ({
    code,
    path: formatPath([...base, ...issue.path]),
    ...(nodeId === undefined ? {} : { nodeId }),
    message: issue.message,
  }));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
