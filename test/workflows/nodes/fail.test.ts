import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../../src/graph/validate';
import { BUILT_IN_CATALOG } from '../../../src/graph/nodes';
import { NodeFailure } from '../../../workflows/errors';
import { graph } from '../../helpers/graphs';
import { nodeContext } from './context';

const raise = (data: Record<string, unknown>) => graph().trigger().node('stop', 'fail', data).edge('start', 'stop');
const issues = (def: unknown) => {
  const result = validateDefinition(def, BUILT_IN_CATALOG);
  return result.ok ? [] : result.issues.map((i) => ({ path: i.path, message: i.message }));
};

describe('fail', () => {
  it('fails with the error its data names, message and details evaluated', async () => {
    const def = raise({ error: 'OrderRejected', message: '{% "order " & $input.id & " rejected" %}', details: { id: '{% $input.id %}', fixed: 1 } }).build();
    const failure = await nodeContext(def, 'stop', { input: { id: 'A-1' } })
      .run()
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(failure).toBeInstanceOf(NodeFailure);
    expect(failure).toMatchObject({ type: 'OrderRejected', message: 'order A-1 rejected', details: { id: 'A-1', fixed: 1 } });
  });

  it('is refused with an out-edge, an onError other than "fail", a type that is not a name, or no message', () => {
    expect(issues(raise({ error: 'Stop', message: 'm' }).set('after', 1).edge('stop', 'after').build())).toEqual([
      expect.objectContaining({ path: '$.edges[1].sourceHandle' }),
    ]);
    expect(
      issues({
        ...raise({ error: 'Stop', message: 'm' }).build(),
        nodes: [
          { id: 'start', type: 'trigger' },
          { id: 'stop', type: 'fail', onError: 'continue', data: { error: 'Stop', message: 'm' } },
        ],
      }),
    ).toEqual([{ path: '$.nodes[1].onError', message: 'a fail node ends the run: it takes no onError "continue"' }]);
    expect(issues(raise({ error: 'has spaces', message: 'm' }).build())[0]!.path).toBe('$.nodes[1].data.error');
    expect(issues(raise({ error: 'Stop' }).build())[0]!.path).toBe('$.nodes[1].data.message');
    expect(issues(raise({ error: 'Stop', message: 'm', extra: 1 }).build())[0]!.path).toBe('$.nodes[1].data');
    expect(issues(raise({ error: 'Stop', message: 'm' }).build())).toEqual([]);
  });
});
