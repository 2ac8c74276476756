import { PathExt } from '@jupyterlab/coreutils';
import { Contents, ServerConnection } from '@jupyterlab/services';
import { withoutTrust } from '../common/drives/notebookTrust';
import { ReadOnlyDrive } from '../common/drives/readOnlyDrive';

import { getSnapshot, ISnapshotRunRef, ISnapshotView } from '../api/snapshot';

/** Name of the drive: paths look like `MLOpsSnapshot:<backend>/<run_id>/<stem>@<id8>.ipynb`. */
export const SNAPSHOT_DRIVE = 'MLOpsSnapshot';

/** The run of a drive path (backend and run id are URI-encoded in it). */
export function parseSnapshotPath(localPath: string): ISnapshotRunRef {
  const parts = localPath.replace(/^\/+/, '').split('/');
  return {
    backend: decodeURIComponent(parts[0] ?? ''),
    run_id: decodeURIComponent(parts[1] ?? '')
  };
}

/** Longest run name kept in a snapshot's file name. */
const NAME_MAX = 60;

/**
 * File name of a snapshot in the drive (the tab title): `train.ipynb` of run
 * "baseline" → `train@baseline.ipynb`; without a run name, the short id
 * (`train@1a2b3c4d.ipynb`).
 */
export function snapshotFileName(
  originalPath: string,
  runId: string,
  runName?: string | null
): string {
  const base = PathExt.basename(originalPath || 'notebook.ipynb');
  const stem = base.replace(/\.ipynb$/i, '') || 'notebook';
  const name = (runName ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f/\\:?#%*"<>|]+/g, ' ')
    .trim();
  const label =
    name.length > NAME_MAX ? `${name.slice(0, NAME_MAX - 1)}…` : name;
  return `${stem}@${label || runId.slice(0, 8)}.ipynb`;
}

/** Snapshots kept in memory (reopening a tab, restoring the layout). */
const MAX_KEPT = 8;

/**
 * A read-only JupyterLab drive serving runs' notebook snapshots: the
 * notebook opens in JupyterLab's own notebook view, marked read-only, and
 * nothing is written to the user's files.
 */
export class SnapshotDrive extends ReadOnlyDrive {
  constructor(serverSettings: ServerConnection.ISettings) {
    super(
      SNAPSHOT_DRIVE,
      serverSettings,
      'Notebook snapshots are read-only: use "Restore as new notebook" to get an editable copy.'
    );
  }

  /** Keep a fetched snapshot (the opener fetched it already) and return its global path. */
  remember(view: ISnapshotView): string {
    const ref = { backend: view.backend, run_id: view.run_id };
    this._keep(ref, view);
    const file = snapshotFileName(
      view.snapshot.path,
      view.run_id,
      view.run_name
    );
    return `${SNAPSHOT_DRIVE}:${encodeURIComponent(ref.backend)}/${encodeURIComponent(ref.run_id)}/${file}`;
  }

  /** The snapshot of a run: remembered, else fetched. */
  async view(ref: ISnapshotRunRef): Promise<ISnapshotView> {
    const hit = this._views.get(this._key(ref));
    if (hit) {
      return hit;
    }
    const view = await getSnapshot(ref, this.serverSettings);
    this._keep(ref, view);
    return view;
  }

  async get(
    localPath: string,
    options: Contents.IFetchOptions = {}
  ): Promise<Contents.IModel> {
    const ref = parseSnapshotPath(localPath);
    const view = await this.view(ref);
    const created = new Date(view.snapshot.created || 0).toISOString();
    const name = PathExt.basename(localPath);
    return {
      name,
      path: `${SNAPSHOT_DRIVE}:${localPath.replace(/^\/+/, '')}`,
      type: 'notebook',
      writable: false,
      created,
      last_modified: created,
      mimetype: 'application/x-ipynb+json',
      format: options.content === false ? null : 'json',
      // Cells never arrive trusted (drives/notebookTrust.ts).
      content: options.content === false ? null : withoutTrust(view.notebook),
      size: view.snapshot.size
    };
  }

  async getDownloadUrl(): Promise<string> {
    return this.refuse();
  }
  protected clear(): void {
    this._views.clear();
  }

  /** Keep the few most recent snapshots only (notebooks can be large). */
  private _keep(ref: ISnapshotRunRef, view: ISnapshotView): void {
    const key = this._key(ref);
    this._views.delete(key);
    this._views.set(key, view);
    while (this._views.size > MAX_KEPT) {
      this._views.delete(this._views.keys().next().value as string);
    }
  }

  private _key(ref: ISnapshotRunRef): string {
    return `${ref.backend}\n${ref.run_id}`;
  }

  private _views = new Map<string, ISnapshotView>();
}
