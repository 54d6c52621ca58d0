/**
 * What the graph layer knows about a node type: its spec, the part that
 * validation, the scheduler, the API and the documentation read. Each
 * built-in type declares its spec in one pure module of src/graph/nodes/
 * (listed in src/graph/nodes/index.ts) and its executor in one module of
 * workflows/nodes/ (listed in workflows/nodes/index.ts). Validation and
 * scheduling take a catalog from their caller, so a rule of one type lives
 * in its spec, never in a test of its name here.
 */

/** A schema for a node's `data`: zod's, or anything with the same `safeParse`. */
export interface DataSchema {
  safeParse(data: unknown): { success: true } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

/** Where a node type sits in a palette. */
export type NodeCategory = 'trigger' | 'action' | 'logic' | 'wait' | 'compose';

export interface NodeTypeSpec {
  /** The node `type` in a definition. */
  readonly type: string;
  readonly label: string;
  /** One sentence for people: documentation, the OpenAPI document, a palette. */
  readonly description: string;
  readonly category: NodeCategory;
  /** The node's `data` as written: a field may be an expression where the type allows it. */
  readonly data: DataSchema;
  /** The source handles its out-edges may use (`undefined`: a plain edge), not counting `error`. */
  handles(data: Readonly<Record<string, unknown>>): readonly (string | undefined)[];
  /**
   * The handle a node of this type took, read from an output it gave: for a
   * pinned output, and for a run recorded before node states kept their
   * handle. A problem when no run of this type gives that output. Types
   * with one plain edge leave it out.
   */
  handleOf?(output: unknown, handles: readonly (string | undefined)[]): HandleFromOutput;
  /** Runs as an activity and takes one of `maxParallel`'s slots; otherwise it runs inside the workflow. */
  readonly activitySlot: boolean;
  /** May run as a local activity (`execution: "local"`). */
  readonly local: boolean;
  /** Its result may be cached (a node's `cache` field): it calls out, and the same data gives the same answer. */
  readonly cacheable?: boolean;
  /**
   * The `data` field that holds a graph of its own, validated as a workflow
   * under this node's path; `ownRun: false` when its nodes run inside this
   * run's batches (a forEach body) rather than as a run of their own.
   */
  readonly inlineGraph?: { readonly field: string; readonly ownRun: boolean };
  /** Needs a run of its own to be answered (a decision, an event): refused inside a forEach body. */
  readonly ownRun?: boolean;
  /** Starts when its first taken input arrives instead of when all inputs are decided (merge "any"). */
  joinsOnFirst?(data: Readonly<Record<string, unknown>>): boolean;
  /**
   * Reaching it ends the run as failed, with its own error (`fail`): the run
   * reports that error and cancels what still runs. It takes no `onError`.
   */
  readonly endsRun?: boolean;
  /** Why its `cache` cannot apply to this data (a cacheable type may still refuse some: an http POST without an Idempotency-Key). */
  cacheProblem?(data: Readonly<Record<string, unknown>>): string | undefined;
  /**
   * What keeps this data from running locally (`execution: "local"`), beyond
   * the node's own timeout; `where` is the path to blame when the node's
   * `execution` chose local (empty when the settings did).
   */
  localProblems?(data: Readonly<Record<string, unknown>>, where: readonly (string | number)[]): LocalExecutionProblem[];
  /** Its requests pass the host limiter (activities/host-limiter.ts), which serves a run's critical path first. */
  readonly callsHosts?: boolean;
  /** A redrive keeps the outputs of its items that succeeded (forEach). */
  readonly keepsItems?: boolean;
  /** What a node of this type waits for from outside: a decision (`approval`) or an event (`event`). */
  readonly waits?: WaitingKind;
  /** The Temporal activity this data calls, for the operator's allowlist (workflow-policy.ts). */
  activityCall?(data: Readonly<Record<string, unknown>>): { activityType: string; taskQueue?: string } | undefined;
  /** The credential this data names (`http`'s `auth.credential`): it must exist in the run's project when the run starts. */
  credentialOf?(data: Readonly<Record<string, unknown>>): string | undefined;
  /** Documentation: the data field whose entries name the handles it adds to `handles({})` (switch: `data.cases[].handle`). */
  readonly handlesFromData?: string;
  /** Data fields taken as written: never searched for `{% … %}` expressions (a code node's `code`). */
  readonly literalFields?: readonly string[];
  /** The data field that holds source code, and the field that names its language (`javascript` unless it says `typescript`): editors show a code editor. */
  readonly sourceCode?: { readonly field: string; readonly languageField: string };
  /** Problems of the node as a whole (its data against its own fields, such as `timeout`); paths are under the node. */
  nodeProblems?(node: { data?: Readonly<Record<string, unknown>>; timeout?: string }): LocalExecutionProblem[];
  /**
   * Problems of source code in its data, with where in the source (a code
   * node's syntax). The pure specs leave it out; the API's catalog adds it
   * where it can compile (src/code/compile.ts).
   */
  sourceProblems?(data: Readonly<Record<string, unknown>>): SourceProblem[];
}

/** A problem in a node's source code: the data field, and the line and column (1-based) in it. */
export interface SourceProblem {
  path: (string | number)[];
  message: string;
  line: number;
  column: number;
}

/** What a waiting node waits for: a person's decision, or a named event. */
export const WAITING_KINDS = ['approval', 'event'] as const;
export type WaitingKind = (typeof WAITING_KINDS)[number];

/** One problem with running a node locally; `path` is under the node. */
export interface LocalExecutionProblem {
  path: (string | number)[];
  message: string;
}

/** What `handleOf` finds: the handle (none: the plain edge), or why the output cannot be this type's. */
export type HandleFromOutput = { handle?: string } | { problem: string };

/** The node types a graph may use, by name. */
export type NodeCatalog = ReadonlyMap<string, NodeTypeSpec>;

/** The node type every run starts from; the graph format itself knows it. */
export const TRIGGER_TYPE = 'trigger';

/** The handles a plain node offers: one plain edge. */
export const PLAIN_HANDLES: readonly (string | undefined)[] = [undefined];
