/**
 * What a definition may reach beyond its own graph, checked where it enters
 * (the API's validation) with the operator's settings:
 *
 * - nodes that call an activity by name (`activity`: their spec's
 *   `activityCall`) call only what `ACTIVITY_ALLOWLIST` lists
 *   (`taskQueue:activityType`, `*` on either side; empty by default, so an
 *   operator opts in), and never one of Braid's own activities (a custom
 *   node type's activity checks its data itself: the allowlist may name it);
 * - `$secrets.NAME` never names a webhook verification key
 *   (`BRAID_WEBHOOK_SECRET_NAME`), even when a `BRAID_SECRET_NAME` exists.
 *
 * Nested definitions (a subworkflow's `workflow`, a forEach's `body`) are
 * checked too. Pure: the caller passes the settings.
 */
import { INTERNAL_ACTIVITY_TYPES } from './internal-activities';
import { formatPath } from './json';
import { secretNames } from './secrets';
import type { ValidationIssue } from './validate';
import { ISSUE_CODES } from './validate';
import { activityAllowed } from './activity-allowlist';
import type { NodeCatalog } from './node-type';

export { activityAllowed, parseActivityAllowlist } from './activity-allowlist';

export interface WorkflowPolicy {
  /** ACTIVITY_ALLOWLIST entries: `taskQueue:activityType`, either side `*`. */
  activityAllowlist: readonly string[];
  /** The task queue an `activity` node without `taskQueue` uses (Braid's own). */
  taskQueue: string;
  /** Whether `BRAID_WEBHOOK_SECRET_<name>` is set. */
  isWebhookKey: (name: string) => boolean;
}

/** Parses ACTIVITY_ALLOWLIST; throws naming a malformed entry. */
interface NodeLike {
  id?: unknown;
  type?: unknown;
  data?: Record<string, unknown>;
}

/** Every issue of `definition` under `policy`, with paths into it. */
export function policyIssues(definition: unknown, policy: WorkflowPolicy, types: NodeCatalog, base: (string | number)[] = []): ValidationIssue[] {
  const nodes = (definition as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  const issues: ValidationIssue[] = [];
  nodes.forEach((raw: unknown, i) => {
    if (raw === null || typeof raw !== 'object') return;
    const node = raw as NodeLike;
    const nodeId = typeof node.id === 'string' ? { nodeId: node.id } : {};
    const data = node.data !== null && typeof node.data === 'object' ? node.data : {};
    const spec = typeof node.type === 'string' ? types.get(node.type) : undefined;
    const call = spec?.activityCall?.(data);
    if (call) {
      const type = call.activityType;
      const queue = call.taskQueue ?? policy.taskQueue;
      const path = formatPath([...base, 'nodes', i, 'data', 'activityType']);
      if (INTERNAL_ACTIVITY_TYPES.has(type)) {
        issues.push({
          code: ISSUE_CODES.forbiddenActivity,
          path,
          ...nodeId,
          message: `"${type}" is one of Braid's own activities; an activity node cannot call it`,
        });
      } else if (!activityAllowed(policy.activityAllowlist, queue, type)) {
        issues.push({
          code: ISSUE_CODES.forbiddenActivity,
          path,
          ...nodeId,
          message: `activity "${queue}:${type}" is not in ACTIVITY_ALLOWLIST${policy.activityAllowlist.length === 0 ? ' (empty: the operator allows activities by taskQueue:activityType)' : ''}`,
        });
      }
    }
    const inline = spec?.inlineGraph?.field;
    const own = inline === undefined ? data : Object.fromEntries(Object.entries(data).filter(([key]) => key !== inline));
    for (const name of secretNames(own)) {
      if (policy.isWebhookKey(name)) {
        issues.push({
          code: ISSUE_CODES.forbiddenSecret,
          path: formatPath([...base, 'nodes', i, 'data']),
          ...nodeId,
          message: `$secrets.${name} names a webhook verification key (BRAID_WEBHOOK_SECRET_${name}); workflows cannot read it`,
        });
      }
    }
    // A nested definition: a subworkflow's inline workflow, a forEach's inline body.
    if (inline !== undefined && data[inline] !== null && typeof data[inline] === 'object') {
      issues.push(...policyIssues(data[inline], policy, types, [...base, 'nodes', i, 'data', inline]));
    }
  });
  return issues;
}
