/**
 * A form from a JSON Schema (as the API gives it: node types' `dataSchema`,
 * and the definition's own node and settings fields from /openapi.json).
 * Each field gets the input its schema calls for — text, number, a select
 * for an enum, yes/no, a nested group for an object with known fields, JSON
 * for the rest — and the API's problem at its path. A `{% … %}` value shows
 * an expression marker; a field whose schema takes an expression can be
 * switched to one.
 *
 * The form does not validate: the API does (debounced, src/ui/client/editor/editor.tsx),
 * so what the page says is what a save would say. No schema compiler runs in
 * the page (they generate code, which the pages' CSP forbids).
 */
import { lazy, Suspense, useEffect, useId, useState } from 'react';
import { isExpression } from '../../../graph/expression-syntax';
import type { FieldProblem } from './model';
import { fieldKind, type JsonSchema } from './schema-fields';

/** The code editor (CodeMirror, a third of the editor's script) loads when a code node is first shown. */
const CodeField = lazy(() => import('./code-field').then((m) => ({ default: m.CodeField })));

export type { JsonSchema } from './schema-fields';

export interface SchemaFormProps {
  schema: JsonSchema;
  value: Record<string, unknown>;
  /** Where this form's fields sit in the node (`data`) or graph (`settings`); '' at the top. */
  path: string;
  /** Problems of the node or graph, by field path. */
  problems: readonly FieldProblem[];
  onChange: (path: string, value: unknown) => void;
  /** Fields not drawn (the node's label sits in its own input). */
  omit?: readonly string[];
  /** The field that holds source code (a code node's `code`), drawn as a code editor in this language. */
  code?: { field: string; language: 'javascript' | 'typescript' };
}

export function SchemaForm({ schema, value, path, problems, onChange, omit = [], code }: SchemaFormProps) {
  const entries = Object.entries(schema.properties ?? {}).filter(([key]) => !omit.includes(key));
  if (entries.length === 0) return <p className="hint">No fields.</p>;
  return (
    <>
      {entries.map(([key, prop]) => (
        <Field
          key={key}
          name={key}
          schema={prop}
          required={schema.required?.includes(key) ?? false}
          value={value[key]}
          path={path ? `${path}.${key}` : key}
          problems={problems}
          onChange={onChange}
          {...(code?.field === key ? { language: code.language } : {})}
        />
      ))}
    </>
  );
}

interface FieldProps {
  name: string;
  schema: JsonSchema;
  required: boolean;
  value: unknown;
  path: string;
  problems: readonly FieldProblem[];
  onChange: (path: string, value: unknown) => void;
  /** Source code in this language: a code editor instead of a text input. */
  language?: 'javascript' | 'typescript';
}

function Field({ name, schema, required, value, path, problems, onChange, language }: FieldProps) {
  const id = useId();
  const kind = fieldKind(schema);
  const own = problems.filter((p) => p.field === path);
  const expression = isExpression(value);
  const set = (v: unknown) => onChange(path, v);
  if (kind.kind === 'object') {
    const problemsHere = problems.filter((p) => p.field === path || p.field.startsWith(`${path}.`));
    return (
      <fieldset className="field-group" data-field={path} data-invalid={problemsHere.length > 0 ? 'true' : undefined}>
        <legend>{name}</legend>
        <Messages problems={own} />
        <SchemaForm schema={kind.schema} value={isObject(value) ? value : {}} path={path} problems={problems} onChange={onChange} />
      </fieldset>
    );
  }
  const switchable = (kind.kind === 'number' || kind.kind === 'select' || kind.kind === 'boolean') && kind.expression;
  let input;
  if (language) {
    input = (
      <Suspense fallback={<p className="hint">Loading the code editor…</p>}>
        <CodeField
          id={id}
          value={typeof value === 'string' ? value : ''}
          language={language}
          problems={own}
          onChange={(code) => set(code === '' ? undefined : code)}
        />
      </Suspense>
    );
  } else if (expression || kind.kind === 'text') {
    input = (
      <input
        id={id}
        type="text"
        value={typeof value === 'string' ? value : value === undefined ? '' : String(value)}
        onChange={(e) => set(e.target.value === '' ? undefined : e.target.value)}
      />
    );
  } else if (kind.kind === 'number') {
    input = (
      <input
        id={id}
        type="number"
        step={kind.integer ? 1 : 'any'}
        min={kind.min}
        max={kind.max}
        value={typeof value === 'number' ? value : ''}
        onChange={(e) => set(e.target.value === '' ? undefined : Number(e.target.value))}
      />
    );
  } else if (kind.kind === 'select' || kind.kind === 'boolean') {
    const options = kind.kind === 'select' ? kind.options : ['true', 'false'];
    const decode = (s: string) => (s === '' ? undefined : kind.kind === 'boolean' ? s === 'true' : s);
    input = (
      <select id={id} value={value === undefined ? '' : String(value)} onChange={(e) => set(decode(e.target.value))}>
        <option value="">{schema.default !== undefined ? `(default: ${String(schema.default)})` : '(not set)'}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else {
    input = <JsonInput id={id} value={value} onChange={set} />;
  }
  return (
    <div className="field" data-field={path} data-invalid={own.length > 0 ? 'true' : undefined}>
      <label htmlFor={id}>
        {name}
        {required ? (
          <span className="required" title="required">
            {' '}
            *
          </span>
        ) : null}
        {expression ? (
          <span className="expression-marker" data-expression="true" title="An expression, evaluated when the node runs">
            ƒx
          </span>
        ) : null}
      </label>
      <div className="field-input">
        {input}
        {switchable ? (
          <button
            type="button"
            className="to-expression"
            title={expression ? 'Back to a plain value' : 'Write an expression instead'}
            onClick={() => set(expression ? undefined : '{%  %}')}
          >
            ƒx
          </button>
        ) : null}
      </div>
      <Messages problems={own} />
    </div>
  );
}

function Messages({ problems }: { problems: readonly FieldProblem[] }) {
  if (problems.length === 0) return null;
  return (
    <ul className="field-problems" data-field-error="true">
      {problems.map((p, i) => (
        <li key={i}>{p.message}</li>
      ))}
    </ul>
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const showJson = (value: unknown) => (value === undefined ? '' : JSON.stringify(value, null, 2));

/** JSON typed in a text area: applied when it parses, said so when it does not. */
function JsonInput({ id, value, onChange }: { id: string; value: unknown; onChange: (v: unknown) => void }) {
  const [text, setText] = useState(() => showJson(value));
  const [bad, setBad] = useState(false);
  // Follow the value when it changes from outside (undo, import), not while the text is being typed.
  useEffect(() => {
    setText((current) => {
      try {
        if (current.trim() !== '' && JSON.stringify(JSON.parse(current)) === JSON.stringify(value)) return current;
      } catch {
        /* typed text that does not parse: replaced by the value */
      }
      return showJson(value);
    });
    setBad(false);
  }, [value]);
  return (
    <>
      <textarea
        id={id}
        className="json"
        spellCheck={false}
        rows={Math.min(8, Math.max(2, text.split('\n').length))}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '') {
            setBad(false);
            onChange(undefined);
            return;
          }
          try {
            const parsed: unknown = JSON.parse(e.target.value);
            setBad(false);
            onChange(parsed);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad ? <p className="field-problems">Not valid JSON yet: the node keeps its last valid value.</p> : null}
    </>
  );
}
