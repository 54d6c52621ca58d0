/** The palette: the API's node types by category, dragged onto the canvas or clicked to add at its middle. */
import { useMemo } from 'react';
import type { NodeTypeView } from './model';

/** What a palette item carries in a drag. */
export const DRAG_TYPE = 'application/x-braid-node-type';

const CATEGORY_ORDER = ['trigger', 'action', 'logic', 'wait', 'compose'];

function groupByCategory(catalog: readonly NodeTypeView[]): [string, NodeTypeView[]][] {
  const groups = new Map<string, NodeTypeView[]>();
  for (const t of catalog) groups.set(t.category, [...(groups.get(t.category) ?? []), t]);
  return [...groups].sort(([a], [b]) => CATEGORY_ORDER.indexOf(a) - CATEGORY_ORDER.indexOf(b));
}

export function Palette({ catalog, onAdd }: { catalog: readonly NodeTypeView[]; onAdd: (type: string) => void }) {
  const groups = useMemo(() => groupByCategory(catalog), [catalog]);
  return (
    <aside className="palette" aria-label="Node types">
      {groups.map(([category, types]) => (
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
              onClick={() => onAdd(t.type)}
            >
              {t.label}
              {t.custom ? <span className="custom-mark">custom</span> : null}
            </button>
          ))}
        </section>
      ))}
    </aside>
  );
}
