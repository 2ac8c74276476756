/**
 * Notebooks from a backend (run artifacts, snapshots) stay untrusted.
 * JupyterLab trusts a cell whose JSON says `metadata.trusted: true` (the
 * server's contents manager recomputes that from its signature; the
 * extension's drives bypass it), and a trusted cell renders HTML unsanitized
 * and runs JavaScript outputs in Jupyter's origin: so the drives drop the
 * flag, and the open notebook ignores "Trust Notebook".
 */
import type { INotebookModel } from '@jupyterlab/notebook';

type CellModel = INotebookModel['cells'] extends Iterable<infer C> ? C : never;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of notebook JSON with no cell marked trusted (anything else as is). */
export function withoutTrust<T>(notebook: T): T {
  if (!isObject(notebook) || !Array.isArray(notebook.cells)) {
    return notebook;
  }
  const cells = notebook.cells.map(cell => {
    if (!isObject(cell) || !isObject(cell.metadata)) {
      return cell;
    }
    if (!('trusted' in cell.metadata)) {
      return cell;
    }
    const metadata = { ...cell.metadata };
    delete metadata.trusted;
    return { ...cell, metadata };
  });
  return { ...notebook, cells } as T;
}

/** Pin one cell model untrusted: assigning `trusted` does nothing. */
function pin(cell: CellModel): void {
  if (cell.trusted) {
    cell.trusted = false;
  }
  Object.defineProperty(cell, 'trusted', {
    configurable: true,
    get: () => false,
    set: () => undefined
  });
}

const kept = new WeakSet<INotebookModel>();

/** Keep every cell of a notebook model untrusted, those added later too (idempotent). */
export function keepUntrusted(model: INotebookModel): void {
  if (kept.has(model)) {
    return;
  }
  kept.add(model);
  for (const cell of model.cells) {
    pin(cell);
  }
  model.cells.changed.connect((_, change) => {
    for (const cell of change.newValues) {
      pin(cell);
    }
  });
}
