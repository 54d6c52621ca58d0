/**
 * The layout off the page's main thread: a 1,000-node graph takes most of a
 * second to lay out, and the tab stays responsive meanwhile. Answers the
 * layout, or `{ error }` so the page can fall back to laying out itself.
 */
import { layoutGraph } from './layout';
import type { LayoutRequest, LayoutResult } from './types';

const scope = self as unknown as { onmessage: ((e: MessageEvent<LayoutRequest>) => void) | null; postMessage(r: LayoutResult | { error: string }): void };

scope.onmessage = (e) => {
  try {
    scope.postMessage(layoutGraph(e.data));
  } catch (err) {
    scope.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
};
