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

/** The run tag a snapshot sets (the notebook's sha256; `jupyterlab_mlops/snapshot/record.py`). */
export const SNAPSHOT_SHA_TAG = 'mlops.snapshot.sha256';
/** The artifacts of a snapshot, flat at the top of the run's artifacts. */
export const SNAPSHOT_ARTIFACTS = ['notebook.ipynb', 'snapshot.json'];

/**
 * Whether a run has a notebook snapshot: its tag (set with the upload), or
 * both artifacts at the top level (a tag write that failed after the upload).
 */
export function hasSnapshot(
  tags: Record<string, string>,
  files: { path: string; is_dir: boolean }[] = []
): boolean {
  if (tags[SNAPSHOT_SHA_TAG]) {
    return true;
  }
  const top = new Set(files.filter(f => !f.is_dir).map(f => f.path));
  return SNAPSHOT_ARTIFACTS.every(name => top.has(name));
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
