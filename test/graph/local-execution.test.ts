import { describe, expect, it } from 'vitest';
import { ISSUE_CODES, validateDefinition } from '../../src/graph/validate';
import { graph } from '../helpers/graphs';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';

const URL = 'https://api.example.com/x';

function localIssues(build: (g: ReturnType<typeof graph>) => ReturnType<typeof graph>) {
  const result = validateDefinition(build(graph().trigger()).build(), BUILT_IN_CATALOG);
  return result.ok ? [] : result.issues.filter((i) => i.code === ISSUE_CODES.localExecution).map((i) => ({ path: i.path, message: i.message }));
}

describe('execution: "local" rules', () => {
  // start ─▶ n   (one http node, varied)
  const cases: [string, (g: ReturnType<typeof graph>) => ReturnType<typeof graph>, string | null][] = [
    ['GET', (g) => g.http('n', URL, { execution: 'local' }).edge('start', 'n'), null],
    ['HEAD', (g) => g.http('n', URL, { execution: 'local' }, { method: 'HEAD' }).edge('start', 'n'), null],
    ['OPTIONS', (g) => g.http('n', URL, { execution: 'local' }, { method: 'OPTIONS' }).edge('start', 'n'), null],
    ['POST', (g) => g.http('n', URL, { execution: 'local' }, { method: 'POST' }).edge('start', 'n'), '$.nodes[1].execution'],
    ['DELETE through settings', (g) => g.with({ execution: 'local' }).http('n', URL, {}, { method: 'DELETE' }).edge('start', 'n'), '$.nodes[1].data.method'],
    [
      'POST with an Idempotency-Key',
      (g) => g.http('n', URL, { execution: 'local' }, { method: 'POST', headers: { 'idempotency-key': '{% $run.id %}' } }).edge('start', 'n'),
      null,
    ],
    ['a method expression', (g) => g.http('n', URL, { execution: 'local' }, { method: '{% "GET" %}' }).edge('start', 'n'), '$.nodes[1].execution'],
    ['timeout over 30 s', (g) => g.http('n', URL, { execution: 'local', timeout: '31s' }).edge('start', 'n'), '$.nodes[1].timeout'],
    ['request timeout over 30 s', (g) => g.http('n', URL, { execution: 'local' }, { timeout: '1m' }).edge('start', 'n'), '$.nodes[1].data.timeout'],
    ['timeout of 30 s', (g) => g.http('n', URL, { execution: 'local', timeout: '30s' }).edge('start', 'n'), null],
    ['a local set node', (g) => g.node('n', 'set', { value: 1 }, { execution: 'local' }).edge('start', 'n'), '$.nodes[1].execution'],
    [
      'a POST node that opts out of settings.execution',
      (g) => g.with({ execution: 'local' }).http('n', URL, { execution: 'activity' }, { method: 'POST' }).edge('start', 'n'),
      null,
    ],
    ['settings.execution over a set node', (g) => g.with({ execution: 'local' }).set('n', 1).edge('start', 'n'), null],
  ];
  it.each(cases)('%s', (_name, build, path) => {
    const issues = localIssues(build);
    if (path === null) expect(issues).toEqual([]);
    else {
      expect(issues.map((i) => i.path)).toEqual([path]);
      expect(issues[0]!.message).toMatch(/local/);
    }
  });

  it('says why a POST cannot run locally', () => {
    const [issue] = localIssues((g) => g.http('n', URL, { execution: 'local' }, { method: 'POST' }).edge('start', 'n'));
    expect(issue!.message).toContain('Idempotency-Key');
    expect(issue!.message).toContain('run again after a worker crash');
  });

  it('refuses an unknown execution mode', () => {
    const result = validateDefinition(
      graph()
        .trigger()
        .http('n', URL, { execution: 'remote' as never })
        .edge('start', 'n')
        .build(),
      BUILT_IN_CATALOG,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]!.path).toBe('$.nodes[1].execution');
  });
});
