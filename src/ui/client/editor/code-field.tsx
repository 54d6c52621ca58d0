/**
 * A code node's `code` field: a CodeMirror 6 editor with JavaScript or
 * TypeScript highlighting, line numbers and undo, and the API's problems
 * (a syntax error's line and column) drawn at their place in the code. The
 * document stays the source of truth: each edit goes out through `onChange`,
 * and a value changed elsewhere (undo of the graph, a load) replaces the text.
 */
import { useEffect, useRef } from 'react';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import type { Diagnostic } from '@codemirror/lint';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers } from '@codemirror/view';
import type { FieldProblem } from './model';

export interface CodeFieldProps {
  id: string;
  value: string;
  language: 'javascript' | 'typescript';
  problems: readonly FieldProblem[];
  onChange: (code: string) => void;
}

const languageOf = (language: CodeFieldProps['language']) => javascript({ typescript: language === 'typescript' });

/** The API's problems with a line, as CodeMirror diagnostics (a column past the line's end marks its end). */
export function diagnosticsOf(state: EditorState, problems: readonly FieldProblem[]): Diagnostic[] {
  const doc = state.doc;
  return problems.map((p) => {
    const line = doc.line(Math.min(Math.max(1, p.line ?? 1), doc.lines));
    const from = Math.min(line.from + Math.max(0, (p.column ?? 1) - 1), line.to);
    return { from, to: Math.min(from + 1, line.to), severity: 'error', message: p.message };
  });
}

export function CodeField({ id, value, language, problems, onChange }: CodeFieldProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const lang = useRef(new Compartment());
  const latest = useRef(onChange);
  latest.current = onChange;

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          syntaxHighlighting(defaultHighlightStyle),
          lang.current.of(languageOf(language)),
          lintGutter(),
          // The page's Content-Security-Policy lets in only styles with its nonce: CodeMirror builds its own.
          EditorView.cspNonce.of(document.querySelector<HTMLMetaElement>('meta[name="style-nonce"]')?.content ?? ''),
          EditorView.contentAttributes.of({ id, 'aria-label': 'code' }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) latest.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is made once; the effects below follow the props.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: lang.current.reconfigure(languageOf(language)) });
  }, [language]);

  useEffect(() => {
    const v = view.current;
    if (v) v.dispatch(setDiagnostics(v.state, diagnosticsOf(v.state, problems)));
  }, [problems, value]);

  return <div className="code-editor" ref={host} data-code-editor="true" />;
}
