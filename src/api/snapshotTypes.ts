/**
 * Wire types of the snapshot routes (the server's `jupyterlab_mlops/views/wire/snapshots.py`).
 */

/** A run of some backend. */
export interface ISnapshotRunRef {
  backend: string;
  run_id: string;
}

/** The kernel's Python: `{version, implementation, platform}`. */
export type PythonInfo = Record<string, string>;

/** Body of `POST backends/{b}/runs/{run_id}/snapshot`. */
export interface ITakeSnapshotRequest {
  /** Preferred: the server finds the notebook through the kernel's session. */
  kernel_id?: string;
  /** Notebook path relative to the server root (when no kernel_id). */
  path?: string;
  /** nbformat JSON of the live model, only when it cannot be saved first. */
  content?: unknown;
  /** The kernel's packages, relayed from the comm message. */
  packages?: Record<string, string>;
  python?: PythonInfo;
}

/** Answer of a snapshot POST. */
export interface ISnapshotResult {
  uploaded: boolean;
  /** Set when `uploaded` is false: the run already has this exact snapshot. */
  reason?: 'unchanged';
  sha256: string;
  path: string;
  size: number;
  scrubbed: Record<string, number>;
  outputs_truncated: number;
  outputs_dropped: number;
  excluded_cells: number;
  artifacts: string[];
  packages_source: PackagesSource;
  /** '' when the notebook is not in a git repository. */
  git_commit: string;
}

/** Where the package list came from. */
export type PackagesSource = 'kernel' | 'server' | 'unavailable';

/** Git facts of the notebook's repository (all '' when not in one). */
export interface ISnapshotGit {
  commit: string;
  branch: string;
  /** Without credentials. */
  remote: string;
  dirty: boolean;
  /** Capped; the notebook's own diff is left out. */
  diff: string;
  diff_truncated: boolean;
  untracked: string[];
  path_in_repo: string;
  error: string;
}

/** `snapshot.json` of a run. */
export interface ISnapshotRecord {
  format: number;
  path: string;
  sha256: string;
  size: number;
  /** Milliseconds since the epoch. */
  created: number;
  run_id: string;
  backend: string;
  source: 'frontend' | 'disk';
  user: string;
  kernel: {
    id?: string;
    name?: string;
    display_name?: string;
    language?: string;
    language_version?: string;
  };
  python: { version?: string; implementation?: string; platform?: string };
  packages: Record<string, string>;
  packages_source: PackagesSource;
  git: ISnapshotGit;
  scrubbed: Record<string, number>;
  excluded_cells: number;
  outputs_truncated: number;
  outputs_dropped: number;
  cells: number;
}

/** Answer of `GET backends/{b}/runs/{run_id}/snapshot`. */
export interface ISnapshotView extends ISnapshotRunRef {
  /** null when the run has no name. */
  run_name: string | null;
  snapshot: ISnapshotRecord;
  /** nbformat 4 JSON, validated by the server. */
  notebook: Record<string, unknown>;
}

/** Answer of `POST .../snapshot/restore`: the NEW notebook. */
export interface IRestoreResult extends ISnapshotRunRef {
  path: string;
  name: string;
  sha256: string;
  /** The path of the notebook the snapshot was taken from. */
  original: string;
}

/** Status of a cell in a snapshot diff. */
export type CellDiffStatus = 'unchanged' | 'modified' | 'added' | 'removed';

/** One aligned cell of a snapshot diff. */
export interface ICellDiff {
  status: CellDiffStatus;
  a_index: number | null;
  b_index: number | null;
  cell_type: 'code' | 'markdown' | 'raw';
  id: string | null;
  /** b's source (a's for removed cells). */
  source: string;
  /** Unified diff of the sources, '' when equal. */
  source_diff: string;
  /** Execution counts are ignored. */
  outputs_changed: boolean;
  outputs_diff: string;
}

/** One side of a diff. */
export interface IDiffSide extends ISnapshotRunRef {
  /** null when the run has no name. */
  run_name: string | null;
  path: string;
  sha256: string;
}

/** Answer of `GET snapshots/diff`. */
export interface ISnapshotDiff {
  a: IDiffSide;
  b: IDiffSide;
  engine: string;
  summary: Record<CellDiffStatus, number>;
  cells: ICellDiff[];
}
