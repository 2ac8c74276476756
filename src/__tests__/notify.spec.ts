/** The toast helper: a short message, and "Details" with the whole text. */
import { Dialog, Notification } from '@jupyterlab/apputils';

import { MlopsApiError } from '../common/errors';
import {
  DETAILS_LABEL,
  MIN_SHOWN_MS,
  notifyError,
  shortText,
  toast,
  TOAST_MAX_CHARS,
  updateToast
} from '../common/notify';

const LONG =
  'GitLab refused the version: ' +
  'Validation failed: Version has already been taken by another package of this project, '.repeat(
    3
  ) +
  'see the package registry.';

function shown(id: string): Notification.INotification {
  const found = Notification.manager.notifications.find(n => n.id === id);
  if (!found) {
    throw new Error(`no notification ${id}`);
  }
  return found;
}

function details(id: string): Notification.IAction {
  const action = (shown(id).options.actions ?? []).find(
    a => a.label === DETAILS_LABEL
  );
  if (!action) {
    throw new Error('no Details action');
  }
  return action;
}

async function openDetails(id: string): Promise<HTMLElement> {
  const event = new MouseEvent('click', { cancelable: true });
  details(id).callback(event);
  expect(event.defaultPrevented).toBe(true); // the toast stays
  let pre: HTMLElement | null = null;
  for (let i = 0; i < 50 && !pre; i++) {
    await new Promise(r => requestAnimationFrame(() => r(null)));
    pre = document.querySelector('.jp-Dialog .jp-mlops-ToastDetails');
  }
  if (!pre) {
    throw new Error('no details dialog');
  }
  return pre;
}

afterEach(async () => {
  // Close the details dialog the way a user does ("Close").
  document
    .querySelector<HTMLButtonElement>('.jp-Dialog button.jp-mod-accept')
    ?.click();
  while (Dialog.tracker.size > 0) {
    await new Promise(r => requestAnimationFrame(() => r(null)));
  }
  Notification.dismiss();
});

describe('shortText', () => {
  it('keeps a short message as it is', () => {
    expect(shortText('Saved.')).toBe('Saved.');
  });

  it('cuts a long one on a word, under the limit', () => {
    const short = shortText(LONG);
    expect(short.length).toBeLessThanOrEqual(TOAST_MAX_CHARS);
    expect(short.endsWith('…')).toBe(true);
    expect(LONG.startsWith(short.slice(0, -1))).toBe(true);
  });

  it('keeps the first line of a multi-line text, marked as cut', () => {
    expect(shortText('first\nsecond')).toBe('first …');
  });
});

describe('toast', () => {
  it('shows a short message and the whole text in Details', async () => {
    const id = toast.warning(LONG);
    expect(shown(id).message.length).toBeLessThanOrEqual(TOAST_MAX_CHARS);
    const pre = await openDetails(id);
    expect(pre.textContent).toBe(LONG);
  });

  it('adds the server reason of an error to Details', async () => {
    const error = new MlopsApiError({
      status: 409,
      message: 'Version 1.0.0 exists.',
      reason: 'GitLab: package version already taken'
    });
    const id = notifyError('Promotion failed', error);
    expect(shown(id).type).toBe('error');
    const pre = await openDetails(id);
    expect(pre.textContent).toBe(
      'Promotion failed: Version 1.0.0 exists.\n\nReason: GitLab: package version already taken'
    );
  });

  it('renders backend text as text', async () => {
    const id = toast.error('<img src=x onerror=alert(1)>');
    const pre = await openDetails(id);
    expect(pre.querySelector('img')).toBeNull();
    expect(pre.textContent).toBe('<img src=x onerror=alert(1)>');
  });

  it('keeps one Details action through updates, made once the toast was shown', async () => {
    const id = toast.emit('Promoting…', 'in-progress', { autoClose: false });
    const emitted = Date.now();
    updateToast({
      id,
      type: 'success',
      message: 'Registered churn version 1.2.0 from run brave-owl.',
      actions: [{ label: 'Open version', callback: () => undefined }]
    });
    // not before JupyterLab has shown the toast (a change before that can be lost)
    expect(shown(id).type).toBe('in-progress');
    while (shown(id).type === 'in-progress') {
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    expect(Date.now() - emitted).toBeGreaterThanOrEqual(MIN_SHOWN_MS - 50);
    const labels = (shown(id).options.actions ?? []).map(a => a.label);
    expect(labels).toEqual(['Open version', DETAILS_LABEL]);
    expect(shown(id).type).toBe('success');
  });
});
