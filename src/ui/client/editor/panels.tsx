/**
 * The editor's side panel: the selected node's form (id, label, its type's
 * `data` fields, then the fields every node has: retry, timeout, onError,
 * execution, estimate, cache), or, with nothing selected, the graph's
 * settings and every problem the API reported.
 */
import { useEffect, useState } from 'react';
import { formatMs } from '../format';
import type { LastRun } from './braid-node';
import {
  renameNode,
  setIn,
  setNodeField,
  takesInput,
  toDefinition,
  type Definition,
  type EditorDocument,
  type FieldProblem,
  type FlowNode,
  type GraphMeta,
  type NodeTypeView,
  type PlacedProblems,
} from './model';
import type { Edit } from './use-document';
import { SchemaForm, type JsonSchema } from './schema-form';
import { TestNode } from './test-node';

/** The definition's own node fields and settings, as /openapi.json describes them. */
export interface DefinitionSchemas {
  node: JsonSchema;
  settings: JsonSchema;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Node fields drawn by the panel itself or not edited here. */
const OWN_FIELDS = ['id', 'type', 'label', 'data', 'position'];

export interface NodePanelProps {
  node: FlowNode;
  view: NodeTypeView | undefined;
  schemas: DefinitionSchemas;
  problems: readonly FieldProblem[];
  taken: ReadonlySet<string>;
  lastRunMs?: number;
  onField: (path: string, value: unknown) => void;
  onRename: (to: string) => void;
  /** The graph as drawn (a code node's test run takes it). */
  definition: () => Definition;
  /** Whether a node type is a trigger (the catalog says). */
  isTrigger: (type: string) => boolean;
}

export function NodePanel({ node, view, schemas, problems, taken, lastRunMs, onField, onRename, definition, isTrigger }: NodePanelProps) {
  const defined = node.data.node;
  const [id, setId] = useState(node.id);
  useEffect(() => setId(node.id), [node.id]);
  const idProblem =
    id === node.id ? undefined : !ID_PATTERN.test(id) ? 'letters, digits, "_" and "-" (at most 64)' : taken.has(id) ? 'another node has this id' : undefined;
  // Fields every node has; `execution` only where the type may run locally, `cache` where it takes one.
  const common = Object.fromEntries(
    Object.entries(schemas.node.properties ?? {}).filter(
      ([key]) => !OWN_FIELDS.includes(key) && (key !== 'execution' || view?.local) && (key !== 'cache' || view?.cacheable),
    ),
  );
  const whole = problems.filter((p) => p.field === '' || (!p.field.startsWith('data.') && !(p.field.split('.')[0]! in common) && p.field !== 'label'));
  return (
    <form className="node-panel" data-node-id={node.id} onSubmit={(e) => e.preventDefault()}>
      <h2>
        {view?.label ?? defined.type} <code className="hint">{defined.type}</code>
      </h2>
      {view ? <p className="hint">{view.description}</p> : <p className="problem">Unknown node type: the API does not know "{defined.type}".</p>}
      {lastRunMs !== undefined ? <p className="hint">Last run: {formatMs(lastRunMs)}</p> : null}
      {whole.length > 0 ? (
        <ul className="field-problems" data-field-error="true">
          {whole.map((p, i) => (
            <li key={i}>{p.message}</li>
          ))}
        </ul>
      ) : null}
      <div className="field" data-field="id" data-invalid={idProblem ? 'true' : undefined}>
        <label htmlFor="node-id">id</label>
        <input
          id="node-id"
          value={id}
          onChange={(e) => setId(e.target.value)}
          onBlur={() => (idProblem || id === node.id ? setId(node.id) : onRename(id))}
          onKeyDown={(e) => e.key === 'Enter' && !idProblem && id !== node.id && onRename(id)}
        />
        {idProblem ? <p className="field-problems">{idProblem}</p> : null}
      </div>
      <div className="field" data-field="label">
        <label htmlFor="node-label">label</label>
        <input id="node-label" value={defined.label ?? ''} onChange={(e) => onField('label', e.target.value === '' ? undefined : e.target.value)} />
      </div>
      <fieldset className="field-group" data-field="data">
        <legend>data</legend>
        <SchemaForm
          schema={(view?.dataSchema ?? { type: 'object' }) as JsonSchema}
          value={defined.data ?? {}}
          path="data"
          problems={problems}
          onChange={onField}
          omit={['label']}
          {...(view?.sourceCode
            ? { code: { field: view.sourceCode.field, language: defined.data?.[view.sourceCode.languageField] === 'typescript' ? 'typescript' : 'javascript' } }
            : {})}
        />
      </fieldset>
      {view?.sourceCode ? <TestNode nodeId={node.id} definition={definition} isTrigger={isTrigger} /> : null}
      <fieldset className="field-group">
        <legend>how it runs</legend>
        <SchemaForm schema={{ type: 'object', properties: common }} value={defined} path="" problems={problems} onChange={onField} />
      </fieldset>
    </form>
  );
}

export interface GraphPanelProps {
  meta: GraphMeta;
  schemas: DefinitionSchemas;
  problems: PlacedProblems;
  lastRun?: LastRun;
  onSettings: (path: string, value: unknown) => void;
}

export function GraphPanel({ meta, schemas, problems, lastRun, onSettings }: GraphPanelProps) {
  const settingsProblems = problems.graph.filter((p) => p.field.startsWith('settings')).map((p) => ({ ...p, field: p.field.replace(/^settings\.?/, '') }));
  const elsewhere = [
    ...problems.graph.filter((p) => !p.field.startsWith('settings')).map((p) => `${p.field || 'graph'}: ${p.message}`),
    ...[...problems.nodes].flatMap(([id, list]) => list.map((p) => `${id}${p.field ? `.${p.field}` : ''}: ${p.message}`)),
    ...[...problems.edges].flatMap(([id, list]) => list.map((p) => `edge ${id}: ${p.message}`)),
  ];
  return (
    <div className="graph-panel">
      <h2>Workflow {meta.name ? <code>{meta.name}</code> : null}</h2>
      <p className="hint">Select a node to edit it. Drag a node type from the palette; drag from a handle to connect.</p>
      {lastRun ? (
        <p className="hint" id="editor-last-run">
          Durations from the last run, <a href={`/runs/${encodeURIComponent(lastRun.runId)}`}>{lastRun.runId}</a> ({lastRun.status}); its critical path is
          outlined.
        </p>
      ) : null}
      <section id="editor-problems">
        <h3>Problems</h3>
        {elsewhere.length + settingsProblems.length === 0 ? (
          <p className="hint">None.</p>
        ) : (
          <ul className="field-problems" data-field-error="true">
            {[...elsewhere, ...settingsProblems.map((p) => `settings${p.field ? `.${p.field}` : ''}: ${p.message}`)].map((text, i) => (
              <li key={i}>{text}</li>
            ))}
          </ul>
        )}
      </section>
      <fieldset className="field-group" data-field="settings">
        <legend>settings</legend>
        <SchemaForm schema={schemas.settings} value={meta.settings} path="" problems={settingsProblems} onChange={onSettings} />
      </fieldset>
    </div>
  );
}

export interface InspectorProps {
  doc: EditorDocument;
  catalog: ReadonlyMap<string, NodeTypeView>;
  schemas: DefinitionSchemas;
  problems: PlacedProblems;
  lastRun?: LastRun;
  edit: Edit;
}

/** The side panel: the one selected node's form, else the graph's. */
export function Inspector({ doc, catalog, schemas, problems, lastRun, edit }: InspectorProps) {
  const selected = doc.nodes.filter((n) => n.selected);
  const node = selected.length === 1 ? selected[0] : undefined;
  return (
    <aside className="inspector">
      {node ? (
        <NodePanel
          key={node.id}
          node={node}
          view={catalog.get(node.data.node.type)}
          schemas={schemas}
          problems={problems.nodes.get(node.id) ?? []}
          taken={new Set(doc.nodes.map((n) => n.id))}
          lastRunMs={lastRun?.durations.get(node.id)}
          onField={(path, value) => edit((d) => setNodeField(d, node.id, path, value), `${node.id}.${path}`)}
          onRename={(to) => edit((d) => renameNode(d, node.id, to))}
          definition={() => toDefinition(doc)}
          isTrigger={(type) => !takesInput(catalog.get(type))}
        />
      ) : (
        <GraphPanel
          meta={doc.meta}
          schemas={schemas}
          problems={problems}
          lastRun={lastRun}
          onSettings={(path, value) => edit((d) => ({ ...d, meta: { ...d.meta, settings: setIn(d.meta.settings, path, value) } }), `settings.${path}`)}
        />
      )}
    </aside>
  );
}
