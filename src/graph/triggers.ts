/**
 * Trigger kinds. A `trigger` node's `data.kind` says what fires it:
 *
 * - `manual` (default): `POST /v1/runs` or `POST /v1/workflows/:name/runs`;
 * - `webhook`: `POST /v1/hooks/:name/:triggerId`, signed with `secret` when set;
 * - `schedule`: a Temporal Schedule, by `cron` (+ `timezone`) or `every`.
 *
 * The trigger node type (src/graph/nodes/trigger.ts) checks each field's shape; this module adds the
 * checks the workflow itself never needs (cron syntax), so the interpreter's
 * bundle stays free of a cron parser. Pure: the API and tests import it.
 */
import { Cron } from 'croner';
import type { Graph } from './graph';
import type { NodeCatalog } from './node-type';
import { TRIGGER_TYPE } from './node-type';
import type { TriggerKind, WebhookVerifyScheme } from './schema';
import type { ValidationIssue, ValidationResult } from './validate';
import { formatPath, ISSUE_CODES, validateDefinition } from './validate';

export interface TriggerSpec {
  /** The trigger node's id. */
  id: string;
  /** Its index in the definition's nodes (for error paths). */
  index?: number;
  kind: TriggerKind;
  /** Webhook: the secret whose HMAC signs deliveries (env BRAID_WEBHOOK_SECRET_<secret>). */
  secret?: string;
  /** Webhook with a secret: how deliveries are signed (src/api/webhook-verify.ts); `braid` when unset. */
  verify?: WebhookVerifyScheme;
  /** Webhook: answer a delivery once the run started (default) or once it ended, with its output. */
  respond?: 'onAccept' | 'onFinish';
  /** Webhook with `respond: "onFinish"`: how long a delivery waits for the end (a duration). */
  timeout?: string;
  /** Webhook: deliveries of one key within `period` become one run with the last delivery. */
  debounce?: { key: string; period: string; maxWait?: string };
  /** Webhook: deliveries of one key are gathered into one run of `{ items }`. */
  batch?: { key: string; maxSize: number; timeout: string };
  cron?: string;
  timezone?: string;
  every?: string;
}

/** Every trigger node of a valid graph, in definition order. */
export function triggersOf(graph: Graph): TriggerSpec[] {
  return graph.nodes
    .filter((n) => n.type === TRIGGER_TYPE)
    .map((n) => {
      const data = n.data as Partial<Omit<TriggerSpec, 'id' | 'index'>>;
      const spec: TriggerSpec = { id: n.id, index: n.index, kind: data.kind ?? 'manual', ...(data.respond ? { respond: data.respond } : {}) };
      for (const key of ['secret', 'timeout', 'cron', 'timezone', 'every'] as const) if (data[key] !== undefined) spec[key] = data[key];
      if (data.verify !== undefined) spec.verify = data.verify;
      if (data.debounce !== undefined) spec.debounce = data.debounce;
      if (data.batch !== undefined) spec.batch = data.batch;
      return spec;
    });
}

/** The distinct trigger kinds of a graph, in the order manual, webhook, schedule. */
export function triggerKinds(triggers: readonly TriggerSpec[]): TriggerKind[] {
  const kinds = new Set(triggers.map((t) => t.kind));
  return (['manual', 'webhook', 'schedule'] as const).filter((k) => kinds.has(k));
}

const NAMES = /JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT/gi;

/** Predefined cron names that Temporal and the checker both read the same way. */
const CRON_ALIASES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/**
 * Why a cron expression is refused, or undefined when it is accepted. Five
 * fields (minute hour day-of-month month day-of-week, names such as MON-FRI
 * allowed) or one of the @ aliases: the form Temporal's schedule spec and
 * standard cron agree on.
 */
export function cronProblem(expression: string): string | undefined {
  const text = expression.trim();
  if (CRON_ALIASES.has(text.toLowerCase())) return undefined;
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    return `must have 5 fields (minute hour day-of-month month day-of-week), such as "0 9 * * MON-FRI"; got ${fields.length}`;
  }
  // Temporal's cron parser has no L, W, ? or # (croner's would accept them).
  const special = [fields[2]!, fields[4]!].map((f) => f.replace(NAMES, '')).find((f) => /[LW?#]/i.test(f));
  if (special !== undefined) return `uses "L", "W", "?" or "#", which Temporal schedules do not support`;
  try {
    new Cron(text, { paused: true }).stop();
    return undefined;
  } catch (err) {
    return `is not a valid cron expression: ${(err as Error).message.replace(/^CronPattern:\s*/, '')}`;
  }
}

/**
 * Problems with trigger fields that the schema cannot see (cron syntax).
 * Reads the raw definition, so they are reported beside any other problem.
 */
export function triggerIssues(definition: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const nodes = (definition as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return issues;
  nodes.forEach((node: unknown, index) => {
    const n = node as { id?: unknown; type?: unknown; data?: { cron?: unknown } } | null;
    if (n?.type !== TRIGGER_TYPE || typeof n.data?.cron !== 'string') return;
    const problem = cronProblem(n.data.cron);
    if (problem) {
      issues.push({
        code: ISSUE_CODES.invalidData,
        path: formatPath(['nodes', index, 'data', 'cron']),
        ...(typeof n.id === 'string' ? { nodeId: n.id } : {}),
        message: problem,
      });
    }
  });
  return issues;
}

/**
 * What the API accepts: the interpreter's validation plus the trigger checks.
 * `/v1/workflows/validate`, `POST /v1/runs` and `PUT /v1/workflows/:name`
 * all answer with it, so they report the same problems.
 */
export function validateWorkflow(definition: unknown, types: NodeCatalog): ValidationResult {
  const result = validateDefinition(definition, types);
  const issues = triggerIssues(definition);
  if (issues.length === 0) return result;
  return { ok: false, issues: [...(result.ok ? [] : result.issues), ...issues] };
}
