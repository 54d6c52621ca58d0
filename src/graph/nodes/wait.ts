/** `wait`: waits for the external event `data.event` (executor: workflows/nodes/wait.ts). */
import { z } from 'zod';
import { buildOnce } from '../build-once';
import type { NodeTypeSpec } from '../node-type';
import { durationSchema, eventNameSchema, TIMEOUT_HANDLE, uiKeys } from '../schema';
import { timeoutHandleOf } from './waiting';

export const waitSpec: NodeTypeSpec = {
  type: 'wait',
  label: 'Wait for event',
  description: 'Waits for a named event (POST …/events/:event); the event body is its output.',
  category: 'wait',
  data: buildOnce('src/graph/nodes/wait#waitSpec.data', () => z.object({ event: eventNameSchema, timeout: durationSchema.optional(), ...uiKeys }).strict()),
  handles: () => [undefined, TIMEOUT_HANDLE],
  handleOf: (output) => timeoutHandleOf(output) ?? {},
  activitySlot: false,
  local: false,
  ownRun: true,
  waits: 'event',
};
