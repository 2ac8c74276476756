/** One-off failures as JupyterLab notifications with the server's message. */
import { Notification, showErrorMessage } from '@jupyterlab/apputils';

import { describeError } from './errors';

/** Show `what failed: <server message>` with a "Details" action when there are some. */
export function notifyError(
  what: string,
  error: unknown,
  actions: Notification.IAction[] = []
): string {
  const { message, detail } = describeError(error);
  const all = [...actions];
  if (detail) {
    all.push({
      label: 'Details',
      caption: 'Show the details of this error',
      callback: () => {
        void showErrorMessage(what, `${message}\n\n${detail}`);
      }
    });
  }
  return Notification.error(`${what}: ${message}`, {
    autoClose: false,
    actions: all
  });
}
