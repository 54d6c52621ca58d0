/** The editor's bar: the workflow's name, Save, Run…, undo and redo, auto-layout, import and export, and what the API and the last action said. */
import type { Validation } from './use-validation';

export interface ToolbarProps {
  name: string;
  onName: (name: string) => void;
  /** The API passed the graph as drawn: it may be saved and run. */
  canSubmit: boolean;
  onSave: () => void;
  onRun: () => void;
  canUndo: boolean;
  canRedo: boolean;
  onUndo: () => void;
  onRedo: () => void;
  canLayout: boolean;
  onLayout: () => void;
  onImport: (file: File) => void;
  onExport: () => void;
  validation: Validation;
  status: { text: string; problem?: boolean };
  /** The saved workflow's name, for the link to its runs. */
  savedName?: string;
}

export function Toolbar(p: ToolbarProps) {
  return (
    <div className="editor-bar">
      <input id="workflow-name" aria-label="Workflow name" placeholder="workflow-name" value={p.name} onChange={(e) => p.onName(e.target.value)} />
      <button id="editor-save" type="button" disabled={!p.canSubmit} onClick={p.onSave}>
        Save
      </button>
      <button id="editor-run" type="button" disabled={!p.canSubmit} onClick={p.onRun}>
        Run…
      </button>
      <span className="divider" />
      <button id="editor-undo" type="button" disabled={!p.canUndo} onClick={p.onUndo} title="Undo (Ctrl-Z)">
        Undo
      </button>
      <button id="editor-redo" type="button" disabled={!p.canRedo} onClick={p.onRedo} title="Redo (Ctrl-Shift-Z)">
        Redo
      </button>
      <button id="editor-layout" type="button" disabled={!p.canLayout} onClick={p.onLayout}>
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
          e.target.value = ''; // the same file again is a new import
          if (file) p.onImport(file);
        }}
      />
      <button id="editor-export" type="button" onClick={p.onExport}>
        Export
      </button>
      <span id="editor-validation" className={p.validation.problems.count > 0 ? 'problem' : 'hint'} data-state={p.validation.state}>
        {p.validation.text}
      </span>
      <span id="editor-status" role="status" className={p.status.problem ? 'problem' : 'hint'}>
        {p.status.text}
      </span>
      {p.savedName ? (
        <a id="editor-runs" href={`/runs?workflow=${encodeURIComponent(p.savedName)}`}>
          Runs of {p.savedName}
        </a>
      ) : null}
    </div>
  );
}
