/** The code node's limits and failure types, shared by its spec, the activity and the docs (no zod here: the activities load it). */

/** The sandbox's limits: defaults and ceilings (docs/nodes.md). */
export const CODE_LIMITS = {
  /** Longest code, in characters. */
  maxCodeLength: 100_000,
  defaultTimeoutMs: 5_000,
  defaultMemoryMiB: 64,
  maxMemoryMiB: 256,
  /** What the code may return, as JSON. */
  maxOutputBytes: 1024 * 1024,
  /** What its console may say, in all. */
  maxLogBytes: 64 * 1024,
} as const;

/** Failure types of a code node (non-retryable: the same code on the same data fails the same way). */
export const CODE_FAILURES = {
  error: 'CodeError',
  timeout: 'CodeTimeout',
  memory: 'CodeMemoryLimit',
  output: 'CodeOutputLimit',
} as const;

export const CODE_LANGUAGES = ['javascript', 'typescript'] as const;
export type CodeLanguage = (typeof CODE_LANGUAGES)[number];
