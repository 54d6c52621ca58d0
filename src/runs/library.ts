/**
 * Resolves the saved workflows a definition's `subworkflow` and `forEach` nodes refer to
 * (`data.ref`: `name` → its latest version now, `name@version` → that one),
 * through inline subworkflows and through the referenced workflows
 * themselves. A workflow cannot read Braid's database, so the API hands the
 * run this library when it starts it. Refs that lead back to a workflow
 * already on the way are a cycle, refused with the path of the ref.
 */
import type { SavedRef } from '../graph/run-state';
import { formatPath } from '../graph/validate';
import { BUILT_IN_CATALOG } from '../graph/nodes';
import type { FieldError } from './errors';
import type { WorkflowRepository } from '../store/workflow-repository';
import { validationError } from './validation';

interface Found {
  ref: string;
  /** JSON path segments from the top definition's node to the ref. */
  path: (string | number)[];
}

/** Every `data.ref` of subworkflow nodes in `definition`, including inside inline subworkflows. */
function refsIn(definition: unknown, base: (string | number)[] = []): Found[] {
  const nodes = (definition as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  const found: Found[] = [];
  nodes.forEach((n: unknown, i) => {
    const node = n as { type?: unknown; data?: Record<string, unknown> } | null;
    const field = typeof node?.type === 'string' ? BUILT_IN_CATALOG.get(node.type)?.inlineGraph?.field : undefined;
    if (field === undefined) return;
    if (typeof node?.data?.ref === 'string') found.push({ ref: node.data.ref, path: [...base, 'nodes', i, 'data', 'ref'] });
    if (node?.data?.[field] !== undefined) found.push(...refsIn(node.data[field], [...base, 'nodes', i, 'data', field]));
  });
  return found;
}

const nameOf = (ref: string) => ref.split('@')[0]!;

/**
 * The library for a run of `definition`; `self` is the saved workflow's own
 * name, when it is one (so a ref back to it is a cycle).
 */
export async function resolveLibrary(repository: WorkflowRepository, definition: unknown, self?: string): Promise<Record<string, SavedRef>> {
  const library: Record<string, SavedRef> = {};
  const errors: FieldError[] = [];

  async function load(ref: string): Promise<SavedRef | undefined> {
    if (library[ref]) return library[ref];
    const [name, version] = ref.split('@') as [string, string | undefined];
    let found: SavedRef | undefined;
    if (version) {
      const v = await repository.getVersion(name, version);
      if (v) found = { name, version, definition: v.definition };
    } else {
      const w = await repository.get(name);
      if (w) found = { name, version: w.latestVersion, definition: w.definition };
    }
    if (found) library[ref] = found;
    return found;
  }

  async function walk(def: unknown, chain: string[], top: (string | number)[] | undefined): Promise<void> {
    for (const { ref, path } of refsIn(def)) {
      const at = formatPath(top ?? path);
      const name = nameOf(ref);
      if (chain.includes(name)) {
        errors.push({ path: at, message: `refers back to "${name}": ${[...chain, name].join(' → ')} is a cycle` });
        continue;
      }
      const saved = await load(ref);
      if (!saved) {
        errors.push({ path: at, message: `no saved workflow "${ref}"` });
        continue;
      }
      await walk(saved.definition, [...chain, name], top ?? path);
    }
  }

  await walk(definition, self ? [self] : [], undefined);
  if (errors.length > 0) throw validationError(errors);
  return library;
}
