import { describe, expect, it } from 'vitest';
import { SlidingWindow } from '../../workflows/sliding-window';

describe('SlidingWindow', () => {
  it('starts jobs in order, at most `width` at once, and more as they end', () => {
    const started: number[] = [];
    const w = new SlidingWindow(5, 2, { cancel: () => undefined });
    w.fill((i) => started.push(i));
    expect(started).toEqual([0, 1]);
    expect(w.hasRoom).toBe(false);
    w.ended();
    w.fill((i) => started.push(i));
    expect(started).toEqual([0, 1, 2]);
    for (let k = 0; k < 4; k++) {
      w.ended();
      w.fill((i) => started.push(i));
    }
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(w.more).toBe(false);
    expect(w.idle).toBe(true);
  });

  it('stops: nothing more starts, and the scope is canceled once', () => {
    let cancels = 0;
    const started: number[] = [];
    const w = new SlidingWindow(10, 3, { cancel: () => cancels++ });
    w.fill((i) => started.push(i));
    w.stop();
    w.ended();
    w.fill((i) => started.push(i));
    expect(started).toEqual([0, 1, 2]);
    expect(cancels).toBe(1);
    expect(w.more).toBe(false);
    expect(w.idle).toBe(false);
  });

  it('has nothing to do for no jobs', () => {
    const w = new SlidingWindow(0, 4, { cancel: () => undefined });
    expect(w.more || !w.idle).toBe(false);
  });
});
