/**
 * "Snapshot this notebook to the active run" (the notebook toolbar button):
 * asks the kernel which run is active (or ended last) and snapshots the
 * current notebook onto it.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';

import { takeSnapshot } from '../api/snapshot';
import { describedBy } from '../common/commandArgs';
import { toast } from '../common/notify';
import { snapshotIcon } from './icons';
import { queryActiveRun } from './kernel';
import { asSnapshotNotebook, labNotifier } from './notebooks';
import { snapshotNotebook } from './take';

/** Register the command `id`; its enabled state follows the current notebook's kernel. */
export function addSnapshotNowCommand(
  app: JupyterFrontEnd,
  notebooks: INotebookTracker,
  settings: ServerConnection.ISettings,
  resolveBackend: (
    trackingUri: string,
    backend: string | null
  ) => Promise<string | null>,
  id: string
): void {
  app.commands.addCommand(id, {
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
        toast.warning('Open a notebook with a running kernel to snapshot it.', {
          autoClose: 6000
        });
        return;
      }
      const answer = await queryActiveRun(kernel);
      if (!answer.ok) {
        toast.warning(answer.message, { autoClose: 10000 });
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
        toast.warning(
          'No run in this kernel: use %%mlops run or mlops.start_run() first.',
          { autoClose: 10000 }
        );
        return;
      }
      const backend = await resolveBackend(
        answer.info.tracking_uri,
        answer.info.backend
      ).catch(() => null);
      if (!backend) {
        toast.warning(
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
}
