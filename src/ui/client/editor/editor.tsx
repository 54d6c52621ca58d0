/**
 * The graph editor: a palette of the API's node types, a React Flow canvas,
 * and a side panel with the selected node's form (or the graph's name and
 * settings). Every change is validated by the API (debounced); its problems
 * show on the nodes and at their fields, and a graph with problems cannot be
 * saved or run. Undo/redo keep whole documents (./history.ts).
 */
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  applyEdgeChanges,
  applyNodeChanges,
  useNodesInitialized,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { api, ApiProblem, runPagePath } from '../api';
import { BraidNode, CanvasInfo, NODE_HEIGHT, NODE_WIDTH, type LastRun } from './braid-node';
import { History } from './history';
import { autoLayout } from './auto-layout';
import {
  EMPTY_DOCUMENT,
  NO_PROBLEMS,
  edgeId,
  hasLayout,
  initialData,
  newNodeId,
  placeProblems,
  renameNode,
  setIn,
  setNodeField,
  toDefinition,
  toDocument,
  type EditorDocument,
  type FlowNode,
  type NodeTypeView,
  type PlacedProblems,
} from './model';
import { GraphPanel, NodePanel, type DefinitionSchemas } from './panels';
import { lastRunOf } from './last-run';

const VALIDATE_DEBOUNCE_MS = 400;
const DRAG_TYPE = 'application/x-braid-node-type';
const nodeTypes = { braid: BraidNode };

export interface EditorProps {
  catalog: NodeTypeView[];
  schemas: DefinitionSchemas;
  /** The saved workflow being edited, when there is one. */
  initial?: { document: EditorDocument; name: string; version: string };
}

/** The API's last answer: the definition it judged and its problems (kept on show while a newer check runs), or why it could not be asked. */
interface Validation {
  sent?: string;
  problems: PlacedProblems;
  unreachable?: string;
}

export function Editor({ catalog, schemas, initial }: EditorProps) {
  const flow = useReactFlow<FlowNode>();
  const byType = useMemo(() => new Map(catalog.map((t) => [t.type, t])), [catalog]);
  const [doc, setDocState] = useState<EditorDocument>(initial?.document ?? EMPTY_DOCUMENT);
  const docRef = useRef(doc);
  const undoStack = useRef(new History<EditorDocument>()).current;
  const [, setHistoryTick] = useState(0);
  const [status, setStatus] = useState<{ text: string; problem?: boolean }>({ text: initial ? `Version ${initial.version}` : 'A new workflow' });
  const [saved, setSaved] = useState<{ name: string; version: string; json: string } | undefined>();
  const [validation, setValidation] = useState<Validation>({ problems: NO_PROBLEMS });
  const [lastRun, setLastRun] = useState<LastRun | undefined>();
  const [running, setRunning] = useState(false);
  const runDialog = useRef<HTMLDialogElement>(null);
  const [runInput, setRunInput] = useState('{}');
  const [runInputProblem, setRunInputProblem] = useState('');

  const setDoc = useCallback((next: EditorDocument | ((d: EditorDocument) => EditorDocument)) => {
    const value = typeof next === 'function' ? next(docRef.current) : next;
    docRef.current = value;
    setDocState(value);
  }, []);
  /** Applies an edit that undo can take back; `key` joins quick edits of one field into one step. */
  const edit = useCallback(
    (change: (d: EditorDocument) => EditorDocument, key?: string) => {
      undoStack.record(docRef.current, key);
      setDoc(change);
      setHistoryTick((t) => t + 1);
    },
    [undoStack, setDoc],
  );

  // An opened graph is fitted to the view once its nodes have their sizes; a new one keeps the view still while nodes are dropped on it.
  const nodesInitialized = useNodesInitialized();
  const fitted = useRef(initial === undefined);
  useEffect(() => {
    if (!nodesInitialized || fitted.current) return;
    fitted.current = true;
    void flow.fitView({ padding: 0.15, maxZoom: 1.2 });
  }, [nodesInitialized, flow]);

  const definition = useMemo(() => toDefinition(doc), [doc]);
  const definitionJson = useMemo(() => JSON.stringify(definition), [definition]);

  // The saved version this page opened counts as saved, once laid out as the page shows it.
  useEffect(() => {
    if (initial) setSaved({ name: initial.name, version: initial.version, json: JSON.stringify(toDefinition(docRef.current)) });
  }, [initial]);

  // Validation as you edit: the API's answer, a moment after the last change.
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api('/v1/workflows/validate', { method: 'POST', body: JSON.parse(definitionJson) as unknown })
        .then(() => !controller.signal.aborted && setValidation({ problems: NO_PROBLEMS, sent: definitionJson }))
        .catch((err: unknown) => {
          if (controller.signal.aborted) return;
          if (err instanceof ApiProblem && err.status === 422) {
            setValidation({ problems: placeProblems(err.errors, JSON.parse(definitionJson)), sent: definitionJson });
          } else setValidation((v) => ({ ...v, unreachable: err instanceof Error ? err.message : String(err) }));
        });
    }, VALIDATE_DEBOUNCE_MS);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [definitionJson]);

  const problems = validation.problems;
  const upToDate = validation.sent === definitionJson;
  const canSubmit = upToDate && problems.count === 0 && doc.nodes.length > 0;
  const unchangedSinceSave = saved !== undefined && saved.json === definitionJson && saved.name === doc.meta.name;

  // The last run of the saved workflow: durations on the nodes, its critical path outlined.
  const workflowName = saved?.name;
  useEffect(() => {
    if (!workflowName) return;
    let live = true;
    lastRunOf(workflowName, toDefinition(docRef.current))
      .then((run) => live && setLastRun(run))
      .catch(() => undefined); // the drawing is a hint; the editor works without it
    return () => {
      live = false;
    };
  }, [workflowName]);

  const shown = useMemo(
    () =>
      doc.nodes.map((n): FlowNode => {
        const invalid = problems.nodes.has(n.id);
        const critical = lastRun?.critical.has(n.id) ?? false;
        if (!invalid && !critical) return n;
        return {
          ...n,
          className: [invalid ? 'invalid' : '', critical ? 'critical' : ''].join(' ').trim(),
          // React Flow's node element itself carries the marks (data-* attributes are HTML attributes; its type lists only named ones).
          domAttributes: { ...(invalid ? { 'data-invalid': 'true' } : {}), ...(critical ? { 'data-critical': 'true' } : {}) } as FlowNode['domAttributes'],
        };
      }),
    [doc.nodes, problems, lastRun],
  );
  const shownEdges = useMemo(
    () =>
      doc.edges.map((e) => {
        const invalid = problems.edges.has(e.id);
        const critical = lastRun !== undefined && lastRun.critical.has(e.source) && lastRun.critical.has(e.target);
        if (!invalid && !critical) return e;
        return { ...e, className: [invalid ? 'invalid' : '', critical ? 'critical' : ''].join(' ').trim() };
      }),
    [doc.edges, problems, lastRun],
  );

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => setDoc((d) => ({ ...d, nodes: applyNodeChanges(changes, d.nodes) })), [setDoc]);
  const onEdgesChange = useCallback((changes: EdgeChange[]) => setDoc((d) => ({ ...d, edges: applyEdgeChanges(changes, d.edges) })), [setDoc]);
  const onConnect = useCallback(
    (c: Connection) =>
      edit((d) => {
        const id = edgeId(c.source, c.target, c.sourceHandle);
        if (d.edges.some((e) => e.id === id)) return d;
        return { ...d, edges: [...d.edges, { id, source: c.source, target: c.target, sourceHandle: c.sourceHandle ?? null, data: { generatedId: true } }] };
      }),
    [edit],
  );
  const onBeforeDelete = useCallback(async () => {
    undoStack.record(docRef.current);
    setHistoryTick((t) => t + 1);
    return true;
  }, [undoStack]);
  const onNodeDragStart = useCallback(() => {
    undoStack.record(docRef.current);
    setHistoryTick((t) => t + 1);
  }, [undoStack]);

  const addNode = useCallback(
    (type: string, position: { x: number; y: number }) => {
      const view = byType.get(type);
      edit((d) => {
        const id = newNodeId(type, new Set(d.nodes.map((n) => n.id)));
        const data = initialData(view);
        const node: FlowNode = {
          id,
          type: 'braid',
          position,
          selected: true,
          data: { node: { type, ...(Object.keys(data).length > 0 ? { data } : {}) } },
        };
        return { ...d, nodes: [...d.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node], edges: d.edges.map((e) => (e.selected ? { ...e, selected: false } : e)) };
      });
    },
    [byType, edit],
  );
  const onDrop = useCallback(
    (event: DragEvent) => {
      event.preventDefault();
      const type = event.dataTransfer.getData(DRAG_TYPE);
      if (!type) return;
      const p = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addNode(type, { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 });
    },
    [flow, addNode],
  );

  const undo = useCallback(() => {
    const previous = undoStack.undo(docRef.current);
    if (previous) setDoc(previous);
    setHistoryTick((t) => t + 1);
  }, [undoStack, setDoc]);
  const redo = useCallback(() => {
    const next = undoStack.redo(docRef.current);
    if (next) setDoc(next);
    setHistoryTick((t) => t + 1);
  }, [undoStack, setDoc]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey)) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return; // the field's own undo
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) undo();
      else if ((key === 'z' && e.shiftKey) || key === 'y') redo();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [undo, redo]);

  const layout = useCallback(() => {
    edit((d) => autoLayout(d));
    requestAnimationFrame(() => void flow.fitView({ padding: 0.2 }));
  }, [edit, flow]);

  const save = useCallback(async () => {
    const name = docRef.current.meta.name;
    if (!name) {
      setStatus({ text: 'Name the workflow before saving it.', problem: true });
      document.getElementById('workflow-name')?.focus();
      return;
    }
    try {
      const result = await api<{ version: string; created: boolean }>(`/v1/workflows/${encodeURIComponent(name)}`, { method: 'PUT', body: JSON.parse(definitionJson) as unknown });
      setSaved({ name, version: result.version, json: definitionJson });
      setStatus({ text: result.created ? `Saved version ${result.version}` : `Unchanged: this is version ${result.version}` });
      const editPath = `/workflows/${encodeURIComponent(name)}/edit`;
      if (location.pathname !== editPath || location.search) history.replaceState(null, '', editPath);
      document.title = `Edit ${name} · Braid`;
    } catch (err) {
      setStatus({ text: `Not saved: ${err instanceof Error ? err.message : String(err)}`, problem: true });
    }
  }, [definitionJson]);

  const run = useCallback(async () => {
    let input: unknown;
    try {
      input = runInput.trim() === '' ? undefined : JSON.parse(runInput);
    } catch {
      setRunInputProblem('The input is not valid JSON.');
      return;
    }
    setRunInputProblem('');
    setRunning(true);
    try {
      // The saved version when nothing changed since; otherwise the graph as drawn (a run of an unsaved draft).
      const started = unchangedSinceSave
        ? await api<{ runId: string }>(`/v1/workflows/${encodeURIComponent(saved.name)}/runs`, { method: 'POST', body: { version: saved.version, ...(input !== undefined ? { input } : {}) } })
        : await api<{ runId: string }>('/v1/runs', { method: 'POST', body: { workflow: JSON.parse(definitionJson) as unknown, ...(input !== undefined ? { input } : {}) } });
      location.assign(runPagePath(started.runId));
    } catch (err) {
      setRunInputProblem(`Not started: ${err instanceof Error ? err.message : String(err)}`);
      setRunning(false);
    }
  }, [runInput, unchangedSinceSave, saved, definitionJson]);

  const importFile = useCallback(
    async (file: File) => {
      try {
        const raw: unknown = JSON.parse(await file.text());
        const imported = toDocument(raw);
        const laidOut = hasLayout(raw) ? imported : autoLayout(imported);
        edit(() => laidOut);
        setStatus({ text: `Imported ${file.name}` });
        requestAnimationFrame(() => void flow.fitView({ padding: 0.2 }));
      } catch (err) {
        setStatus({ text: `Not imported: ${err instanceof Error ? err.message : String(err)}`, problem: true });
      }
    },
    [edit, flow],
  );
  const exportFile = useCallback(() => {
    const blob = new Blob([`${JSON.stringify(JSON.parse(definitionJson), null, 2)}\n`], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${docRef.current.meta.name || 'workflow'}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1_000);
  }, [definitionJson]);

  const selected = doc.nodes.filter((n) => n.selected);
  const selectedNode = selected.length === 1 ? selected[0] : undefined;
  const validationText =
    validation.unreachable !== undefined
      ? `Cannot validate: ${validation.unreachable}`
      : !upToDate
        ? 'Checking…'
        : problems.count === 0
          ? 'Valid'
          : `${problems.count} problem${problems.count === 1 ? '' : 's'}`;
  const context = useMemo(() => ({ catalog: byType, problems, lastRun }), [byType, problems, lastRun]);
  const palette = useMemo(() => groupByCategory(catalog), [catalog]);

  return (
    <CanvasInfo.Provider value={context}>
      <div className="editor">
        <div className="editor-bar">
          <input
            id="workflow-name"
            aria-label="Workflow name"
            placeholder="workflow-name"
            value={doc.meta.name}
            onChange={(e) => {
              const name = e.target.value;
              edit((d) => ({ ...d, meta: { ...d.meta, name } }), 'meta.name');
            }}
          />
          <button id="editor-save" type="button" disabled={!canSubmit} onClick={() => void save()}>
            Save
          </button>
          <button id="editor-run" type="button" disabled={!canSubmit} onClick={() => runDialog.current?.showModal()}>
            Run…
          </button>
          <span className="divider" />
          <button id="editor-undo" type="button" disabled={!undoStack.canUndo} onClick={undo} title="Undo (Ctrl-Z)">
            Undo
          </button>
          <button id="editor-redo" type="button" disabled={!undoStack.canRedo} onClick={redo} title="Redo (Ctrl-Shift-Z)">
            Redo
          </button>
          <button id="editor-layout" type="button" onClick={layout} disabled={doc.nodes.length === 0}>
            Auto-layout
          </button>
          <label className="button" htmlFor="editor-import">
            Import
          </label>
          <input
            id="editor-import"
            type="file"
            accept="application/json,.json"
            hidden
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void importFile(file);
            }}
          />
          <button id="editor-export" type="button" onClick={exportFile}>
            Export
          </button>
          <span id="editor-validation" className={problems.count > 0 ? 'problem' : 'hint'} data-state={upToDate ? (problems.count > 0 ? 'invalid' : 'valid') : 'checking'}>
            {validationText}
          </span>
          <span id="editor-status" role="status" className={status.problem ? 'problem' : 'hint'}>
            {status.text}
          </span>
          {saved ? (
            <a id="editor-runs" href={`/runs?workflow=${encodeURIComponent(saved.name)}`}>
              Runs of {saved.name}
            </a>
          ) : null}
        </div>
        <div className="editor-body">
          <aside className="palette" aria-label="Node types">
            {palette.map(([category, types]) => (
              <section key={category}>
                <h3>{category}</h3>
                {types.map((t) => (
                  <button
                    key={t.type}
                    type="button"
                    className="palette-item"
                    data-node-type={t.type}
                    draggable
                    title={t.description}
                    onDragStart={(e) => {
                      e.dataTransfer.setData(DRAG_TYPE, t.type);
                      e.dataTransfer.effectAllowed = 'move';
                    }}
                    onClick={() => {
                      // Without a mouse: added at the middle of the view.
                      const box = document.querySelector('.canvas')!.getBoundingClientRect();
                      const p = flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 });
                      addNode(t.type, { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 });
                    }}
                  >
                    {t.label}
                    {t.custom ? <span className="custom-mark">custom</span> : null}
                  </button>
                ))}
              </section>
            ))}
          </aside>
          <div className="canvas" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
            <ReactFlow<FlowNode>
              nodes={shown}
              edges={shownEdges}
              nodeTypes={nodeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              onBeforeDelete={onBeforeDelete}
              onNodeDragStart={onNodeDragStart}
              deleteKeyCode={['Delete', 'Backspace']}
              proOptions={{ hideAttribution: true }}
            >
              <Background />
              <MiniMap pannable zoomable />
              <Controls />
            </ReactFlow>
          </div>
          <aside className="inspector">
            {selectedNode ? (
              <NodePanel
                key={selectedNode.id}
                node={selectedNode}
                view={byType.get(selectedNode.data.node.type)}
                schemas={schemas}
                problems={problems.nodes.get(selectedNode.id) ?? []}
                taken={new Set(doc.nodes.map((n) => n.id))}
                lastRunMs={lastRun?.durations.get(selectedNode.id)}
                onField={(path, value) => edit((d) => setNodeField(d, selectedNode.id, path, value), `${selectedNode.id}.${path}`)}
                onRename={(to) => edit((d) => renameNode(d, selectedNode.id, to))}
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
        </div>
        <dialog ref={runDialog} className="run-dialog" id="run-dialog">
          <form
            method="dialog"
            onSubmit={(e) => {
              e.preventDefault();
              void run();
            }}
          >
            <h2>Run {doc.meta.name || 'this graph'}</h2>
            <p className="hint">{unchangedSinceSave ? `Runs saved version ${saved?.version}.` : 'Runs the graph as drawn (not saved).'}</p>
            <label htmlFor="run-input">Input (JSON: the output of every trigger)</label>
            <textarea id="run-input" className="json" rows={6} spellCheck={false} value={runInput} onChange={(e) => setRunInput(e.target.value)} />
            {runInputProblem ? <p className="problem" role="alert">{runInputProblem}</p> : null}
            <div className="dialog-actions">
              <button type="button" onClick={() => runDialog.current?.close()}>
                Cancel
              </button>
              <button id="run-start" type="submit" disabled={running}>
                Start run
              </button>
            </div>
          </form>
        </dialog>
      </div>
    </CanvasInfo.Provider>
  );
}

const CATEGORY_ORDER = ['trigger', 'action', 'logic', 'wait', 'compose'];

function groupByCategory(catalog: readonly NodeTypeView[]): [string, NodeTypeView[]][] {
  const groups = new Map<string, NodeTypeView[]>();
  for (const t of catalog) groups.set(t.category, [...(groups.get(t.category) ?? []), t]);
  return [...groups].sort(([a], [b]) => CATEGORY_ORDER.indexOf(a) - CATEGORY_ORDER.indexOf(b));
}
