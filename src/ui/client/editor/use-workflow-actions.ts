/**
 * Saving, running, importing and exporting the graph: Save PUTs a version,
 * Run starts the saved version when nothing changed since (else the graph as
 * drawn), Import reads a definition file (laid out when it has no
 * positions), Export downloads the definition. `status` says what the last
 * of them did.
 */
import { useState } from 'react';
import { api } from '../api';
import { autoLayout } from './auto-layout';
import { hasLayout, toDefinition, toDocument, type Definition, type EditorDocument } from './model';
import type { Edit } from './use-document';

export interface WorkflowActionsDeps {
  doc: EditorDocument;
  definition: Definition;
  definitionJson: string;
  edit: Edit;
  /** The saved version the page opened, when it did. */
  initial?: { document: EditorDocument; name: string; version: string };
  /** Fits the view to the graph (after an import). */
  refit: () => void;
}

export function useWorkflowActions({ doc, definition, definitionJson, edit, initial, refit }: WorkflowActionsDeps) {
  const [status, setStatus] = useState<{ text: string; problem?: boolean }>({ text: initial ? `Version ${initial.version}` : 'A new workflow' });
  // The saved version this page opened counts as saved, as laid out on the page.
  const [saved, setSaved] = useState(() =>
    initial ? { name: initial.name, version: initial.version, json: JSON.stringify(toDefinition(initial.document)) } : undefined,
  );
  // The definition holds the name, so equal JSON is the same workflow, unchanged.
  const unchangedSinceSave = saved !== undefined && saved.json === definitionJson;

  const save = async () => {
    const name = doc.meta.name;
    if (!name) {
      setStatus({ text: 'Name the workflow before saving it.', problem: true });
      document.getElementById('workflow-name')?.focus();
      return;
    }
    try {
      const result = await api<{ version: string; created: boolean }>(`/v1/workflows/${encodeURIComponent(name)}`, { method: 'PUT', body: definition });
      setSaved({ name, version: result.version, json: definitionJson });
      setStatus({ text: result.created ? `Saved version ${result.version}` : `Unchanged: this is version ${result.version}` });
      const editPath = `/workflows/${encodeURIComponent(name)}/edit`;
      if (location.pathname !== editPath || location.search) history.replaceState(null, '', editPath);
      document.title = `Edit ${name} · Braid`;
    } catch (err) {
      setStatus({ text: `Not saved: ${err instanceof Error ? err.message : String(err)}`, problem: true });
    }
  };
  // The saved version when nothing changed since; otherwise the graph as drawn (a run of an unsaved draft).
  const startRun = async (input: unknown) => {
    const withInput = input !== undefined ? { input } : {};
    const started = unchangedSinceSave
      ? await api<{ runId: string }>(`/v1/workflows/${encodeURIComponent(saved.name)}/runs`, { method: 'POST', body: { version: saved.version, ...withInput } })
      : await api<{ runId: string }>('/v1/runs', { method: 'POST', body: { workflow: definition, ...withInput } });
    return started.runId;
  };
  const importFile = async (file: File) => {
    try {
      const raw: unknown = JSON.parse(await file.text());
      const imported = toDocument(raw);
      edit(() => (hasLayout(raw) ? imported : autoLayout(imported)));
      setStatus({ text: `Imported ${file.name}` });
      refit();
    } catch (err) {
      setStatus({ text: `Not imported: ${err instanceof Error ? err.message : String(err)}`, problem: true });
    }
  };
  const exportFile = () => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([`${JSON.stringify(definition, null, 2)}\n`], { type: 'application/json' }));
    a.download = `${doc.meta.name || 'workflow'}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1_000);
  };

  return { saved, status, unchangedSinceSave, save, startRun, importFile, exportFile };
}
