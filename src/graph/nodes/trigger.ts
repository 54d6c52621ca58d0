/**
 * `trigger`: the run's entry; its output is the run's input. `data.kind` says
 * what fires it (`manual` by default): a `webhook` may name a `secret` that
 * signs its deliveries (as `verify` says: braid, github, stripe, slack), and with `respond: "onFinish"` answers a delivery
 * with the run's output once it ended (within `timeout`, default 30 s, at
 * most 60 s); a `schedule` has exactly one of `cron` (with an optional IANA
 * `timezone`) or `every`. The API turns webhook and schedule
 * triggers into routes and Temporal Schedules (src/graph/triggers.ts).
 * Executor: workflows/nodes/trigger.ts.
 */
import { z } from 'zod';
import { buildOnce } from '../build-once';
import { parseDuration } from '../duration';
import type { NodeTypeSpec } from '../node-type';
import { PLAIN_HANDLES, TRIGGER_TYPE } from '../node-type';
import { durationSchema, MIN_SCHEDULE_INTERVAL_MS, TRIGGER_KINDS, uiKeys, WEBHOOK_VERIFY_SCHEMES } from '../schema';

/** A webhook key's name: env `BRAID_WEBHOOK_SECRET_<NAME>` holds its value. */
const secretNameSchema = buildOnce('src/graph/nodes/trigger#secretNameSchema', () =>
  z
    .string()
    .max(128, 'must be at most 128 characters')
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a secret name such as "GITHUB_HOOK" (letters, digits and "_")'),
);

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const KIND_FIELDS = {
  secret: ['webhook'],
  verify: ['webhook'],
  respond: ['webhook'],
  timeout: ['webhook'],
  debounce: ['webhook'],
  batch: ['webhook'],
  cron: ['schedule'],
  timezone: ['schedule'],
  every: ['schedule'],
} as const;

/** When a webhook delivery is answered: once the run started (202), or once it ended, with its output (200). */
export const WEBHOOK_RESPONSES = ['onAccept', 'onFinish'] as const;
/** How long a delivery waits for the run's end (`respond: "onFinish"`) by default, and at most. */
export const RESPOND_TIMEOUT = { defaultMs: 30_000, maxMs: 60_000 } as const;

/** Longest debounce period, batch timeout or debounce `maxWait`: deliveries wait in Temporal, but not for days. */
export const BUFFER_MAX_MS = 3_600_000;
const bufferDuration = buildOnce('src/graph/nodes/trigger#bufferDuration', () =>
  durationSchema.refine((d) => (parseDuration(d) ?? Infinity) <= BUFFER_MAX_MS, `must be at most ${BUFFER_MAX_MS / 60_000} minutes`),
);
/** Most deliveries gathered into one batch run. */
export const BATCH_MAX_SIZE = 1_000;

const data = buildOnce('src/graph/nodes/trigger#data', () =>
  z
    .object({
      kind: z.enum(TRIGGER_KINDS).optional(),
      secret: secretNameSchema.optional(),
      verify: z.enum(WEBHOOK_VERIFY_SCHEMES).optional(),
      respond: z.enum(WEBHOOK_RESPONSES).optional(),
      timeout: durationSchema
        .refine((d) => (parseDuration(d) ?? Infinity) <= RESPOND_TIMEOUT.maxMs, `must be at most ${RESPOND_TIMEOUT.maxMs / 1000} s`)
        .optional(),
      /** Deliveries of one key within `period` of each other become one run, with the last delivery (the trailing edge). */
      debounce: z
        .object({ key: z.string().min(1).max(2000), period: bufferDuration, maxWait: bufferDuration.optional() })
        .strict()
        .optional(),
      /** Deliveries of one key are gathered into one run (`{ items }`), started at `maxSize` or `timeout` after the first. */
      batch: z
        .object({ key: z.string().min(1).max(2000), maxSize: z.number().int().min(1).max(BATCH_MAX_SIZE), timeout: bufferDuration })
        .strict()
        .optional(),
      cron: z.string().min(1, 'must not be empty').max(200).optional(),
      timezone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as "Europe/Paris"').optional(),
      every: durationSchema
        .refine((d) => (parseDuration(d) ?? 0) >= MIN_SCHEDULE_INTERVAL_MS, `must be at least ${MIN_SCHEDULE_INTERVAL_MS / 1000} s`)
        .optional(),
      ...uiKeys,
    })
    .strict()
    .superRefine((d, ctx) => {
      const kind = d.kind ?? 'manual';
      for (const [field, kinds] of Object.entries(KIND_FIELDS)) {
        if (d[field as keyof typeof KIND_FIELDS] !== undefined && !(kinds as readonly string[]).includes(kind)) {
          ctx.addIssue({ code: 'custom', path: [field], message: `only a "${kinds[0]}" trigger takes "${field}" (this one is "${kind}")` });
        }
      }
      if (d.verify !== undefined && d.secret === undefined) {
        ctx.addIssue({ code: 'custom', path: ['verify'], message: '"verify" needs a "secret": the key it verifies with' });
      }
      if (d.timeout !== undefined && d.respond !== 'onFinish') {
        ctx.addIssue({ code: 'custom', path: ['timeout'], message: '"timeout" applies to "respond": "onFinish" only' });
      }
      if (d.debounce !== undefined && d.batch !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['batch'], message: 'a trigger either debounces or batches its deliveries, not both' });
      }
      if ((d.debounce !== undefined || d.batch !== undefined) && d.respond === 'onFinish') {
        ctx.addIssue({ code: 'custom', path: ['respond'], message: '"respond": "onFinish" cannot wait for a run that starts later (debounce, batch)' });
      }
      if (kind === 'schedule') {
        if ((d.cron === undefined) === (d.every === undefined)) {
          ctx.addIssue({ code: 'custom', path: [], message: 'a schedule trigger needs exactly one of "cron" or "every"' });
        }
        if (d.timezone !== undefined && d.cron === undefined) {
          ctx.addIssue({ code: 'custom', path: ['timezone'], message: '"timezone" applies to "cron" only' });
        }
      }
    }),
);

export const triggerSpec: NodeTypeSpec = {
  type: TRIGGER_TYPE,
  label: 'Trigger',
  description: 'Where a run starts: by hand, by a signed webhook or on a schedule. Its output is the run input.',
  category: 'trigger',
  data,
  handles: () => PLAIN_HANDLES,
  activitySlot: false,
  local: false,
};
