import { describe, expect, it } from 'vitest';
import type { Budget } from '../../workflows/partition';
import { LOCAL_BUDGET, localFits, PARTITION, placeQueue } from '../../workflows/partition';

const run: Budget = { own: 0, children: 0, slots: PARTITION.slots, maxChildren: PARTITION.children };

describe('placeQueue: where queued activity nodes go', () => {
  const cases: { name: string; waiting: number; budget: Budget; own: number; batches: number[] }[] = [
    { name: 'an empty queue goes nowhere', waiting: 0, budget: run, own: 0, batches: [] },
    { name: 'a narrow queue runs in the run itself', waiting: 5, budget: run, own: 5, batches: [] },
    { name: 'three waves of its own slots stay in the run: one wave now, the rest waits', waiting: 144, budget: run, own: 48, batches: [] },
    { name: 'four waves: the fewest children that cover the queue, spread evenly', waiting: 145, budget: run, own: 45, batches: [34, 33, 33] },
    { name: 'nothing free: nothing placed', waiting: 500, budget: { ...run, own: 40, children: 8 }, own: 0, batches: [] },
    {
      name: 'every child in flight already: the free slots take what they can in the run',
      waiting: 500,
      budget: { ...run, own: 10, children: 30 },
      own: 8,
      batches: [],
    },
    {
      name: 'a share of the budget (a forEach item) places within it',
      waiting: 100,
      budget: { own: 0, children: 0, slots: 1, maxChildren: 1 },
      own: 1,
      batches: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(placeQueue(c.waiting, c.budget)).toEqual({ own: c.own, batches: c.batches }));
  }

  it('places a 1,000-wide ready set at once: own slots plus children of at most childWindow', () => {
    const p = placeQueue(1_000, run);
    expect(p.own + p.batches.reduce((a, b) => a + b, 0)).toBe(1_000);
    expect(p.batches).toHaveLength(22);
    expect(Math.max(...p.batches)).toBeLessThanOrEqual(PARTITION.childWindow);
    expect(Math.max(...p.batches) - Math.min(...p.batches)).toBeLessThanOrEqual(1);
    expect(p.own + p.batches.length).toBeLessThanOrEqual(PARTITION.slots);
  });

  it('never takes more than the budget, whatever the queue', () => {
    for (const waiting of [1, 47, 48, 49, 143, 145, 500, 1_368, 1_369, 5_000]) {
      for (const used of [0, 10, 47]) {
        const b = { ...run, own: used };
        const p = placeQueue(waiting, b);
        expect(p.own + p.batches.length).toBeLessThanOrEqual(b.slots - used);
        expect(p.own + p.batches.reduce((a, x) => a + x, 0)).toBeLessThanOrEqual(waiting);
        expect(p.batches.every((size) => size > 0 && size <= PARTITION.childWindow)).toBe(true);
      }
    }
  });
});

describe("localFits: local results within a workflow task's bytes", () => {
  const task = LOCAL_BUDGET.localTaskBytes;
  const cases: { name: string; recorded: number; inFlight: number; largest: number; fits: boolean }[] = [
    { name: 'the first one reserves localFirstEstimate', recorded: 0, inFlight: 0, largest: 0, fits: true },
    { name: 'as many as the first estimate allows', recorded: 0, inFlight: Math.floor(task / LOCAL_BUDGET.localFirstEstimate) - 1, largest: 0, fits: true },
    { name: 'one more than that does not', recorded: 0, inFlight: Math.floor(task / LOCAL_BUDGET.localFirstEstimate), largest: 0, fits: false },
    { name: 'small results seen: many more fit', recorded: 1_000, inFlight: 500, largest: 100, fits: true },
    { name: 'what the task recorded counts', recorded: task - 99, inFlight: 0, largest: 100, fits: false },
  ];
  for (const c of cases) it(c.name, () => expect(localFits(c.recorded, c.inFlight, c.largest, task)).toBe(c.fits));
});
