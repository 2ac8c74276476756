/**
 * The widget factory snapshots open with: JupyterLab's notebook view under
 * another name, so the panel stays out of the notebook tracker. Tracked
 * notebooks get kernel-bound helpers (ipywidgets' manager reads
 * `session.kernel` and fails on a notebook without a session, a page error);
 * a snapshot has no kernel and runs nothing, so it needs none of them.
 */
import { DocumentRegistry } from '@jupyterlab/docregistry';
import {
  NotebookPanel,
  NotebookWidgetFactory,
  type INotebookModel
} from '@jupyterlab/notebook';

/** Name of the snapshot viewer factory. */
export const SNAPSHOT_FACTORY = 'MLOps Notebook Snapshot';
/** JupyterLab's notebook factory, the fallback when ours cannot be built. */
export const NOTEBOOK_FACTORY = 'Notebook';

/**
 * Register the snapshot viewer, built on the parts of JupyterLab's notebook
 * factory (rendermime, cell factory, editor config). It lists no file types,
 * so "Open With" never offers it for the user's own notebooks.
 *
 * @returns the factory name to open snapshots with
 */
export function addSnapshotViewer(
  registry: DocumentRegistry,
  notebookFactory: unknown
): string {
  if (registry.getWidgetFactory(SNAPSHOT_FACTORY)) {
    return SNAPSHOT_FACTORY;
  }
  if (!(notebookFactory instanceof NotebookWidgetFactory)) {
    return NOTEBOOK_FACTORY;
  }
  const factory: DocumentRegistry.IWidgetFactory<
    NotebookPanel,
    INotebookModel
  > = new NotebookWidgetFactory({
    name: SNAPSHOT_FACTORY,
    label: 'Notebook snapshot (read-only)',
    fileTypes: [],
    defaultFor: [],
    modelName: 'notebook',
    readOnly: true,
    preferKernel: false,
    canStartKernel: false,
    shutdownOnClose: false,
    rendermime: notebookFactory.rendermime,
    contentFactory: notebookFactory.contentFactory,
    mimeTypeService: notebookFactory.mimeTypeService,
    editorConfig: notebookFactory.editorConfig,
    notebookConfig: notebookFactory.notebookConfig
  });
  registry.addWidgetFactory(factory);
  return SNAPSHOT_FACTORY;
}
