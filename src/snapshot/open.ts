/**
 * Open a run's snapshot read-only in JupyterLab's notebook view, with its
 * environment and git info in a bar above the cells.
 */
import { IDocumentManager } from '@jupyterlab/docmanager';
import { NotebookPanel } from '@jupyterlab/notebook';

import type { ISnapshotRunRef } from '../api/snapshot';
import { keepUntrusted } from '../common/drives/notebookTrust';
import { SnapshotDrive } from './drive';
import { createInfoWidget, IInfoActions } from './InfoPanel';
import { NOTEBOOK_FACTORY } from './viewerFactory';

/** Class of the info bar in a snapshot's notebook panel. */
const INFO_CLASS = 'jp-mlops-SnapshotInfoWidget';

/**
 * Lock a notebook panel: the model is read-only (no save, no "unsaved
 * changes" prompt) and so is every cell's editor; its cells stay untrusted
 * ("Trust Notebook" does nothing: a snapshot comes from a backend).
 */
export function makeReadOnly(panel: NotebookPanel): void {
  keepUntrusted(panel.context.model);
  const lock = (): void => {
    if (panel.context.model) {
      panel.context.model.readOnly = true;
    }
    for (const cell of panel.content.widgets) {
      cell.readOnly = true;
    }
  };
  lock();
  panel.content.modelContentChanged.connect(lock);
  // Loading may normalize the notebook (cell ids...): a snapshot is never "unsaved".
  const model = panel.context.model;
  model.dirty = false;
  model.stateChanged.connect((_, change) => {
    if (change.name === 'dirty' && change.newValue) {
      model.dirty = false;
    }
  });
  panel.addClass('jp-mlops-SnapshotNotebook');
}

/**
 * Open (or reveal) the snapshot of a run. It comes from the read-only
 * {@link SnapshotDrive}: nothing is written to the user's files, and the
 * notebook opens without a kernel (the kernel selector cannot start one), with
 * `factory` (the snapshot viewer: see viewerFactory.ts).
 *
 * @throws the server's error (no snapshot, invalid notebook...)
 */
export async function openSnapshot(
  docManager: IDocumentManager,
  drive: SnapshotDrive,
  ref: ISnapshotRunRef,
  actions: (ref: ISnapshotRunRef) => IInfoActions,
  factory: string = NOTEBOOK_FACTORY
): Promise<NotebookPanel> {
  const view = await drive.view(ref);
  const path = drive.remember(view);
  const widget = docManager.openOrReveal(path, factory, undefined, undefined, {
    shouldStart: false,
    canStart: false,
    autoStartDefault: false,
    shutdownOnDispose: true
  });
  if (!(widget instanceof NotebookPanel)) {
    widget?.dispose();
    throw new Error(
      `The snapshot of run ${ref.run_id} did not open as a notebook.`
    );
  }
  widget.title.caption = `Snapshot of run "${view.run_name || ref.run_id.slice(0, 8)}" (${ref.run_id}) from ${view.snapshot.path}, read-only`;
  if (!widget.contentHeader.widgets.some(w => w.hasClass(INFO_CLASS))) {
    widget.contentHeader.addWidget(createInfoWidget(view, actions(ref)));
  }
  await widget.context.ready;
  makeReadOnly(widget);
  return widget;
}
