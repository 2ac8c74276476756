/**
 * "Attach the open notebook": snapshot the current notebook onto a run that
 * has none (a run logged by plain code, or one whose snapshot was skipped),
 * after a confirmation naming both. The take path is the automatic one
 * (take.ts): save first, secrets scrubbed by the server, an unchanged
 * notebook not uploaded twice.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { ISnapshotResult, takeSnapshot } from '../api/snapshot';
import { describedBy, RUN_ARGS, textArg } from '../common/commandArgs';
import { runArg } from './args';
import { snapshotIcon } from './icons';
import { asSnapshotNotebook, labNotifier } from './notebooks';
import { snapshotNotebook } from './take';
import { toast } from '../common/notify';

/** Id of the attach command. */
export const ATTACH_COMMAND = 'mlops:snapshot-attach';

/** How a run is named in messages: its name, else the short id. */
export function runTitle(args: ReadonlyPartialJSONObject): string {
  const name = typeof args.run_name === 'string' ? args.run_name.trim() : '';
  const id = typeof args.run_id === 'string' ? args.run_id : '';
  return name || id.slice(0, 8) || 'this run';
}

/** The question asked before attaching (the notebook, the run, whose run it is). */
export function confirmText(
  notebook: string,
  args: ReadonlyPartialJSONObject
): string {
  const status = typeof args.status === 'string' ? args.status : '';
  const user = typeof args.user === 'string' ? args.user : '';
  const facts = [status.toLowerCase(), user ? `by ${user}` : '']
    .filter(Boolean)
    .join(', ');
  return (
    `Save "${notebook}" and attach it as the notebook snapshot of run ` +
    `"${runTitle(args)}"${facts ? ` (${facts})` : ''}? Secrets are scrubbed before the upload.`
  );
}

/** Register {@link ATTACH_COMMAND}; it follows the current notebook. */
export function addAttachCommand(
  app: JupyterFrontEnd,
  notebooks: INotebookTracker,
  settings: ServerConnection.ISettings
): void {
  const notebookName = (): string | null => {
    const panel = notebooks.currentWidget;
    return panel ? panel.context.localPath.split('/').pop() || null : null;
  };
  app.commands.addCommand(ATTACH_COMMAND, {
    describedBy: describedBy({
      ...RUN_ARGS,
      run_name: textArg('Run name, for the confirmation'),
      status: textArg('Run status, for the confirmation'),
      user: textArg('Who ran it, for the confirmation')
    }),
    label: 'Attach the open notebook',
    caption: () => {
      const name = notebookName();
      return name
        ? `Save ${name} and attach it to this run as its notebook snapshot`
        : 'Open the notebook that made this run, then attach it as its snapshot';
    },
    icon: snapshotIcon,
    isEnabled: () => notebookName() !== null,
    execute: async (args): Promise<ISnapshotResult | undefined> => {
      const ref = runArg(args);
      const panel = notebooks.currentWidget;
      if (!ref || !panel) {
        toast.info(
          ref
            ? 'Open the notebook that made this run, then attach it.'
            : 'Attach a notebook from a run in the MLOps sidebar.',
          { autoClose: 6000 }
        );
        return;
      }
      const nb = asSnapshotNotebook(panel);
      const answer = await showDialog({
        title: 'Attach the open notebook',
        body: confirmText(nb.name, args),
        buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Attach' })]
      });
      if (!answer.button.accept) {
        return;
      }
      try {
        return await snapshotNotebook(
          nb,
          ref,
          { packages: {}, python: {} },
          {
            post: (r, body) => takeSnapshot(r, body, settings),
            notifier: labNotifier
          },
          runTitle(args)
        );
      } catch {
        return; // the notification says what went wrong
      }
    }
  });
  const refresh = () => app.commands.notifyCommandChanged(ATTACH_COMMAND);
  notebooks.currentChanged.connect(refresh);
}
