import { describe, expect, it } from 'vitest';
import { FAILURE_TYPES } from '../../../src/graph/failures';
import { condition } from '../../../workflows/nodes/condition';
import { graph } from '../../helpers/graphs';
import { nodeContext } from './context';

const withExpression = (expression: string) => graph().trigger().node('c', 'condition', { expression }).edge('start', 'c').build();

describe('condition', () => {
  it.each([
    ['{% $input.n > 1 %}', { n: 2 }, 'true'],
    ['{% $input.n > 1 %}', { n: 0 }, 'false'],
  ])('%s with %j takes "%s"', async (expression, input, handle) => {
    const result = await nodeContext(withExpression(expression), 'c', { input }).run();
    expect(result.handle).toBe(handle);
    expect(result.output).toBe(handle === 'true');
  });

  it('fails with an Expression error when the value is not a boolean', async () => {
    await expect(nodeContext(withExpression('{% $input.n %}'), 'c', { input: { n: 3 } }).run()).rejects.toMatchObject({
      type: FAILURE_TYPES.expression,
      message: expect.stringMatching(/must yield a boolean, got number 3/),
    });
  });

  it('offers the true and false handles and needs an expression', () => {
    expect(condition.handles({})).toEqual(['true', 'false']);
    expect(condition.data.safeParse({ expression: 'plain text' }).success).toBe(false);
  });
});
