/**
 * Documentation generated from the code it describes, each part between
 * `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` in its file:
 * `npm run docs` writes them, test/docs/generated.test.ts checks them.
 */
import { BUILT_IN_SPECS } from '../graph/nodes';
import type { Patch } from '../../workflows/patches';
import { PATCHES } from '../../workflows/patches';
import { jsonSchemaOf } from '../api/node-type-catalog';
import type { NodeTypeSpec } from '../graph/node-type';
import type { EnvVariableDoc } from '../config-docs';
import { ENV_VARIABLES } from '../config-docs';
import type { Permission, Role } from '../auth/roles';
import { roleAllows, ROLES, ROUTE_PERMISSIONS } from '../auth/roles';

export interface GeneratedDoc {
  file: string;
  marker: string;
  content: string;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function patchTable(patches: readonly Patch[] = Object.values(PATCHES)): string {
  return [
    '| patch id | since | what it changed | histories from before it |',
    '|---|---|---|---|',
    ...patches.map(
      (p) =>
        `| \`${p.id}\` | ${cell(p.since)} | ${cell(p.changed)} | ${'folder' in p.before ? `\`test/fixtures/histories/${p.before.folder}/\`` : `none: ${cell(p.before.unchanged)}`} |`,
    ),
  ].join('\n');
}

type JsonSchema = {
  type?: unknown;
  description?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  const?: unknown;
  default?: unknown;
};

/** A field's type in a few words: `string`, `number or expression`, `"all" or "any"`. */
function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' or ');
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return [...new Set(alts.map(typeOf))].join(' or ');
  if (s.type === 'array') return s.items ? `array of ${typeOf(s.items)}` : 'array';
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s.type)) return s.type.join(' or ');
  return 'any';
}

function nodeTypeSection(spec: NodeTypeSpec): string {
  const schema = jsonSchemaOf(spec.data) as JsonSchema;
  const handles = spec.handles({}).map((h) => (h === undefined ? 'a plain edge' : `\`${h}\``));
  const facts = [
    `Category: ${spec.category}.`,
    spec.activitySlot ? 'Runs as an activity and takes a `maxParallel` slot.' : 'Runs inside the workflow.',
    ...(spec.local ? ['May run as a local activity (`"execution": "local"`).'] : []),
    ...(spec.cacheable ? ['Takes a `cache` field.'] : []),
    `Out-edges: ${spec.handlesFromData ? `one per \`${spec.handlesFromData}\`, and ${handles.join(', ')}` : handles.length ? handles.join(', ') : 'none'}${spec.endsRun ? '' : ', and `error` (with `onError: "branch"`)'}.`,
  ];
  // label and description are every node's (uiKeys): said once, at the top of the page.
  const fields = Object.entries(schema.properties ?? {}).filter(([name]) => !['label', 'description'].includes(name));
  const required = new Set(schema.required ?? []);
  const described = fields.some(([, f]) => f.description);
  const row = ([name, f]: [string, JsonSchema]) =>
    `| \`${name}\` | ${cell(typeOf(f))} | ${required.has(name) ? 'yes' : ''} |${described ? ` ${cell(f.description ?? '')} |` : ''}`;
  return [
    `## ${spec.label} (\`${spec.type}\`)`,
    '',
    spec.description,
    '',
    facts.join(' '),
    '',
    ...(fields.length
      ? [`| \`data\` field | type | required |${described ? ' meaning |' : ''}`, `|---|---|---|${described ? '---|' : ''}`, ...fields.map(row), '']
      : ['No `data` fields.', '']),
  ].join('\n');
}

/** docs/node-types.md's body: every built-in type from its spec. */
export function nodeTypesPage(specs: readonly NodeTypeSpec[] = BUILT_IN_SPECS): string {
  return specs.map(nodeTypeSection).join('\n').trimEnd();
}

/** docs/configuration.md's table: every variable from src/config-docs.ts. */
export function configurationTable(variables: readonly EnvVariableDoc[] = ENV_VARIABLES): string {
  return [
    '| variable | default | meaning |',
    '|---|---|---|',
    ...variables.map((v) => `| ${v.names.map((n) => `\`${n}\``).join(', ')} | ${v.default} | ${v.meaning} |`),
  ].join('\n');
}

/** Who may call each route: a row per route of ROUTE_PERMISSIONS, a column per role (the matrix test reads this table back). */
export function permissionsTable(routes: Readonly<Record<string, Permission>> = ROUTE_PERMISSIONS): string {
  const cell = (role: Role, p: Permission) => (roleAllows(role, p) ? 'yes' : '—');
  return [
    `| route | permission | ${ROLES.join(' | ')} |`,
    `|---|---|${ROLES.map(() => '---').join('|')}|`,
    ...Object.entries(routes).map(([route, p]) => `| \`${route}\` | ${p} | ${ROLES.map((r) => cell(r, p)).join(' | ')} |`),
  ].join('\n');
}

export function generatedDocs(): GeneratedDoc[] {
  return [
    { file: 'README.md', marker: 'permissions', content: permissionsTable() },
    { file: 'docs/configuration.md', marker: 'configuration', content: configurationTable() },
    { file: 'CONTRIBUTING.md', marker: 'patches', content: patchTable() },
    { file: 'docs/node-types.md', marker: 'node-types', content: nodeTypesPage() },
  ];
}

/** `text` with the part between `doc`'s markers replaced by its content; throws when the markers are missing. */
export function spliceGenerated(text: string, doc: GeneratedDoc): string {
  const open = `<!-- generated:${doc.marker} -->`;
  const close = `<!-- /generated:${doc.marker} -->`;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  if (a < 0 || b < a) throw new Error(`${doc.file}: no ${open} … ${close}`);
  return `${text.slice(0, a + open.length)}\n${doc.content}\n${text.slice(b)}`;
}
