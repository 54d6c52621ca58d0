import { describe, expect, it } from 'vitest';
import { trigger } from '../../../workflows/nodes/trigger';
import { graph } from '../../helpers/graphs';
import { nodeContext } from './context';

describe('trigger', () => {
  it('outputs the run input, and null without one', async () => {
    expect((await nodeContext(graph().trigger().build(), 'start', { input: { a: 1 } }).run()).output).toEqual({ a: 1 });
    expect((await nodeContext(graph().trigger().build(), 'start').run()).output).toBeNull();
  });

  it.each([
    [{}, true],
    [{ kind: 'webhook', secret: 'HOOK' }, true],
    [{ kind: 'schedule', every: '1m' }, true],
    [{ kind: 'schedule', cron: '0 9 * * 1', timezone: 'Europe/Paris' }, true],
    [{ kind: 'schedule' }, false],
    [{ kind: 'schedule', every: '10ms' }, false],
    [{ kind: 'manual', cron: '* * * * *' }, false],
    [{ kind: 'webhook', secret: 'not a name' }, false],
    [{ kind: 'schedule', every: '1m', timezone: 'UTC' }, false],
  ])('data %j valid: %s', (data, ok) => {
    expect(trigger.data.safeParse(data).success).toBe(ok);
  });
});
