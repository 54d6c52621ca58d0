import { describe, expect, it } from 'vitest';
import { FAILURE_TYPES } from '../../../src/graph/failures';
import { http } from '../../../workflows/nodes/http';
import { graph } from '../../helpers/graphs';
import { nodeContext } from './context';

describe('http', () => {
  it('sends the request with its expressions evaluated and defaults applied', async () => {
    const def = graph()
      .trigger()
      .http('h', '{% "https://example.test/" & $input.id %}', {}, { headers: { 'x-a': 'b' }, timeout: '3s' })
      .edge('start', 'h')
      .build();
    const { run, recorded } = nodeContext(def, 'h', { input: { id: 7 } });
    expect((await run()).output).toEqual({ ok: true });
    expect(recorded.http).toEqual([
      {
        nodeId: 'h',
        method: 'GET',
        url: 'https://example.test/7',
        headers: { 'x-a': 'b' },
        query: undefined,
        body: undefined,
        timeoutMs: 3000,
        failOnHttpError: true,
      },
    ]);
  });

  it('fails with InvalidNodeData, naming the field, when evaluation gives a bad URL', async () => {
    const def = graph().trigger().http('h', '{% $input.url %}').edge('start', 'h').build();
    await expect(nodeContext(def, 'h', { input: { url: 'ftp://x' } }).run()).rejects.toMatchObject({
      type: FAILURE_TYPES.invalidNodeData,
      message: expect.stringMatching(/data.url: must be an absolute http\(s\) URL/),
    });
  });

  it('takes an activity slot and may run locally', () => {
    expect(http.activitySlot).toBe(true);
    expect(http.local).toBe(true);
    expect(http.data.safeParse({ url: 'https://x.test', mehtod: 'GET' }).success).toBe(false);
  });
});
