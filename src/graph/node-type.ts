/**
 * What the graph layer knows about a node type: the part of a node type
 * that validation and the scheduler read. Each type declares it, beside its
 * executor, in one module of workflows/nodes/, and workflows/nodes/index.ts
 * lists them. The graph layer never imports that list: whoever validates or
 * builds a graph hands it a catalog, so src/graph/ stays free of Temporal.
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
}

/** What `handleOf` finds: the handle (none: the plain edge), or why the output cannot be this type's. */
export type HandleFromOutput = { handle?: string } | { problem: string };

/** The node types a graph may use, by name. */
export type NodeCatalog = ReadonlyMap<string, NodeTypeSpec>;

/** The node type every run starts from; the graph format itself knows it. */
export const TRIGGER_TYPE = 'trigger';

/** The handles a plain node offers: one plain edge. */
export const PLAIN_HANDLES: readonly (string | undefined)[] = [undefined];
