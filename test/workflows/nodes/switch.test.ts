import { describe, expect, it } from 'vitest';
import { switchNode } from '../../../workflows/nodes/switch';
import { graph } from '../../helpers/graphs';
import { nodeContext } from './context';

const cases = [
  { handle: 'small', expression: '{% $input.n < 10 %}' },
  { handle: 'medium', expression: '{% $input.n < 100 %}' },
];
const def = graph().trigger().node('s', 'switch', { cases }).edge('start', 's').build();

describe('switch', () => {
  it.each([
    [5, 'small'],
    [50, 'medium'],
    [500, 'default'],
  ])('n = %d takes the first true case: %s', async (n, handle) => {
    const result = await nodeContext(def, 's', { input: { n } }).run();
    expect(result).toMatchObject({ handle, output: { handle } });
  });

  it('offers its case handles and default; refuses duplicate or reserved handles', () => {
    expect(switchNode.handles({ cases })).toEqual(['small', 'medium', 'default']);
    expect(switchNode.data.safeParse({ cases: [cases[0], cases[0]] }).success).toBe(false);
    expect(switchNode.data.safeParse({ cases: [{ handle: 'default', expression: '{% true %}' }] }).success).toBe(false);
    expect(switchNode.data.safeParse({ cases: [] }).success).toBe(false);
  });
});
