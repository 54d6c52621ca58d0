/**
 * A definition may name only credentials of its run's project: every node
 * whose spec reads a credential from its data (`credentialOf`: an http
 * node's `auth.credential`), nested graphs included, is checked when a run
 * starts or a workflow is saved, and an unknown name is a 422 naming the
 * node's field. (The activity checks again at each attempt: a credential
 * deleted since fails the node, naming it.)
 */
import { formatPath } from '../graph/json';
import type { NodeCatalog } from '../graph/node-type';
import type { FieldError } from './errors';
import { validationError } from './validation';

/** Each credential a definition names, with the path of the field that names it. */
export function credentialRefs(definition: unknown, types: NodeCatalog, base: (string | number)[] = []): { name: string; path: string }[] {
  const nodes = (definition as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  return nodes.flatMap((raw: unknown, i) => {
    const node = raw as { type?: unknown; data?: unknown } | null;
    const spec = typeof node?.type === 'string' ? types.get(node.type) : undefined;
    const data = node?.data !== null && typeof node?.data === 'object' ? (node.data as Record<string, unknown>) : {};
    const name = spec?.credentialOf?.(data);
    const own = name === undefined ? [] : [{ name, path: formatPath([...base, 'nodes', i, 'data', 'auth', 'credential']) }];
    const inline = spec?.inlineGraph?.field;
    return inline !== undefined && data[inline] !== undefined ? [...own, ...credentialRefs(data[inline], types, [...base, 'nodes', i, 'data', inline])] : own;
  });
}

/** Refuses (422) a definition that names a credential `exists` does not know, under `prefix` (`$.workflow` in a run's body). */
export async function assertCredentials(
  definition: unknown,
  types: NodeCatalog,
  exists: (name: string) => Promise<boolean>,
  project: string,
  prefix = '$',
): Promise<void> {
  const missing: FieldError[] = [];
  for (const ref of credentialRefs(definition, types)) {
    if (!(await exists(ref.name))) missing.push({ path: prefix + ref.path.slice(1), message: `no credential "${ref.name}" in project "${project}"` });
  }
  if (missing.length) throw validationError(missing);
}
