/**
 * "Test this node" (a code node's panel): runs the node as drawn on an input
 * and its upstream nodes' outputs, pinned (node-test.ts), and shows what it
 * returned or threw and what it logged, without leaving the editor.
 */
import { useState } from 'react';
import { api, runPath } from '../api';
import type { RunView } from '../types';
import type { Definition } from './model';
import { nodeTestRun } from './node-test';

export interface TestNodeProps {
  nodeId: string;
  definition: () => Definition;
  /** Whether a node type is a trigger. */
  isTrigger: (type: string) => boolean;
  /** Upstream nodes' outputs in the last run, to start from. */
  lastOutputs?: ReadonlyMap<string, unknown>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function TestNode({ nodeId, definition, isTrigger, lastOutputs }: TestNodeProps) {
  const upstream = nodeTestRun(definition(), nodeId, isTrigger).upstream;
  const [input, setInput] = useState('{}');
  const [pins, setPins] = useState(() => JSON.stringify(Object.fromEntries(upstream.map((id) => [id, lastOutputs?.get(id) ?? null])), null, 2));
  const [answer, setAnswer] = useState<string>('');
  const [running, setRunning] = useState(false);
  const test = async () => {
    let parsed: { input: unknown; pins: Record<string, unknown> };
    try {
      parsed = { input: JSON.parse(input || 'null'), pins: JSON.parse(pins || '{}') as Record<string, unknown> };
    } catch {
      setAnswer('The input or the pinned outputs are not valid JSON.');
      return;
    }
    setRunning(true);
    setAnswer('Running…');
    try {
      const { workflow, upstream: ids } = nodeTestRun(definition(), nodeId, isTrigger);
      const body = { workflow, input: parsed.input, pins: Object.fromEntries(ids.map((id) => [id, parsed.pins[id] ?? null])) };
      const { runId } = await api<{ runId: string }>('/v1/runs', { method: 'POST', body });
      let run = await api<RunView>(runPath(runId));
      for (let i = 0; i < 300 && ['queued', 'running', 'paused'].includes(run.status); i++) {
        await sleep(200);
        run = await api<RunView>(runPath(runId));
      }
      const node = run.nodes[nodeId];
      const logs = (node?.logs ?? []).map((l) => `${l.level.padEnd(5)} ${l.message}`).join('\n');
      const result =
        node?.status === 'succeeded'
          ? `output:\n${JSON.stringify(node.output, null, 2)}`
          : `${node?.status ?? run.status}: ${node?.error ? `${node.error.type}: ${node.error.message}` : ''}`;
      setAnswer(`${result}${logs ? `\n\nlogs:\n${logs}` : ''}`);
    } catch (err) {
      setAnswer(`Not run: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setRunning(false);
    }
  };
  return (
    <fieldset className="field-group test-node">
      <legend>test this node</legend>
      <div className="field">
        <label htmlFor="test-node-input">$input</label>
        <textarea id="test-node-input" rows={3} value={input} onChange={(e) => setInput(e.target.value)} />
      </div>
      {upstream.length > 0 ? (
        <div className="field">
          <label htmlFor="test-node-pins">upstream outputs (pinned)</label>
          <textarea id="test-node-pins" rows={4} value={pins} onChange={(e) => setPins(e.target.value)} />
        </div>
      ) : null}
      <button type="button" id="test-node" disabled={running} onClick={() => void test()}>
        Test this node
      </button>
      {answer ? <pre id="test-node-result">{answer}</pre> : null}
    </fieldset>
  );
}
