/**
 * Deleting runs and experiments: the confirmation that says what happens
 * (MLflow keeps deleted items restorable; GitLab deletes for good) and the
 * toast after it, with "Undo" where the backend can restore. Names are text.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';

import { notifyError, toast } from './notify';

/** Options of {@link confirmDelete}. */
export interface IConfirmDeleteOptions {
  /** Dialog title, e.g. "Delete run “churn-7”?". */
  title: string;
  /** What is deleted with it, e.g. "its parameters, metrics, tags and files". */
  lost: string;
  /** Deleted for good (GitLab): no undo, no restore. */
  permanent: boolean;
  /** Where deleted items can be found (MLflow), e.g. "Show deleted" of the experiment page. */
  restoreHint: string;
}

/** The confirmation's text. */
export function deleteMessage(options: IConfirmDeleteOptions): string {
  return options.permanent
    ? `GitLab deletes for good: ${options.lost} will be lost. This cannot be undone.`
    : `It moves to the deleted items with ${options.lost}: restore it with Undo, or later from ${options.restoreHint}.`;
}

/** Ask before deleting; true when confirmed. */
export async function confirmDelete(
  options: IConfirmDeleteOptions
): Promise<boolean> {
  const answer = await showDialog({
    title: options.title,
    body: deleteMessage(options),
    buttons: [
      Dialog.cancelButton(),
      Dialog.warnButton({
        label: options.permanent ? 'Delete for good' : 'Delete'
      })
    ]
  });
  return answer.button.accept;
}

/** "Deleted …" with an "Undo" action when `undo` is given (it notifies its own failure). */
export function notifyDeleted(
  message: string,
  undo: (() => Promise<unknown>) | null
): string {
  return toast.success(message, {
    autoClose: undo ? 10000 : 5000,
    actions: undo
      ? [
          {
            label: 'Undo',
            caption: 'Restore what was deleted',
            callback: () => {
              undo().then(
                () => toast.success('Restored.', { autoClose: 3000 }),
                error => notifyError('Undo failed', error)
              );
            }
          }
        ]
      : []
  });
}
