/**
 * The extension's toasts: every notification goes through here, so that each
 * one shows a short message (JupyterLab cuts longer ones, in the notification
 * centre too) and a "Details" action opening a dialog with the whole text,
 * selectable and copyable. `toast.*` mirrors `Notification.*`.
 */
import {
  Clipboard,
  Dialog,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import { ReadonlyJSONValue } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';

import { describeError } from './errors';

/** Longest message shown in a toast (JupyterLab truncates at 140). */
export const TOAST_MAX_CHARS = 120;

/** Label of the action that shows the whole text. */
export const DETAILS_LABEL = 'Details';

/** What a toast can be. */
export type ToastType = Notification.TypeOptions;

/** Options of a toast: Notification's, plus the text shown only in "Details". */
export interface IToastOptions extends Notification.IOptions<ReadonlyJSONValue> {
  /** More than the message (the server's reason, a traceback...): in "Details" only. */
  details?: string;
  /** Title of the details dialog (default: from the type). */
  title?: string;
}

/** Titles of the details dialog (short: the text itself may be long). */
const TITLES: Record<string, string> = {
  error: 'Error details',
  warning: 'Warning details',
  success: 'Details',
  'in-progress': 'Details',
  info: 'Details',
  default: 'Details'
};

/**
 * The message as a toast shows it: the first line, cut on a word boundary
 * with "…" when longer than `max`.
 */
export function shortText(text: string, max = TOAST_MAX_CHARS): string {
  const first = text.trim().split('\n')[0].trim();
  const cut = first.length < text.trim().length;
  if (first.length <= max) {
    return cut ? `${first} …` : first;
  }
  const room = first.slice(0, max - 1);
  const space = room.lastIndexOf(' ');
  return `${(space > max / 2 ? room.slice(0, space) : room).replace(/\s+$/, '')}…`;
}

/** The whole text of a toast: the message, then the details. */
export function fullText(message: string, details?: string): string {
  const more = details?.trim();
  return more && !message.includes(more) ? `${message}\n\n${more}` : message;
}

/** The dialog body: the text, as text (backend messages are untrusted), selectable. */
class DetailsBody extends Widget {
  constructor(text: string) {
    const pre = document.createElement('pre');
    pre.className = 'jp-mlops-ToastDetails';
    pre.textContent = text;
    super({ node: pre });
  }
}

/** Show `text` whole in a dialog with "Copy" and "Close". */
export async function showDetails(title: string, text: string): Promise<void> {
  const copy = Dialog.createButton({
    label: 'Copy',
    accept: false,
    displayType: 'default'
  });
  const result = await showDialog({
    title,
    body: new DetailsBody(text),
    buttons: [copy, Dialog.okButton({ label: 'Close' })]
  });
  if (result.button.label === 'Copy') {
    Clipboard.copyToSystem(text);
  }
}

/** The "Details" action of a toast with this whole text. */
export function detailsAction(
  title: string,
  text: string
): Notification.IAction {
  return {
    label: DETAILS_LABEL,
    caption: 'Show the whole message',
    displayType: 'link',
    callback: event => {
      event.preventDefault(); // keep the toast open
      void showDetails(title, text);
    }
  };
}

function withDetails(
  type: ToastType,
  message: string,
  options: IToastOptions
): { short: string; options: Notification.IOptions<ReadonlyJSONValue> } {
  const { details, title, ...rest } = options;
  const text = fullText(message, details);
  const actions = (rest.actions ?? []).filter(a => a.label !== DETAILS_LABEL);
  return {
    short: shortText(message),
    options: {
      ...rest,
      actions: [
        ...actions,
        detailsAction(title ?? TITLES[type] ?? TITLES.default, text)
      ]
    }
  };
}

/** Emit a toast of `type`; returns its id (for {@link updateToast}). */
export function notify(
  message: string,
  type: ToastType = 'default',
  options: IToastOptions = {}
): string {
  const shown = withDetails(type, message, options);
  const id = Notification.emit(shown.short, type, shown.options);
  emittedAt.set(id, Date.now());
  return id;
}

/**
 * A toast is changed at the earliest this long after it was emitted:
 * JupyterLab shows a new toast asynchronously, and a change that comes before
 * it is shown can be lost (a fast promote stayed "Promoting…").
 */
export const MIN_SHOWN_MS = 1000;
const emittedAt = new Map<string, number>();

/** Options of {@link updateToast}: Notification's update, with details. */
export interface IToastUpdate extends IToastOptions {
  id: string;
  message: string;
  type?: ToastType;
}

/** Change a toast (e.g. in progress → success), its "Details" following. */
export function updateToast(args: IToastUpdate): boolean {
  const { id, message, type = 'default', ...options } = args;
  const shown = withDetails(type, message, options);
  const update = (): boolean =>
    Notification.update({
      ...shown.options,
      id,
      message: shown.short,
      type
    });
  const wait = (emittedAt.get(id) ?? 0) + MIN_SHOWN_MS - Date.now();
  emittedAt.delete(id);
  if (wait > 0) {
    setTimeout(update, wait); // see MIN_SHOWN_MS
    return true;
  }
  return update();
}

/** `Notification.*` with a "Details" action on every toast. */
export const toast = {
  emit: notify,
  update: updateToast,
  error: (message: string, options?: IToastOptions): string =>
    notify(message, 'error', { autoClose: false, ...options }),
  warning: (message: string, options?: IToastOptions): string =>
    notify(message, 'warning', options),
  info: (message: string, options?: IToastOptions): string =>
    notify(message, 'info', options),
  success: (message: string, options?: IToastOptions): string =>
    notify(message, 'success', options)
};

/** Show `what failed: <server message>`; "Details" adds the server's reason. */
export function notifyError(
  what: string,
  error: unknown,
  actions: Notification.IAction[] = []
): string {
  const { message, detail } = describeError(error);
  return toast.error(`${what}: ${message}`, {
    autoClose: false,
    actions,
    details: detail ? `Reason: ${detail}` : undefined
  });
}
