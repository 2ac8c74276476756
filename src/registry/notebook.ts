/** "Use in notebook": insert code below the active cell of the active notebook. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';

import { IUseSnippet } from '../api/registry';

/** The code of the cell: the snippet, optionally preceded by the params dict. */
export function snippetCode(snippet: IUseSnippet, withParams: boolean): string {
  const parts: string[] = [];
  if (withParams && snippet.params_code.trim() !== 'params = {\n}') {
    parts.push(snippet.params_code.replace(/\s+$/, ''));
  }
  parts.push(snippet.code.replace(/\s+$/, ''));
  return parts.join('\n');
}

/** Why nothing can be inserted, or `null` when a notebook is there. */
export function noNotebookReason(
  tracker: INotebookTracker | null
): string | null {
  if (!tracker) {
    return 'The notebook extension is not available in this JupyterLab.';
  }
  if (!tracker.currentWidget || !tracker.currentWidget.content.model) {
    return 'No notebook is open: open or create a notebook, then press "Use in notebook" again.';
  }
  return null;
}

/**
 * Insert a code cell with `code` below the active cell of the notebook the
 * user used last, make it active and show the notebook.
 *
 * @returns the notebook's path
 * @throws Error with a readable message when no notebook is open
 */
export function insertCodeBelow(
  app: JupyterFrontEnd,
  tracker: INotebookTracker | null,
  code: string
): string {
  const reason = noNotebookReason(tracker);
  if (reason) {
    throw new Error(reason);
  }
  const panel = tracker!.currentWidget!;
  const notebook = panel.content;
  const index = Math.max(0, notebook.activeCellIndex + 1);
  notebook.model!.sharedModel.insertCell(index, {
    cell_type: 'code',
    source: code,
    metadata: {}
  });
  notebook.activeCellIndex = index;
  app.shell.activateById(panel.id);
  return panel.context.path;
}
