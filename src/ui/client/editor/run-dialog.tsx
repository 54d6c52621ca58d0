/** Run…: the input (JSON, the output of every trigger), then the new run's page. */
import { useState, type RefObject } from 'react';
import { runPagePath } from '../api';

export interface RunDialogProps {
  dialog: RefObject<HTMLDialogElement | null>;
  title: string;
  hint: string;
  /** Starts the run with the input (undefined: none given); its run id. */
  start: (input: unknown) => Promise<string>;
}

export function RunDialog({ dialog, title, hint, start }: RunDialogProps) {
  const [input, setInput] = useState('{}');
  const [problem, setProblem] = useState('');
  const [running, setRunning] = useState(false);
  const run = async () => {
    let value: unknown;
    try {
      value = input.trim() === '' ? undefined : JSON.parse(input);
    } catch {
      setProblem('The input is not valid JSON.');
      return;
    }
    setProblem('');
    setRunning(true);
    try {
      location.assign(runPagePath(await start(value)));
    } catch (err) {
      setProblem(`Not started: ${err instanceof Error ? err.message : String(err)}`);
      setRunning(false);
    }
  };
  return (
    <dialog ref={dialog} className="run-dialog" id="run-dialog">
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <h2>{title}</h2>
        <p className="hint">{hint}</p>
        <label htmlFor="run-input">Input (JSON: the output of every trigger)</label>
        <textarea id="run-input" className="json" rows={6} spellCheck={false} value={input} onChange={(e) => setInput(e.target.value)} />
        {problem ? (
          <p className="problem" role="alert">
            {problem}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button id="run-start" type="submit" disabled={running}>
            Start run
          </button>
        </div>
      </form>
    </dialog>
  );
}
