/**
 * The graph editor: a palette of the API's node types, a React Flow canvas,
 * and a side panel with the selected node's form (or the graph's name and
 * settings). Every change is validated by the API (./use-validation.ts); its
 * problems show on the nodes and at their fields, and a graph with problems
 * cannot be saved or run. Undo/redo keep whole documents (./use-document.ts).
 */
import { Background, Controls, MiniMap, ReactFlow, useNodesInitialized, useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { autoLayout } from './auto-layout';
import { BraidNode, CanvasInfo, marked, NODE_HEIGHT, NODE_WIDTH, type LastRun } from './braid-node';
import { lastRunOf } from './last-run';
import { EMPTY_DOCUMENT, initialData, newNodeId, toDefinition, type EditorDocument, type FlowNode, type NodeTypeView } from './model';
import { DRAG_TYPE, Palette } from './palette';
import { Inspector, type DefinitionSchemas } from './panels';
import { RunDialog } from './run-dialog';
import { Toolbar } from './toolbar';
import { useUndoableDocument } from './use-document';
import { useValidation } from './use-validation';
import { useWorkflowActions } from './use-workflow-actions';

const nodeTypes = { braid: BraidNode };

export interface EditorProps {
  catalog: NodeTypeView[];
  schemas: DefinitionSchemas;
  /** The saved workflow being edited, when there is one. */
  initial?: { document: EditorDocument; name: string; version: string };
}

export function Editor({ catalog, schemas, initial }: EditorProps) {
  const flow = useReactFlow<FlowNode>();
  const byType = useMemo(() => new Map(catalog.map((t) => [t.type, t])), [catalog]);
  const { doc, docRef, edit, undo, redo, canUndo, canRedo, canvas } = useUndoableDocument(initial?.document ?? EMPTY_DOCUMENT);
  const definition = useMemo(() => toDefinition(doc), [doc]);
  const definitionJson = useMemo(() => JSON.stringify(definition), [definition]);
  const validation = useValidation(definitionJson);
  const { problems } = validation;
  const runDialog = useRef<HTMLDialogElement>(null);
  const refit = useCallback(() => requestAnimationFrame(() => void flow.fitView({ padding: 0.2 })), [flow]);
  const { saved, status, unchangedSinceSave, save, startRun, importFile, exportFile } = useWorkflowActions({
    doc,
    definition,
    definitionJson,
    edit,
    initial,
    refit,
  });
  const canSubmit = validation.upToDate && problems.count === 0 && doc.nodes.length > 0;

  useFitOnOpen(initial !== undefined);
  const lastRun = useLastRun(saved?.name, docRef);
  const addNode = useAddNode(byType, edit);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    const type = event.dataTransfer.getData(DRAG_TYPE);
    if (type) addNode(type, { x: event.clientX, y: event.clientY });
  };
  // Without a mouse: a palette item clicked is added at the middle of the view.
  const addAtCentre = (type: string) => {
    const box = document.querySelector('.canvas')!.getBoundingClientRect();
    addNode(type, { x: box.left + box.width / 2, y: box.top + box.height / 2 });
  };
  const context = useMemo(() => ({ catalog: byType, problems, lastRun }), [byType, problems, lastRun]);
  const shown = useMemo(() => marked(doc.nodes, doc.edges, problems, lastRun), [doc.nodes, doc.edges, problems, lastRun]);

  return (
    <CanvasInfo.Provider value={context}>
      <div className="editor">
        <Toolbar
          name={doc.meta.name}
          onName={(name) => edit((d) => ({ ...d, meta: { ...d.meta, name } }), 'meta.name')}
          canSubmit={canSubmit}
          onSave={() => void save()}
          onRun={() => runDialog.current?.showModal()}
          canUndo={canUndo}
          canRedo={canRedo}
          onUndo={undo}
          onRedo={redo}
          canLayout={doc.nodes.length > 0}
          onLayout={() => {
            edit(autoLayout);
            refit();
          }}
          onImport={(file) => void importFile(file)}
          onExport={exportFile}
          validation={validation}
          status={status}
          savedName={saved?.name}
        />
        <div className="editor-body">
          <Palette catalog={catalog} onAdd={addAtCentre} />
          <div className="canvas" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
            <ReactFlow<FlowNode>
              nodes={shown.nodes}
              edges={shown.edges}
              nodeTypes={nodeTypes}
              {...canvas}
              deleteKeyCode={['Delete', 'Backspace']}
              proOptions={{ hideAttribution: true }}
            >
              <Background />
              <MiniMap pannable zoomable />
              <Controls />
            </ReactFlow>
          </div>
          <Inspector doc={doc} catalog={byType} schemas={schemas} problems={problems} lastRun={lastRun} edit={edit} />
        </div>
        <RunDialog
          dialog={runDialog}
          title={`Run ${doc.meta.name || 'this graph'}`}
          hint={unchangedSinceSave && saved ? `Runs saved version ${saved.version}.` : 'Runs the graph as drawn (not saved).'}
          start={startRun}
        />
      </div>
    </CanvasInfo.Provider>
  );
}

/** An opened graph is fitted to the view once its nodes have their sizes; a new one keeps the view still while nodes are dropped on it. */
function useFitOnOpen(opened: boolean): void {
  const flow = useReactFlow<FlowNode>();
  const nodesInitialized = useNodesInitialized();
  const fitted = useRef(!opened);
  useEffect(() => {
    if (!nodesInitialized || fitted.current) return;
    fitted.current = true;
    void flow.fitView({ padding: 0.15, maxZoom: 1.2 });
  }, [nodesInitialized, flow]);
}

/** The last run of the saved workflow: durations on the nodes, its critical path outlined. */
function useLastRun(workflowName: string | undefined, docRef: { readonly current: EditorDocument }): LastRun | undefined {
  const [lastRun, setLastRun] = useState<LastRun | undefined>();
  useEffect(() => {
    if (!workflowName) return;
    let live = true;
    lastRunOf(workflowName, toDefinition(docRef.current))
      .then((run) => live && setLastRun(run))
      .catch(() => undefined); // the drawing is a hint; the editor works without it
    return () => {
      live = false;
    };
  }, [workflowName, docRef]);
  return lastRun;
}

/** Adds a node of `type` centred at a point of the screen, selected alone. */
function useAddNode(byType: ReadonlyMap<string, NodeTypeView>, edit: (change: (d: EditorDocument) => EditorDocument) => void) {
  const flow = useReactFlow<FlowNode>();
  return useCallback(
    (type: string, at: { x: number; y: number }) => {
      const p = flow.screenToFlowPosition(at);
      const data = initialData(byType.get(type));
      edit((d) => {
        const node: FlowNode = {
          id: newNodeId(type, new Set(d.nodes.map((n) => n.id))),
          type: 'braid',
          position: { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 },
          selected: true,
          data: { node: { type, ...(Object.keys(data).length > 0 ? { data } : {}) } },
        };
        return {
          ...d,
          nodes: [...d.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node],
          edges: d.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        };
      });
    },
    [byType, edit, flow],
  );
}
