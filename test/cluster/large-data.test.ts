/**
 * The claim check and encryption on the cluster: outputs over the threshold
 * go to the payload store both workers and both APIs share, what Temporal
 * stores is ciphertext, and the APIs read the values whole.
 */
import { describe, expect, it } from 'vitest';
import { CLAIM_CHECK_ENCODING } from '../../src/codec/claim-check';
import { ENCRYPTED_ENCODING } from '../../src/codec/aes-gcm-codec';
import { readHistory } from '../helpers/history';
import { useCluster } from './context';

const ctx = useCluster();

describe('claim check and encryption on the cluster', () => {
  it('stores large outputs outside history, encrypts every payload, and reads them whole through either replica', async () => {
    const started = await ctx.json(0, 'POST', '/v1/runs', {
      workflow: {
        name: 'cluster-large',
        nodes: [
          { id: 'start', type: 'trigger' },
          { id: 'big', type: 'http', data: { url: `${ctx.target.url}/big/400000` } },
          { id: 'size', type: 'set', data: { value: '{% $length($nodes.big.output.body) %}' } },
        ],
        edges: [
          { source: 'start', target: 'big' },
          { source: 'big', target: 'size' },
        ],
      },
      input: { secret: 'plain-text-marker-9431' },
    });
    expect(started.status).toBe(201);
    const runId: string = started.body.runId;
    const run = await ctx.finished(1, runId);
    expect(run.status).toBe('succeeded');
    expect(run.nodes.size.output).toBe(400_000);
    expect(run.input).toEqual({ secret: 'plain-text-marker-9431' });

    const events = await readHistory(ctx.rawClient, runId);
    const encodings = new Set<string>();
    let largestPayload = 0;
    for (const e of events) {
      const payloads = [
        ...(e.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
        ...(e.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
      ];
      for (const p of payloads) {
        encodings.add(Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString());
        const data = Buffer.from(p.data ?? new Uint8Array());
        expect(data.includes('plain-text-marker-9431')).toBe(false);
        largestPayload = Math.max(largestPayload, data.length);
      }
    }
    // Small payloads are ciphertext; the large response is a reference to stored ciphertext.
    expect([...encodings].sort()).toEqual([CLAIM_CHECK_ENCODING, ENCRYPTED_ENCODING].sort());
    // History holds a reference, not the 400 KB body.
    expect(largestPayload).toBeLessThan(10_000);
  });
});
