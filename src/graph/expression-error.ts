/** Errors of one expression: what compiling or evaluating it threw, as Braid reports it. */
import { LIMIT_CODES, LimitExceeded } from './expression-limits';

/** A compile or evaluation error of one expression. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    message: string,
    /** JSONata error code, e.g. `S0202`, or one of Braid's limits (`LIMIT_STEPS`, … see expression-limits.ts). */
    readonly code: string,
    /** Character offset inside the expression body, when JSONata gives one. */
    readonly position?: number,
  ) {
    super(message);
  }
}

export interface JsonataError {
  code?: string;
  message?: string;
  position?: number;
}

/** JSONata's own guards on depth: the `stack` option, and its recursion check. */
const JSONATA_DEPTH_CODES = new Set(['U1001', 'D1011']);

/**
 * `$eval` wraps what went wrong inside it (D3120, D3121) in an error whose
 * message quotes the inner one as JSON: nested, the escaping doubles per
 * level (500 levels ran out of memory). What it wrapped is the answer.
 */
export function innermost(err: unknown): unknown {
  let inner = err;
  while (inner !== null && typeof inner === 'object' && (inner as { error?: unknown }).error !== undefined) inner = (inner as { error?: unknown }).error;
  return inner;
}

export function toExpressionError(err: unknown): ExpressionError {
  err = innermost(err);
  if (err instanceof ExpressionError) return err;
  if (err instanceof LimitExceeded) return new ExpressionError(err.message, err.code);
  if (err instanceof RangeError) return new ExpressionError(`expression went too deep: ${err.message}`, LIMIT_CODES.depth);
  const e = (err ?? {}) as JsonataError;
  const code = typeof e.code === 'string' ? e.code : 'EVAL';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const position = typeof e.position === 'number' ? e.position : undefined;
  if (JSONATA_DEPTH_CODES.has(code)) return new ExpressionError(`expression exceeded its limit of nested evaluation (${message})`, LIMIT_CODES.depth, position);
  return new ExpressionError(position === undefined ? message : `${message} (at position ${position})`, code, position);
}
