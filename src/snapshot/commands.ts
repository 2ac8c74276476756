/**
 * Snapshot commands: open one read-only, diff two, restore one; "now"
 * (snapshotNow.ts) and "attach" (attach.ts) are registered from here too.
 * They take plain JSON args (`{backend, run_id}`, `{a, b}`) so the candidate
 * detail view, the palette and tests can call them.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import {
  getSnapshotDiff,
  ISnapshotRunRef,
  restoreSnapshot
} from '../api/snapshot';
import { diffArgs, runArg } from './args';
import { addAttachCommand, ATTACH_COMMAND, runTitle } from './attach';
import { createDiffWidget, diffWidgetId } from './DiffView';
import { SnapshotDrive } from './drive';
import { snapshotIcon } from './icons';
import { openSnapshot } from './open';
import { pickOtherRun } from './pickRun';
import { addSnapshotNowCommand } from './snapshotNow';
import { notifyError, toast } from '../common/notify';
import { describedBy, RUN_ARGS, textArg } from '../common/commandArgs';
import { asApiError } from '../common/errors';
import { Resource } from '../models/resource';

/** Command ids. */
export const SnapshotCommandIDs = {
  now: 'mlops:snapshot-now',
  open: 'mlops:snapshot-open',
  diff: 'mlops:snapshot-diff',
  restore: 'mlops:snapshot-restore',
  attach: ATTACH_COMMAND
} as const;

/** Arguments of the commands on one run: the run, its name for messages, `has_snapshot` when known. */
const ON_RUN_ARGS = describedBy({
  ...RUN_ARGS,
  run_name: textArg('Run name, for messages'),
  has_snapshot: {
    type: 'boolean',
    description: 'false: the run is known to have no snapshot (disabled)'
  }
});

/** Disabled only for a run known to have no snapshot (the detail view says so). */
const hasSnapshotArg = (args: ReadonlyPartialJSONObject): boolean =>
  args.has_snapshot !== false;

/**
 * Explain a run without a snapshot (information, not an error), else notify
 * the failure.
 */
function explainFailure(
  what: string,
  args: ReadonlyPartialJSONObject,
  error: unknown
): void {
  if (asApiError(error).reason === 'no_snapshot') {
    toast.info(
      `Run "${runTitle(args)}" has no notebook snapshot. Open the notebook that made it and ` +
        'use "Attach the open notebook" in the run\'s Notebook snapshot section.',
      { autoClose: 10000 }
    );
    return;
  }
  notifyError(`${what} of run "${runTitle(args)}"`, error);
}

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
  /** The widget factory snapshots open with (viewerFactory.ts). */
  viewerFactory: string;
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

  addSnapshotNowCommand(
    app,
    notebooks,
    settings,
    options.resolveBackend,
    SnapshotCommandIDs.now
  );

  app.commands.addCommand(SnapshotCommandIDs.open, {
    describedBy: ON_RUN_ARGS,
    isEnabled: hasSnapshotArg,
    label: 'Open Notebook Snapshot (read-only)',
    caption: 'Open the notebook of a run as it was when the run ended',
    icon: snapshotIcon,
    execute: async args => {
      const ref = runArg(args);
      if (!ref) {
        toast.info('Open a snapshot from a candidate in the MLOps sidebar.', {
          autoClose: 6000
        });
        return;
      }
      try {
        const panel = await openSnapshot(
          docManager,
          drive,
          ref,
          infoActions,
          options.viewerFactory
        );
        return panel.id;
      } catch (error) {
        explainFailure('Cannot open the snapshot', args, error);
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
        toast.info(
          'Choose a candidate in the MLOps sidebar, then Diff… in its snapshot section.',
          { autoClose: 6000 }
        );
        return;
      }
      let names: Record<string, string> = {};
      if (!b) {
        const picked = await pickOtherRun(a, settings);
        if (!picked) {
          return;
        }
        [a, b] = picked.runs;
        names = picked.names;
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
        names,
        openSnapshot: ref => void run(SnapshotCommandIDs.open, ref)
      });
      void diffs.add(widget);
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget.id;
    }
  });

  app.commands.addCommand(SnapshotCommandIDs.restore, {
    describedBy: ON_RUN_ARGS,
    isEnabled: hasSnapshotArg,
    label: 'Restore Notebook Snapshot as a New Notebook',
    caption:
      'Write the snapshot as a new notebook next to the original (never overwrites) and open it',
    icon: snapshotIcon,
    execute: async args => {
      const ref = runArg(args);
      if (!ref) {
        toast.info(
          'Restore a snapshot from a candidate in the MLOps sidebar.',
          { autoClose: 6000 }
        );
        return;
      }
      try {
        const restored = await restoreSnapshot(ref, undefined, settings);
        await app.commands.execute('docmanager:open', { path: restored.path });
        toast.success(
          `Snapshot of run "${runTitle(args)}" restored as ${restored.path}`,
          { autoClose: 8000 }
        );
        return restored.path;
      } catch (error) {
        explainFailure('Cannot restore the snapshot', args, error);
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

  addAttachCommand(app, notebooks, settings);

  options.palette?.addItem({
    command: SnapshotCommandIDs.now,
    category: 'MLOps'
  });
}
