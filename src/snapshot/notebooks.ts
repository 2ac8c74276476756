/**
 * JupyterLab side of the protocol: notebook panels as snapshot targets, the
 * comm target on every notebook kernel, notifications, backend lookup.
 */
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Kernel, KernelMessage, ServerConnection } from '@jupyterlab/services';

import { getStatus } from '../api/endpoints';
import {
  IBackendLike,
  ISnapshotNotebook,
  matchBackend,
  SNAPSHOT_TARGET
} from './protocol';
import { INotifier } from './take';
import { toast } from '../common/notify';

/** A notebook panel as the protocol sees it. */
export function asSnapshotNotebook(panel: NotebookPanel): ISnapshotNotebook {
  return {
    name: panel.context.localPath.split('/').pop() || panel.context.path,
    path: panel.context.localPath,
    kernelId: panel.sessionContext.session?.kernel?.id ?? null,
    save: async () => {
      await panel.context.save();
      const session = panel.sessionContext.session;
      if (session && session.path !== panel.context.localPath) {
        await session.setPath(panel.context.localPath).catch(error => {
          console.warn(
            'jupyterlab_mlops: cannot update the session path',
            error
          );
        });
      }
    },
    toJSON: () => panel.context.model.toJSON()
  };
}

/** The panel of this window whose kernel has this id (the current one first). */
export function findPanelByKernel(
  tracker: INotebookTracker,
  kernelId: string
): NotebookPanel | null {
  const matches = (p: NotebookPanel | null) =>
    p?.sessionContext.session?.kernel?.id === kernelId;
  if (matches(tracker.currentWidget)) {
    return tracker.currentWidget;
  }
  return tracker.find(matches) ?? null;
}

/** Handler of the snapshot comm target. */
export type CommOpenHandler = (
  comm: Kernel.IComm,
  msg: KernelMessage.ICommOpenMsg,
  kernel: Kernel.IKernelConnection
) => void;

/**
 * Register the snapshot comm target on the kernel of every notebook, now and
 * whenever a notebook gets a new kernel. The callback returns at once: the
 * kernel connection handles its messages in order and must not wait for us.
 */
export function watchNotebookKernels(
  tracker: INotebookTracker,
  onOpen: CommOpenHandler
): void {
  const registered = new WeakSet<Kernel.IKernelConnection>();
  const register = (
    kernel: Kernel.IKernelConnection | null | undefined
  ): void => {
    if (!kernel || kernel.isDisposed || registered.has(kernel)) {
      return;
    }
    registered.add(kernel);
    kernel.registerCommTarget(SNAPSHOT_TARGET, (comm, msg) => {
      try {
        onOpen(comm, msg, kernel);
      } catch (error) {
        console.error('jupyterlab_mlops: snapshot comm handler failed', error);
      }
    });
  };
  const watch = (panel: NotebookPanel): void => {
    register(panel.sessionContext.session?.kernel);
    panel.sessionContext.kernelChanged.connect((_, change) =>
      register(change.newValue)
    );
  };
  tracker.forEach(watch);
  tracker.widgetAdded.connect((_, panel) => watch(panel));
}

/** JupyterLab notifications behind {@link INotifier}. */
export const labNotifier: INotifier = {
  progress: message => toast.emit(message, 'in-progress', { autoClose: false }),
  update: (id, type, message) =>
    void toast.update({
      id,
      message,
      type,
      autoClose: type === 'error' ? false : 6000
    })
};

/** `resolveBackend` for the protocol, with `GET status` cached for a minute. */
export function backendResolver(
  settings: ServerConnection.ISettings
): (trackingUri: string, backend: string | null) => Promise<string | null> {
  let cache: { at: number; backends: IBackendLike[] } | null = null;
  return async (trackingUri, backend) => {
    if (backend) {
      return backend;
    }
    if (!cache || Date.now() - cache.at > 60000) {
      const status = await getStatus(settings);
      cache = { at: Date.now(), backends: status.backends };
    }
    return matchBackend(trackingUri, null, cache.backends);
  };
}
