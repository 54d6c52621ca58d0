/**
 * Projects in ids (src/graph/project-ids.ts): a run's project is read from
 * its id, `default`'s ids are as before projects, and no id a client may
 * choose, nor a child's id however long, lands in another project.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROJECT, idInProject, projectOfId } from '../../src/graph/project-ids';
import { childRunId } from '../../src/graph/run-state';
import { CHOSEN_RUN_ID_PATTERN, RUN_ID_PATTERN } from '../../src/runs/run-id-pattern';

describe('ids in projects', () => {
  it("prefixes another project's ids, once, and leaves default's as they were", () => {
    expect(idInProject('acme', 'orders-42')).toBe('acme~orders-42');
    expect(idInProject('acme', 'acme~orders-42')).toBe('acme~orders-42');
    expect(idInProject(DEFAULT_PROJECT, 'orders-42')).toBe('orders-42');
    expect(projectOfId('acme~orders-42')).toBe('acme');
    expect(projectOfId('orders-42')).toBe('default');
    expect(projectOfId('braid:orders:nightly')).toBe('default');
  });

  it('refuses the separator in a chosen id, so default cannot take a project id', () => {
    expect(CHOSEN_RUN_ID_PATTERN.test('acme~orders-42')).toBe(false);
    expect(CHOSEN_RUN_ID_PATTERN.test('orders:42')).toBe(true);
    expect(RUN_ID_PATTERN.test('acme~orders-42')).toBe(true);
    expect(RUN_ID_PATTERN.test('Acme~orders-42')).toBe(false);
    expect(RUN_ID_PATTERN.test('acme~~orders')).toBe(false);
  });

  it("keeps a child in its parent's project however long the parent's id and the node's", () => {
    const parent = idInProject('a-long-project-name-of-thirty', 'x'.repeat(128));
    for (const nodeId of ['n', 'y'.repeat(100), 'z'.repeat(126), 'w'.repeat(200)]) {
      const child = childRunId(parent, nodeId);
      expect(projectOfId(child), nodeId.length.toString()).toBe('a-long-project-name-of-thirty');
      expect(projectOfId(childRunId(child, nodeId))).toBe('a-long-project-name-of-thirty');
    }
    // Default's children are exactly what they were before projects (replay sees the same ids).
    expect(childRunId('r'.repeat(128), 'node')).toBe(`${'r'.repeat(123)}.node`);
    expect(childRunId('orders-42', 'pay')).toBe('orders-42.pay');
  });
});
