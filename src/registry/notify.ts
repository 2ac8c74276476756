/** One-off failures as readable notifications with the server's message. */
import { Notification, showErrorMessage } from '@jupyterlab/apputils';

import { MlopsApiError } from '../api/request';

/** The message and the detail of any error. */
export function describeError(error: unknown): {
  message: string;
  detail: string;
} {
  if (error instanceof MlopsApiError) {
    const reason =
      error.reason && error.reason !== error.message ? error.reason : '';
    return { message: error.message, detail: reason };
  }
  if (error instanceof Error) {
    return { message: error.message, detail: '' };
  }
  return { message: String(error), detail: '' };
}

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
