/** Validation failures as the run domain reports them: a BraidError of kind `validation` with the fields at fault. */
import type { ValidationIssue, ValidationResult } from '../graph/validate';
import { exceedsNesting, MAX_NESTING } from '../graph/json';
import type { FieldError } from './errors';
import { BraidError } from './errors';

/** Validates a definition as Braid accepts it (built-in and custom node types, triggers, the operator's policy). */
export type ValidateWorkflow = (definition: unknown) => ValidationResult;

export function validationError(errors: FieldError[], detail?: string): BraidError {
  return new BraidError('validation', detail ?? `${errors.length} validation error(s)`, { errors });
}

/** Validation issues as field errors, their paths moved under `prefix` (e.g. `$.workflow`). */
export function issueFieldErrors(issues: readonly ValidationIssue[], prefix = '$'): FieldError[] {
  return issues.map((i) => ({
    path: prefix + i.path.slice(1),
    message: i.message,
    ...(i.line === undefined ? {} : { line: i.line }),
    ...(i.column === undefined ? {} : { column: i.column }),
  }));
}

/** Every graph problem of `definition`, under `prefix`. */
export function graphFieldErrors(validate: ValidateWorkflow, definition: unknown, prefix: string): FieldError[] {
  const result = validate(definition);
  return result.ok ? [] : issueFieldErrors(result.issues, prefix);
}

/** Refuses a JSON value from outside (an input, an event) that nests deeper than MAX_NESTING. */
export function assertNesting(value: unknown, path: string): void {
  if (exceedsNesting(value)) throw validationError([{ path, message: `must not nest deeper than ${MAX_NESTING} levels` }]);
}
