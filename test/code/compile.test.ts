/** The code node's source checks (src/code/compile.ts) and its spec's rules, through the validator as the API runs it. */
import { describe, expect, it } from 'vitest';
import { compileCode, withSourceChecks } from '../../src/code/compile';
import { BUILT_IN_CATALOG } from '../../src/graph/nodes';
import { codeTimeoutMs } from '../../src/graph/nodes/code';
import { validateDefinition } from '../../src/graph/validate';

const types = withSourceChecks(BUILT_IN_CATALOG);
const workflow = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  nodes: [
    { id: 'start', type: 'trigger' },
    { id: 'c', type: 'code', data, ...extra },
  ],
  edges: [{ source: 'start', target: 'c' }],
});

describe('code node source', () => {
  it('keeps JavaScript as written and strips TypeScript types', () => {
    expect(compileCode('return 1;', 'javascript')).toEqual({ ok: true, body: 'return 1;' });
    const ts = compileCode('const n: number = 2;\nreturn n as number;', 'typescript');
    expect(ts.ok && ts.body).toMatch(/const n = 2;\s*return n;/);
  });

  it('says where a syntax error is, in the code as written', () => {
    expect(compileCode('const a = 1;\n\nreturn a +;', 'javascript')).toMatchObject({ ok: false, line: 3, column: 11 });
    expect(compileCode('let x: = 1;', 'typescript')).toMatchObject({ ok: false, line: 1 });
  });

  it('is refused by validation with the line and column, and only by the catalog that can compile', () => {
    const result = validateDefinition(workflow({ code: 'return (' }), types);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toEqual([expect.objectContaining({ code: 'code_syntax', path: '$.nodes[1].data.code', nodeId: 'c', line: 1 })]);
    // The workflow's own catalog checks the shape only; the activity fails such code with CodeError.
    expect(validateDefinition(workflow({ code: 'return (' }), BUILT_IN_CATALOG).ok).toBe(true);
  });

  it('takes the code as written: `{%` in it is not an expression', () => {
    expect(validateDefinition(workflow({ code: "return '{% $nope( %}';" }), types).ok).toBe(true);
  });

  it("refuses limits past their ceilings and a timeout past the node's own", () => {
    const memory = validateDefinition(workflow({ code: 'return 1', memory: 512 }), types);
    expect(!memory.ok && memory.issues[0]).toMatchObject({ path: '$.nodes[1].data.memory' });
    const timeout = validateDefinition(workflow({ code: 'return 1', timeout: '10s' }, { timeout: '5s' }), types);
    expect(!timeout.ok && timeout.issues[0]).toMatchObject({ path: '$.nodes[1].data.timeout', message: "must be at most the node's own timeout (5s)" });
    expect(validateDefinition(workflow({ code: 'return 1', language: 'python' }), types).ok).toBe(false);
  });

  it('runs for its timeout, 5 s by default, never past the node timeout', () => {
    expect(codeTimeoutMs({}, undefined)).toBe(5_000);
    expect(codeTimeoutMs({ timeout: '2s' }, undefined)).toBe(2_000);
    expect(codeTimeoutMs({}, '1s')).toBe(1_000);
  });
});
