/**
 * Notebook snapshots (issue 6): answers the kernels' snapshot requests at
 * the end of a run, and registers the snapshot commands (now, open, diff,
 * restore). The notebook toolbar button is declared in schema/snapshot.json.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { INotebookTracker, INotebookWidgetFactory } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { takeSnapshot } from '../api/snapshot';
import { readSettings } from '../models/settings';
import { addSnapshotCommands } from './commands';
import { SnapshotDrive } from './drive';
import { waitForCellEnd } from './kernel';
import {
  asSnapshotNotebook,
  backendResolver,
  findPanelByKernel,
  labNotifier,
  watchNotebookKernels
} from './notebooks';
import { CELL_END_TIMEOUT_MS, SnapshotRequestHandler } from './protocol';
import { snapshotNotebook } from './take';
import { addSnapshotViewer } from './viewerFactory';
import { toast } from '../common/notify';

/** Settings of the main plugin (they hold `autoSnapshot`). */
const MAIN_SETTINGS = 'jupyterlab_mlops:plugin';
/** This plugin's id; its schema declares the notebook toolbar button. */
const PLUGIN_ID = 'jupyterlab_mlops:snapshot';

function activate(
  app: JupyterFrontEnd,
  notebooks: INotebookTracker,
  docManager: IDocumentManager,
  settingRegistry: ISettingRegistry | null,
  palette: ICommandPalette | null,
  notebookFactory: unknown
): void {
  const settings = app.serviceManager.serverSettings;
  const drive = new SnapshotDrive(settings);
  app.serviceManager.contents.addDrive(drive);
  const resolveBackend = backendResolver(settings);

  let autoSnapshot = true;
  if (settingRegistry) {
    settingRegistry
      .load(MAIN_SETTINGS)
      .then(loaded => {
        const apply = () => {
          autoSnapshot = readSettings(loaded.composite).autoSnapshot;
        };
        apply();
        loaded.changed.connect(apply);
      })
      .catch(reason =>
        console.warn(
          'jupyterlab_mlops: cannot read autoSnapshot; snapshots stay on.',
          reason
        )
      );
    // Loading our own settings makes sure the toolbar definition is known.
    settingRegistry.load(PLUGIN_ID).catch(() => undefined);
  }

  const handler = new SnapshotRequestHandler({
    findNotebook: kernelId => {
      const panel = findPanelByKernel(notebooks, kernelId);
      return panel ? asSnapshotNotebook(panel) : null;
    },
    autoSnapshot: () => autoSnapshot,
    resolveBackend,
    take: (nb, ref, env) =>
      snapshotNotebook(nb, ref, env, {
        post: (r, body) => takeSnapshot(r, body, settings),
        notifier: labNotifier
      }),
    warn: message => toast.warning(message, { autoClose: false })
  });
  watchNotebookKernels(notebooks, (comm, msg, kernel) => {
    void handler.handleOpen(comm, msg, kernel.id, parent =>
      waitForCellEnd(kernel, parent, CELL_END_TIMEOUT_MS)
    );
  });

  addSnapshotCommands({
    app,
    docManager,
    notebooks,
    drive,
    settings,
    palette,
    resolveBackend,
    viewerFactory: addSnapshotViewer(app.docRegistry, notebookFactory)
  });
}

/** The notebook snapshot plugin. */
export const snapshotPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Notebook snapshots of runs: taken at the end of a run, opened read-only, diffed, restored.',
  autoStart: true,
  requires: [INotebookTracker, IDocumentManager],
  optional: [ISettingRegistry, ICommandPalette, INotebookWidgetFactory],
  activate
};
