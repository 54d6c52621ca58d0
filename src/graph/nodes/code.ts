/**
 * `code`: a few lines of JavaScript or TypeScript, run as an activity inside
 * a JavaScript engine compiled to WebAssembly (executor:
 * workflows/nodes/code.ts; sandbox: src/code/). The code is the body of an
 * async function of `$input`, `$nodes`, `$run` and `console`; what it
 * returns (JSON) is the node's output.
 *
 * Its syntax is checked where the API validates (src/code/compile.ts gives
 * the API's catalog `sourceProblems`); this pure spec checks the shape.
 */
import { z } from 'zod';
import { buildOnce } from '../build-once';
import { parseDuration } from '../duration';
import type { NodeTypeSpec } from '../node-type';
import { PLAIN_HANDLES } from '../node-type';
import { durationSchema, uiKeys } from '../schema';
import { CODE_LANGUAGES, CODE_LIMITS } from '../../code/limits';

export { CODE_FAILURES, CODE_LANGUAGES, CODE_LIMITS } from '../../code/limits';
export type { CodeLanguage } from '../../code/limits';

export const codeDataSchema = buildOnce('src/graph/nodes/code#codeDataSchema', () =>
  z
    .object({
      code: z.string().min(1, 'must not be empty').max(CODE_LIMITS.maxCodeLength, `must be at most ${CODE_LIMITS.maxCodeLength} characters`),
      language: z.enum(CODE_LANGUAGES).default('javascript'),
      timeout: durationSchema.optional(),
      memory: z.number().int().min(1).max(CODE_LIMITS.maxMemoryMiB).optional(),
      ...uiKeys,
    })
    .strict(),
);

export type CodeData = z.infer<typeof codeDataSchema>;

/** The code's time limit: its `timeout`, else 5 s, never past the node's own timeout. */
export function codeTimeoutMs(data: { timeout?: string }, nodeTimeout: string | undefined): number {
  const own = data.timeout === undefined ? CODE_LIMITS.defaultTimeoutMs : (parseDuration(data.timeout) ?? CODE_LIMITS.defaultTimeoutMs);
  const node = nodeTimeout === undefined ? undefined : parseDuration(nodeTimeout);
  return node === undefined ? own : Math.min(own, node);
}

export const codeSpec: NodeTypeSpec = {
  type: 'code',
  label: 'Code',
  description:
    'Runs a few lines of JavaScript or TypeScript in a WebAssembly sandbox (no network, files, timers or secrets) on $input, $nodes and $run; what it returns is its output.',
  category: 'logic',
  data: codeDataSchema,
  handles: () => PLAIN_HANDLES,
  activitySlot: true,
  local: false,
  literalFields: ['code'],
  sourceCode: { field: 'code', languageField: 'language' },
  nodeProblems: (node) => {
    const timeout = node.data?.timeout;
    if (typeof timeout !== 'string' || node.timeout === undefined) return [];
    const own = parseDuration(timeout);
    const limit = parseDuration(node.timeout);
    if (own === undefined || limit === undefined || own <= limit) return [];
    return [{ path: ['data', 'timeout'], message: `must be at most the node's own timeout (${node.timeout})` }];
  },
};
