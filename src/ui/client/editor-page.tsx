/**
 * /editor (a new graph) and /workflows/:name/edit (a saved one: its latest
 * version, or `?version=`). Built from what the API says: the palette and
 * the forms from GET /v1/node-types, the fields every node has and the
 * settings from /openapi.json.
 */
import '@xyflow/react/dist/style.css';
import { mountProjectSwitcher } from './project-switcher';
import { ReactFlowProvider } from '@xyflow/react';
import { createRoot } from 'react-dom/client';
import { api, ApiProblem } from './api';
import { fill, h } from './dom';
import { autoLayout } from './editor/auto-layout';
import { Editor, type EditorProps } from './editor/editor';
import { hasLayout, toDocument, type NodeTypeView } from './editor/model';
import type { DefinitionSchemas } from './editor/panels';
import type { JsonSchema } from './editor/schema-form';

interface OpenApi {
  components: { schemas: { WorkflowDefinition: { properties: { nodes: { items: JsonSchema }; settings: JsonSchema } } } };
}

async function load(): Promise<EditorProps> {
  const match = /^\/workflows\/([^/]+)\/edit$/.exec(location.pathname);
  const name = match ? decodeURIComponent(match[1]!) : undefined;
  const version = new URLSearchParams(location.search).get('version') ?? undefined;
  const [{ nodeTypes }, openapi, saved] = await Promise.all([
    api<{ nodeTypes: NodeTypeView[] }>('/v1/node-types'),
    api<OpenApi>('/openapi.json'),
    name === undefined
      ? undefined
      : version
        ? api<unknown>(`/v1/workflows/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`).then((definition) => ({ definition, version }))
        : api<{ definition: unknown; latestVersion: string }>(`/v1/workflows/${encodeURIComponent(name)}`).then((w) => ({
            definition: w.definition,
            version: w.latestVersion,
          })),
  ]);
  const definitionSchema = openapi.components.schemas.WorkflowDefinition.properties;
  const schemas: DefinitionSchemas = { node: definitionSchema.nodes.items, settings: definitionSchema.settings };
  if (!saved || name === undefined) return { catalog: nodeTypes, schemas };
  let document = toDocument(saved.definition);
  document = { ...document, meta: { ...document.meta, name } };
  if (!hasLayout(saved.definition)) document = autoLayout(document);
  return { catalog: nodeTypes, schemas, initial: { document, name, version: saved.version } };
}

async function main(): Promise<void> {
  const root = document.getElementById('app')!;
  document.body.classList.add('editor-page');
  let props: EditorProps;
  try {
    props = await load();
  } catch (err) {
    fill(root, h('p', { class: 'problem', role: 'alert' }, err instanceof ApiProblem ? err.message : String(err)));
    return;
  }
  createRoot(root).render(
    <ReactFlowProvider>
      <Editor {...props} />
    </ReactFlowProvider>,
  );
}

void mountProjectSwitcher();
void main();
