/**
 * What a definition may reach beyond its graph: activities by
 * ACTIVITY_ALLOWLIST (never Braid's own), and no `$secrets` name that is a
 * webhook key. Before this, an `activity` node calling `nodeCachePut`
 * poisoned another workflow's cached output.
 */
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { INTERNAL_ACTIVITY_TYPES } from '../../src/graph/internal-activities';
import { activityAllowed, parseActivityAllowlist, policyIssues } from '../../src/graph/workflow-policy';
import type { WorkflowPolicy } from '../../src/graph/workflow-policy';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';

const policy = (over: Partial<WorkflowPolicy> = {}): WorkflowPolicy => ({
  activityAllowlist: [],
  taskQueue: 'braid',
  isWebhookKey: (name) => name === 'HOOK',
  ...over,
});

const activityNode = (activityType: string, taskQueue?: string) => ({ id: 'a', type: 'activity', data: { activityType, ...(taskQueue ? { taskQueue } : {}) } });
const def = (...nodes: unknown[]) => ({ nodes: [{ id: 't', type: 'trigger' }, ...nodes], edges: [] });

describe('workflow policy', () => {
  it("lists every activity Braid's worker registers as internal", () => {
    expect([...INTERNAL_ACTIVITY_TYPES].sort()).toEqual(Object.keys(createActivities()).sort());
  });

  it.each(['http', 'nodeCachePut', 'nodeCacheGet', 'secretNonce', 'bulkApply'])(
    'refuses an activity node calling %s, on any queue, whatever the allowlist',
    (type) => {
      for (const queue of [undefined, 'braid', 'elsewhere']) {
        const issues = policyIssues(def(activityNode(type, queue)), policy({ activityAllowlist: ['*:*'] }), BUILT_IN_CATALOG);
        expect(issues).toEqual([expect.objectContaining({ code: 'forbidden_activity', path: '$.nodes[1].data.activityType', nodeId: 'a' })]);
      }
    },
  );

  it('allows only what ACTIVITY_ALLOWLIST lists; empty allows nothing', () => {
    expect(policyIssues(def(activityNode('reserveStock', 'inventory')), policy(), BUILT_IN_CATALOG)[0]!.message).toContain('not in ACTIVITY_ALLOWLIST (empty');
    const allow = (entries: string[], type: string, queue: string) => activityAllowed(parseActivityAllowlist(entries.join(',')), queue, type);
    expect(allow(['inventory:reserveStock'], 'reserveStock', 'inventory')).toBe(true);
    expect(allow(['inventory:reserveStock'], 'releaseStock', 'inventory')).toBe(false);
    expect(allow(['inventory:*'], 'releaseStock', 'inventory')).toBe(true);
    expect(allow(['*:reserveStock'], 'reserveStock', 'other')).toBe(true);
    expect(allow(['inventory:reserveStock'], 'reserveStock', 'inventory2')).toBe(false);
    // A custom node type's activity (it checks its own data) only when the operator lists it.
    expect(policyIssues(def(activityNode('slugify')), policy(), BUILT_IN_CATALOG)).toHaveLength(1);
    expect(policyIssues(def(activityNode('slugify')), policy({ activityAllowlist: ['braid:slugify'] }), BUILT_IN_CATALOG)).toEqual([]);
    // The default queue is Braid's own.
    expect(policyIssues(def(activityNode('ping')), policy({ activityAllowlist: ['braid:ping'] }), BUILT_IN_CATALOG)).toEqual([]);
    expect(() => parseActivityAllowlist('justaname')).toThrow('taskQueue:activityType');
  });

  it("checks nested definitions: a subworkflow's workflow and a forEach's body", () => {
    const nested = def(
      { id: 's', type: 'subworkflow', data: { workflow: def(activityNode('nodeCachePut')) } },
      { id: 'f', type: 'forEach', data: { items: [], body: def(activityNode('http')) } },
    );
    expect(policyIssues(nested, policy(), BUILT_IN_CATALOG).map((i) => i.path)).toEqual([
      '$.nodes[1].data.workflow.nodes[1].data.activityType',
      '$.nodes[2].data.body.nodes[1].data.activityType',
    ]);
  });

  it('refuses $secrets naming a webhook key, and nothing else', () => {
    const reads = (expr: string) => def({ id: 'h', type: 'http', data: { url: 'https://x.test/', headers: { k: expr } } });
    expect(policyIssues(reads('{% $secrets.HOOK %}'), policy(), BUILT_IN_CATALOG)).toEqual([
      expect.objectContaining({ code: 'forbidden_secret', path: '$.nodes[1].data' }),
    ]);
    expect(policyIssues(reads('{% $secrets.DEMO %}'), policy(), BUILT_IN_CATALOG)).toEqual([]);
  });
});
