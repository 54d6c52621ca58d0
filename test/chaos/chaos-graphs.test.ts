/**
 * The chaos runner's generator (scripts/chaos/graphs.ts): every graph it makes
 * passes the API's validation, the same seed makes the same graphs, and the
 * reference scheduler settles every node of each.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '../../src/graph/triggers';
import { Dice, expected, randomCase } from '../../scripts/chaos/graphs';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';

const cases = (seed: number, n: number) => {
  const dice = new Dice(xoroshiro128plus(seed));
  return Array.from({ length: n }, (_, i) => randomCase(dice, `chaos-${seed}-${i}`, 'http://127.0.0.1:4000'));
};

describe('chaos graphs', () => {
  it('are valid, every one of 500', () => {
    const kinds = new Set<string>();
    for (const c of cases(7, 500)) {
      const result = validateWorkflow(c.definition, BUILT_IN_CATALOG);
      expect(result.ok, `${c.runId}: ${JSON.stringify(!result.ok && result.issues)}`).toBe(true);
      for (const n of c.definition.nodes) kinds.add(n.type);
    }
    expect([...kinds].sort()).toEqual(['condition', 'delay', 'forEach', 'http', 'merge', 'set', 'subworkflow', 'switch', 'trigger']);
  });

  it('are the same for the same seed and differ for another', () => {
    expect(cases(3, 20)).toEqual(cases(3, 20));
    expect(cases(4, 20)).not.toEqual(cases(3, 20));
  });

  it('get a reference where every node is settled and the run status follows the failures', () => {
    for (const c of cases(11, 300)) {
      const e = expected(c);
      for (const [id, status] of Object.entries(e.statuses)) expect(['succeeded', 'failed', 'skipped', 'canceled'], `${c.runId}.${id}`).toContain(status);
      // A node that fails the run: an http node that fails, or a subworkflow or forEach one of whose own requests fails.
      const fails = (id: string) => c.http[id]?.fail === true || Object.values(c.http).some((h) => h.within === id && h.fail);
      const failedHard = c.definition.nodes.some((n) => fails(n.id) && n.onError === 'fail' && e.statuses[n.id] === 'failed');
      expect(e.runStatus).toBe(failedHard ? 'failed' : 'succeeded');
    }
  });
});
