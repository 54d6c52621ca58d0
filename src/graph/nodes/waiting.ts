/** What approval and wait nodes share on the spec side: knowing an output that ended by timeout. */
import type { HandleFromOutput } from '../node-type';
import { TIMEOUT_HANDLE } from '../schema';

/** The `timeout` handle for an output a timed-out wait gave (`{ timedOut: true, … }`); undefined for any other. */
export function timeoutHandleOf(output: unknown): HandleFromOutput | undefined {
  return (output as { timedOut?: unknown } | null)?.timedOut === true ? { handle: TIMEOUT_HANDLE } : undefined;
}
