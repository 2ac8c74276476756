/**
 * Snapshot commands: take one now, open one read-only, diff two, restore one.
 * They take plain JSON args (`{backend, run_id}`, `{a, b}`) so the candidate
 * detail view, the palette and tests can call them.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  MainAreaWidget,
  Notification,
  showDialog,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';

import {
  getSnapshotDiff,
  ISnapshotRunRef,
  restoreSnapshot,
  takeSnapshot
} from '../api/snapshot';
import { diffArgs, runArg } from './args';
import { createDiffWidget, diffWidgetId } from './DiffView';
import { SnapshotDrive } from './drive';
import { snapshotIcon } from './icons';
import { queryActiveRun } from './kernel';
import { asSnapshotNotebook, labNotifier } from './notebooks';
import { openSnapshot } from './open';
import { pickOtherRun } from './pickRun';
import { snapshotNotebook } from './take';
import { notifyError } from '../common/notify';
import { describedBy, RUN_ARGS, textArg } from '../common/commandArgs';
import { Resource } from '../models/resource';

/** Command ids. */
export const SnapshotCommandIDs = {
  now: 'mlops:snapshot-now',
  open: 'mlops:snapshot-open',
  diff: 'mlops:snapshot-diff',
  restore: 'mlops:snapshot-restore'
} as const;

/** What the commands need. */
export interface ISnapshotCommandsOptions {
  app: JupyterFrontEnd;
  docManager: IDocumentManager;
  notebooks: INotebookTracker;
  drive: SnapshotDrive;
  settings: ServerConnection.ISettings;
  palette: ICommandPalette | null;
  resolveBackend: (
    trackingUri: string,
    backend: string | null
  ) => Promise<string | null>;
}

/** Register the snapshot commands (and the palette entry of "snapshot now"). */
export function addSnapshotCommands(options: ISnapshotCommandsOptions): void {
  const { app, docManager, notebooks, drive, settings } = options;
  const diffs = new WidgetTracker<MainAreaWidget>({
    namespace: 'jupyterlab-mlops-snapshot-diff'
  });
  const run = (id: string, args: ISnapshotRunRef) =>
    app.commands.execute(id, { ...args });
  const infoActions = (ref: ISnapshotRunRef) => ({
    restore: () => void run(SnapshotCommandIDs.restore, ref),
    diff: () => void run(SnapshotCommandIDs.diff, ref)
  });

  app.commands.addCommand(SnapshotCommandIDs.now, {
    describedBy: describedBy(),
    label: 'Snapshot this notebook to the active run',
    caption:
      "Save this notebook and attach a snapshot of it to the kernel's active MLOps run",
    icon: snapshotIcon,
    isEnabled: () => !!notebooks.currentWidget?.sessionContext.session?.kernel,
    execute: async () => {
      const panel = notebooks.currentWidget;
      const kernel = panel?.sessionContext.session?.kernel;
      if (!panel || !kernel) {
        Notification.warning(
          'Open a notebook with a running kernel to snapshot it.',
          { autoClose: 6000 }
        );
        return;
      }
      const answer = await queryActiveRun(kernel);
      if (!answer.ok) {
        Notification.warning(answer.message, { autoClose: 10000 });
        return;
      }
      let runId = answer.info.run_id;
      if (!runId && answer.info.last_run_id) {
        const choice = await showDialog({
          title: 'No active run',
          body: `This kernel has no active run. Attach the snapshot to the run that ended last (${answer.info.last_run_id.slice(0, 8)})?`,
          buttons: [
            Dialog.cancelButton(),
            Dialog.okButton({ label: 'Snapshot' })
          ]
        });
        runId = choice.button.accept ? answer.info.last_run_id : null;
        if (!runId) {
          return;
        }
      }
      if (!runId) {
        Notification.warning(
          'No run in this kernel: use %%mlops run or mlops.start_run() first.',
          { autoClose: 10000 }
        );
        return;
      }
      const backend = await options
        .resolveBackend(answer.info.tracking_uri, answer.info.backend)
        .catch(() => null);
      if (!backend) {
        Notification.warning(
          `Snapshot skipped: this kernel logs to ${answer.info.tracking_uri}, which is not a configured backend.`,
          { autoClose: false }
        );
        return;
      }
      try {
        return await snapshotNotebook(
          asSnapshotNotebook(panel),
          { backend, run_id: runId },
          answer.info,
          {
            post: (ref, body) => takeSnapshot(ref, body, settings),
            notifier: labNotifier
          }
        );
      } catch {
        return; // the notification says what went wrong
      }
    }
  });

  app.commands.addCommand(SnapshotCommandIDs.open, {
    describedBy: describedBy(RUN_ARGS),
    label: 'Open Notebook Snapshot (read-only)',
    caption: 'Open the notebook of a run as it was when the run ended',
    icon: snapshotIcon,
    execute: async args => {
      const ref = runArg(args);
      if (!ref) {
        Notification.info(
          'Open a snapshot from a candidate in the MLOps sidebar.',
          { autoClose: 6000 }
        );
        return;
      }
      try {
        const panel = await openSnapshot(docManager, drive, ref, infoActions);
        return panel.id;
      } catch (error) {
        notifyError(
          `Cannot open the snapshot of run ${ref.run_id.slice(0, 8)}`,
          error
        );
      }
    }
  });

  app.commands.addCommand(SnapshotCommandIDs.diff, {
    describedBy: describedBy({
      ...RUN_ARGS,
      a: textArg('First run, "backend:run_id" (or an object)'),
      b: textArg(
        'Second run, "backend:run_id" (or an object); asked when missing'
      )
    }),
    label: 'Diff Notebook Snapshots',
    caption: "Compare two candidates' notebook snapshots cell by cell",
    icon: snapshotIcon,
    execute: async args => {
      let { a, b } = diffArgs(args);
      if (!a) {
        Notification.info(
          'Choose a candidate in the MLOps sidebar, then Diff… in its snapshot section.',
          { autoClose: 6000 }
        );
        return;
      }
      if (!b) {
        const picked = await pickOtherRun(a, settings);
        if (!picked) {
          return;
        }
        [a, b] = picked;
      }
      const [ra, rb] = [a, b];
      const existing = diffs.find(w => w.id === diffWidgetId(ra, rb));
      if (existing) {
        app.shell.activateById(existing.id);
        return existing.id;
      }
      const widget = createDiffWidget({
        a: ra,
        b: rb,
        diff: new Resource(() => getSnapshotDiff(ra, rb, settings)),
        openSnapshot: ref => void run(SnapshotCommandIDs.open, ref)
      });
      void diffs.add(widget);
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget.id;
    }
  });

  app.commands.addCommand(SnapshotCommandIDs.restore, {
    describedBy: describedBy(RUN_ARGS),
    label: 'Restore Notebook Snapshot as a New Notebook',
    caption:
      'Write the snapshot as a new notebook next to the original (never overwrites) and open it',
    icon: snapshotIcon,
    execute: async args => {
      const ref = runArg(args);
      if (!ref) {
        Notification.info(
          'Restore a snapshot from a candidate in the MLOps sidebar.',
          { autoClose: 6000 }
        );
        return;
      }
      try {
        const restored = await restoreSnapshot(ref, undefined, settings);
        await app.commands.execute('docmanager:open', { path: restored.path });
        Notification.success(
          `Snapshot of run ${ref.run_id.slice(0, 8)} restored as ${restored.path}`,
          { autoClose: 8000 }
        );
        return restored.path;
      } catch (error) {
        notifyError(
          `Cannot restore the snapshot of run ${ref.run_id.slice(0, 8)}`,
          error
        );
      }
    }
  });

  // The toolbar button follows the current notebook's kernel.
  const refresh = () =>
    app.commands.notifyCommandChanged(SnapshotCommandIDs.now);
  notebooks.currentChanged.connect(refresh);
  notebooks.widgetAdded.connect((_, panel) => {
    panel.sessionContext.kernelChanged.connect(refresh);
    panel.sessionContext.connectionStatusChanged.connect(refresh);
  });

  options.palette?.addItem({
    command: SnapshotCommandIDs.now,
    category: 'MLOps'
  });
}
