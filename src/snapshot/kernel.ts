/**
 * Kernel-side waits of the snapshot protocol: the end of one cell, and the
 * `active_run` question. Typed on the few members used, so fakes can stand in.
 */
import { IActiveRunInfo, parseActiveRun, SNAPSHOT_TARGET } from './protocol';

/** A kernel message, reduced to what is read here. */
export interface IMsgLike {
  header: { msg_type: string };
  parent_header?: { msg_id?: string } | Record<string, never>;
  content: any;
}

/** A Lumino signal, reduced. */
export interface ISignalLike<T> {
  connect(slot: (sender: any, args: T) => void): boolean;
  disconnect(slot: (sender: any, args: T) => void): boolean;
}

/** What {@link waitForCellEnd} needs of a kernel connection. */
export interface IKernelStatusLike {
  readonly status: string;
  readonly iopubMessage: ISignalLike<IMsgLike>;
}

/** Pause after the cell's `idle`, so that its `execute_reply` (another channel) reaches the cell. */
export const SETTLE_MS = 150;

/**
 * Resolve once the kernel reports `idle` for the request `parentMsgId` (the
 * cell that ended the run) and `settleMs` more have passed (the cell's
 * execution count comes with its `execute_reply`), or after `timeoutMs`.
 * Resolves at once when there is no parent or the kernel is idle already (a
 * run ended in a thread).
 */
export function waitForCellEnd(
  kernel: IKernelStatusLike,
  parentMsgId: string | undefined,
  timeoutMs: number,
  settleMs = SETTLE_MS
): Promise<void> {
  if (!parentMsgId || kernel.status === 'idle') {
    return Promise.resolve();
  }
  return new Promise<void>(resolve => {
    const done = (settle: number): void => {
      clearTimeout(timer);
      kernel.iopubMessage.disconnect(onMessage);
      if (settle > 0) {
        setTimeout(resolve, settle);
      } else {
        resolve();
      }
    };
    const onMessage = (_: unknown, msg: IMsgLike): void => {
      const parent = (msg.parent_header as { msg_id?: string } | undefined)
        ?.msg_id;
      if (
        msg.header.msg_type === 'status' &&
        parent === parentMsgId &&
        (msg.content?.execution_state === 'idle' ||
          msg.content?.execution_state === 'dead')
      ) {
        done(settleMs);
      }
    };
    const timer = setTimeout(() => done(0), timeoutMs);
    kernel.iopubMessage.connect(onMessage);
  });
}

/** A comm opened by the frontend, reduced. */
export interface IOwnCommLike {
  onMsg: ((msg: any) => void | PromiseLike<void>) | null;
  onClose: ((msg: any) => void | PromiseLike<void>) | null;
  open(data?: any): unknown;
  close?(): unknown;
}

/** What {@link queryActiveRun} needs of a kernel connection. */
export interface IKernelCommLike {
  createComm(targetName: string): IOwnCommLike;
}

/** Outcome of {@link queryActiveRun}. */
export type ActiveRunAnswer =
  | { ok: true; info: IActiveRunInfo }
  | { ok: false; reason: 'not_loaded' | 'timeout' | 'error'; message: string };

/** Shown when the kernel has not imported jupyterlab_mlops. */
export const NOT_LOADED_MESSAGE =
  'No run in this kernel: use %%mlops run or mlops.start_run() (after %load_ext jupyterlab_mlops).';

/**
 * Ask the kernel which run to snapshot (protocol part B). The kernel answers
 * once and closes the comm; a kernel without jupyterlab_mlops closes it
 * without answering.
 */
export function queryActiveRun(
  kernel: IKernelCommLike,
  timeoutMs = 15000
): Promise<ActiveRunAnswer> {
  return new Promise<ActiveRunAnswer>(resolve => {
    let settled = false;
    const finish = (answer: ActiveRunAnswer): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(answer);
      }
    };
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          reason: 'timeout',
          message:
            'The kernel did not answer (is it busy running a cell?). Try again when it is idle.'
        }),
      timeoutMs
    );
    try {
      const comm = kernel.createComm(SNAPSHOT_TARGET);
      comm.onMsg = (msg: IMsgLike) => {
        const data = msg.content?.data;
        const info = parseActiveRun(data);
        if (info) {
          finish({ ok: true, info });
        } else {
          const text =
            typeof data?.message === 'string'
              ? data.message
              : 'unexpected answer';
          finish({
            ok: false,
            reason: 'error',
            message: `The kernel answered: ${text}`
          });
        }
      };
      comm.onClose = () =>
        finish({
          ok: false,
          reason: 'not_loaded',
          message: NOT_LOADED_MESSAGE
        });
      comm.open({ type: 'active_run' });
    } catch (error) {
      finish({
        ok: false,
        reason: 'error',
        message: `Cannot ask the kernel: ${error instanceof Error ? error.message : String(error)}`
      });
    }
  });
}
