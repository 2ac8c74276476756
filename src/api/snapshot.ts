/**
 * Notebook snapshot routes (`backends/{b}/runs/{run_id}/snapshot`,
 * `.../snapshot/restore`, `snapshots/diff`): one function per endpoint; the
 * wire types are in `snapshotTypes.ts`.
 */
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from './request';
import {
  IRestoreResult,
  ISnapshotDiff,
  ISnapshotResult,
  ISnapshotRunRef,
  ISnapshotView,
  ITakeSnapshotRequest
} from './snapshotTypes';

export * from './snapshotTypes';

function runPath(ref: ISnapshotRunRef, ...rest: string[]): string {
  return ['backends', ref.backend, 'runs', ref.run_id, ...rest]
    .map(encodeURIComponent)
    .join('/');
}

/** `backend:run_id`, the form the diff route takes. */
export function refString(ref: ISnapshotRunRef): string {
  return `${ref.backend}:${ref.run_id}`;
}

/** `POST backends/{b}/runs/{run_id}/snapshot`: take a snapshot for a run. */
export function takeSnapshot(
  ref: ISnapshotRunRef,
  body: ITakeSnapshotRequest,
  settings?: ServerConnection.ISettings
): Promise<ISnapshotResult> {
  return requestAPI<ISnapshotResult>(
    runPath(ref, 'snapshot'),
    { method: 'POST', body: JSON.stringify(body) },
    settings
  );
}

/** `GET backends/{b}/runs/{run_id}/snapshot`: the record and the notebook. */
export function getSnapshot(
  ref: ISnapshotRunRef,
  settings?: ServerConnection.ISettings
): Promise<ISnapshotView> {
  return requestAPI<ISnapshotView>(runPath(ref, 'snapshot'), {}, settings);
}

/** `POST .../snapshot/restore`: write it as a new notebook (never overwrites). */
export function restoreSnapshot(
  ref: ISnapshotRunRef,
  dir?: string,
  settings?: ServerConnection.ISettings
): Promise<IRestoreResult> {
  return requestAPI<IRestoreResult>(
    runPath(ref, 'snapshot', 'restore'),
    { method: 'POST', body: JSON.stringify(dir === undefined ? {} : { dir }) },
    settings
  );
}

/** `GET snapshots/diff?a=&b=`: cell-level diff of two runs' snapshots. */
export function getSnapshotDiff(
  a: ISnapshotRunRef,
  b: ISnapshotRunRef,
  settings?: ServerConnection.ISettings
): Promise<ISnapshotDiff> {
  const query = `?a=${encodeURIComponent(refString(a))}&b=${encodeURIComponent(refString(b))}`;
  return requestAPI<ISnapshotDiff>(`snapshots/diff${query}`, {}, settings);
}
