/**
 * The kernel <-> frontend snapshot protocol, free of JupyterLab widgets so it
 * can be tested with fake comms and kernels. When a run ends, the kernel waits
 * for the end of the cell and opens a comm on `jupyterlab_mlops.snapshot`; the
 * window whose notebook runs that kernel acks at once (`take: false` when
 * automatic snapshots are off), waits for that cell's `idle`, saves the
 * notebook, POSTs `backends/{b}/runs/{run_id}/snapshot` and replies `done` or
 * `error`. A window without the kernel stays silent: the kernel snapshots from
 * disk after `ack_timeout`. Each `request_id` is handled once per window.
 */
import type { ISnapshotResult, ISnapshotRunRef } from '../api/snapshot';
import { errorMessage } from '../common/errors';
import { IKernelEnv, ISnapshotRequest, parseRequest } from './messages';

export * from './messages';

/** What the protocol needs of a comm (a `Kernel.IComm` fits). */
export interface ICommLike {
  send(data: any): unknown;
}

/** What the protocol needs of a `comm_open` message. */
export interface IOpenMsgLike {
  content: { data?: unknown };
  parent_header?: { msg_id?: string } | Record<string, never>;
}

/** An open notebook that can be snapshotted (a `NotebookPanel` adapted). */
export interface ISnapshotNotebook {
  /** File name, for messages. */
  name: string;
  /** Server-relative path. */
  path: string;
  kernelId: string | null;
  /**
   * Save the notebook (rejects when it cannot be saved). Also brings the
   * kernel's session path up to date when it lags (a notebook renamed while
   * its kernel was starting keeps the old path in its session).
   */
  save(): Promise<void>;
  /** nbformat JSON of the live model. */
  toJSON(): unknown;
}

/** Services the automatic-snapshot handler relies on. */
export interface IRequestHandlerDeps {
  /** The notebook of this window whose kernel has this id, or null. */
  findNotebook(kernelId: string): ISnapshotNotebook | null;
  /** The user setting `autoSnapshot`. */
  autoSnapshot(): boolean;
  /** The server backend of a kernel's tracking URI (null: none matches). */
  resolveBackend(
    trackingUri: string,
    backend: string | null
  ): Promise<string | null>;
  /** Save and POST, with the user notified; rejects with a readable error. */
  take(
    nb: ISnapshotNotebook,
    ref: ISnapshotRunRef,
    env: IKernelEnv
  ): Promise<ISnapshotResult>;
  /** Show a problem that is not an error of `take` (e.g. no backend). */
  warn(message: string): void;
}

/** Send on a comm that may already be closed; never throws. */
export function safeSend(
  comm: ICommLike,
  data: Record<string, unknown>
): boolean {
  try {
    comm.send(data);
    return true;
  } catch (error) {
    console.warn(
      'jupyterlab_mlops: cannot answer the kernel snapshot request',
      error
    );
    return false;
  }
}

/** Remembers the last request ids (each is handled once per window). */
class SeenIds {
  constructor(private readonly _max = 500) {}
  /** True the first time an id is seen. */
  add(id: string): boolean {
    if (this._ids.has(id)) {
      return false;
    }
    this._ids.add(id);
    if (this._ids.size > this._max) {
      this._ids.delete(this._ids.values().next().value as string);
    }
    return true;
  }
  private _ids = new Set<string>();
}

/**
 * Handles the kernels' automatic snapshot requests (protocol part A).
 * `handleOpen` never throws into the kernel connection and never makes it
 * wait: the work after the ack runs detached (its promise is returned for tests).
 */
export class SnapshotRequestHandler {
  constructor(deps: IRequestHandlerDeps) {
    this._deps = deps;
  }

  /**
   * A `comm_open` for {@link SNAPSHOT_TARGET} on a kernel connection.
   *
   * @param waitForCell - resolves when the cell with that `execute_request` id has finished
   * @returns the detached work, or null when nothing is done in this window
   */
  handleOpen(
    comm: ICommLike,
    msg: IOpenMsgLike,
    connectionKernelId: string,
    waitForCell: (parentMsgId: string | undefined) => Promise<void>
  ): Promise<void> | null {
    try {
      const request = parseRequest(msg.content?.data);
      if (!request || !this._seen.add(request.request_id)) {
        return null;
      }
      const nb = this._deps.findNotebook(
        request.kernel_id ?? connectionKernelId
      );
      if (!nb) {
        return null; // another window may have it; the kernel falls back after its ack timeout
      }
      const take = this._deps.autoSnapshot();
      safeSend(comm, { type: 'ack', request_id: request.request_id, take });
      if (!take) {
        return null;
      }
      const parent = (msg.parent_header as { msg_id?: string } | undefined)
        ?.msg_id;
      return this._run(comm, request, nb, waitForCell(parent));
    } catch (error) {
      console.error('jupyterlab_mlops: snapshot request failed', error);
      return null;
    }
  }

  private async _run(
    comm: ICommLike,
    request: ISnapshotRequest,
    nb: ISnapshotNotebook,
    cellEnd: Promise<void>
  ): Promise<void> {
    const reply = (data: Record<string, unknown>) =>
      safeSend(comm, { request_id: request.request_id, ...data });
    try {
      await cellEnd.catch(() => undefined);
      const backend = await this._deps.resolveBackend(
        request.tracking_uri,
        request.backend
      );
      if (!backend) {
        const message =
          `Snapshot skipped: this kernel logs to ${request.tracking_uri || '(no tracking URI)'}, ` +
          'which is not a configured backend.';
        this._deps.warn(message);
        reply({ type: 'error', message });
        return;
      }
      const result = await this._deps.take(
        nb,
        { backend, run_id: request.run_id },
        { packages: request.packages, python: request.python }
      );
      reply({ type: 'done', result });
    } catch (error) {
      reply({ type: 'error', message: errorMessage(error) });
    }
  }

  private _deps: IRequestHandlerDeps;
  private _seen = new SeenIds();
}
