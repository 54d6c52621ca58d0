/**
 * The editor's document with undo and redo (./history.ts): edits that undo
 * can take back, the keyboard shortcuts, and React Flow's change handlers
 * (moves and selection change the document without a step; a connection, a
 * drag and a delete are one step each).
 */
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { History } from './history';
import { edgeId, type EditorDocument, type FlowNode } from './model';

export type Edit = (change: (d: EditorDocument) => EditorDocument, key?: string) => void;

export function useUndoableDocument(initial: EditorDocument) {
  const [doc, setDocState] = useState(initial);
  const docRef = useRef(doc);
  const stack = useRef(new History<EditorDocument>()).current;
  const [, setTick] = useState(0);

  const setDoc = useCallback((next: EditorDocument | ((d: EditorDocument) => EditorDocument)) => {
    const value = typeof next === 'function' ? next(docRef.current) : next;
    docRef.current = value;
    setDocState(value);
  }, []);
  /** Keeps the document as it is now as a step to return to; a `key` equal to the last one within a second joins that step. */
  const checkpoint = useCallback(
    (key?: string) => {
      stack.record(docRef.current, key);
      setTick((t) => t + 1);
    },
    [stack],
  );
  /** Applies an edit that undo can take back. */
  const edit: Edit = useCallback(
    (change, key) => {
      checkpoint(key);
      setDoc(change);
    },
    [checkpoint, setDoc],
  );
  const step = useCallback(
    (back: boolean) => {
      const to = back ? stack.undo(docRef.current) : stack.redo(docRef.current);
      if (to) setDoc(to);
      setTick((t) => t + 1);
    },
    [stack, setDoc],
  );
  const undo = useCallback(() => step(true), [step]);
  const redo = useCallback(() => step(false), [step]);

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

  const canvas = {
    onNodesChange: useCallback((changes: NodeChange<FlowNode>[]) => setDoc((d) => ({ ...d, nodes: applyNodeChanges(changes, d.nodes) })), [setDoc]),
    onEdgesChange: useCallback((changes: EdgeChange[]) => setDoc((d) => ({ ...d, edges: applyEdgeChanges(changes, d.edges) })), [setDoc]),
    onConnect: useCallback(
      (c: Connection) =>
        edit((d) => {
          const id = edgeId(c.source, c.target, c.sourceHandle);
          if (d.edges.some((e) => e.id === id)) return d;
          return { ...d, edges: [...d.edges, { id, source: c.source, target: c.target, sourceHandle: c.sourceHandle ?? null, data: { generatedId: true } }] };
        }),
      [edit],
    ),
    // A delete (nodes with their edges) and a drag are one step each.
    onBeforeDelete: useCallback(async () => {
      checkpoint();
      return true;
    }, [checkpoint]),
    onNodeDragStart: useCallback(() => checkpoint(), [checkpoint]),
  };

  return { doc, docRef, setDoc, edit, undo, redo, canUndo: stack.canUndo, canRedo: stack.canRedo, canvas };
}
