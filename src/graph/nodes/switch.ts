/** `switch`: takes the handle of the first case whose expression is true, else `default` (executor: workflows/nodes/switch.ts). */
import { z } from 'zod';
import { buildOnce } from '../build-once';
import type { NodeTypeSpec } from '../node-type';
import { ERROR_HANDLE, expressionSchema, ID_PATTERN, LIMITS, uiKeys } from '../schema';

/** The handle taken when no case matches. */
export const DEFAULT_HANDLE = 'default';

const handleSchema = buildOnce('src/graph/nodes/switch#handleSchema', () =>
  z.string().min(1).max(LIMITS.maxIdLength).regex(ID_PATTERN, 'may contain only letters, digits, "_" and "-"'),
);

const data = buildOnce('src/graph/nodes/switch#data', () =>
  z
    .object({
      cases: z
        .array(z.object({ handle: handleSchema, expression: expressionSchema }).strict())
        .min(1, 'needs at least one case')
        .refine((cases) => new Set(cases.map((c) => c.handle)).size === cases.length, 'case handles must be unique')
        .refine((cases) => cases.every((c) => c.handle !== DEFAULT_HANDLE && c.handle !== ERROR_HANDLE), 'handles "default" and "error" are reserved'),
      ...uiKeys,
    })
    .strict(),
);

export const switchSpec: NodeTypeSpec = {
  type: 'switch',
  label: 'Switch',
  description: 'Takes the edges of the first case whose expression is true, else its "default" edges.',
  category: 'logic',
  data,
  handles: (d) => {
    const cases = Array.isArray(d.cases) ? (d.cases as { handle?: unknown }[]) : [];
    return [...cases.flatMap((c) => (typeof c?.handle === 'string' ? [c.handle] : [])), DEFAULT_HANDLE];
  },
  handlesFromData: 'data.cases[].handle',
  handleOf: (output, handles) => {
    const handle = (output as { handle?: unknown } | null)?.handle;
    return typeof handle === 'string' && handles.includes(handle)
      ? { handle }
      : {
          problem: `a switch node outputs { "handle": one of ${handles
            .filter((h) => h !== undefined)
            .map((h) => JSON.stringify(h))
            .join(', ')} }`,
        };
  },
  activitySlot: false,
  local: false,
};
