/**
 * Validation as you edit: the graph goes to POST /v1/workflows/validate a
 * moment after the last change; the API's problems are placed on nodes,
 * edges and the graph. The last problems stay shown while a newer check runs.
 */
import { useEffect, useState } from 'react';
import { api, ApiProblem } from '../api';
import { NO_PROBLEMS, placeProblems, type Definition, type PlacedProblems } from './model';

const VALIDATE_DEBOUNCE_MS = 400;

/** The API's last answer: the definition it judged and its problems, or why it could not be asked. */
interface Answer {
  sent?: string;
  problems: PlacedProblems;
  unreachable?: string;
}

export interface Validation {
  problems: PlacedProblems;
  /** The API has judged the graph as it is now. */
  upToDate: boolean;
  state: 'checking' | 'valid' | 'invalid';
  text: string;
}

export function useValidation(definitionJson: string): Validation {
  const [answer, setAnswer] = useState<Answer>({ problems: NO_PROBLEMS });
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      const definition = JSON.parse(definitionJson) as Definition;
      api('/v1/workflows/validate', { method: 'POST', body: definition })
        .then(() => !controller.signal.aborted && setAnswer({ problems: NO_PROBLEMS, sent: definitionJson }))
        .catch((err: unknown) => {
          if (controller.signal.aborted) return;
          if (err instanceof ApiProblem && err.status === 422) setAnswer({ problems: placeProblems(err.errors, definition), sent: definitionJson });
          else setAnswer((a) => ({ ...a, unreachable: err instanceof Error ? err.message : String(err) }));
        });
    }, VALIDATE_DEBOUNCE_MS);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [definitionJson]);

  const { problems } = answer;
  const upToDate = answer.sent === definitionJson;
  const state = !upToDate ? 'checking' : problems.count > 0 ? 'invalid' : 'valid';
  const text =
    answer.unreachable !== undefined
      ? `Cannot validate: ${answer.unreachable}`
      : state === 'checking'
        ? 'Checking…'
        : state === 'valid'
          ? 'Valid'
          : `${problems.count} problem${problems.count === 1 ? '' : 's'}`;
  return { problems, upToDate, state, text };
}
