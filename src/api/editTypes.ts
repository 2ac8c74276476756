/**
 * Editing runs and experiments: the answers of the edit routes
 * (`jupyterlab_mlops/views/wire/edits.py`).
 */
import { IExperimentRow, Millis, RunStatus } from './types';

/** Tags to set (added or changed) and to remove. */
export interface ITagChanges {
  set?: Record<string, string>;
  remove?: string[];
}

/** Body of `PATCH backends/{b}/runs/{run_id}/edit`. */
export interface IRunEditRequest {
  run_name?: string;
  /** The run's description (`mlflow.note.content`); '' removes it. */
  description?: string;
  tags?: ITagChanges;
}

/** `PATCH backends/{b}/runs/{run_id}/edit`: the run as edited. */
export interface IRunEdit {
  run_id: string;
  experiment_id: string;
  run_name: string | null;
  lifecycle_stage: string;
  description: string | null;
  tags: Record<string, string>;
  system_tags: Record<string, string>;
}

export interface IRunRef {
  run_id: string;
  run_name: string | null;
}

export interface IRunRefused extends IRunRef {
  message: string;
}

/** `POST .../experiments/{id}/runs/delete|restore`. */
export interface IRunsChanged {
  experiment_id: string;
  runs: IRunRef[];
  /** Runs the backend refused (e.g. GitLab: one behind a model version). */
  failed: IRunRefused[];
  /** Deleted for good (GitLab): no undo. */
  permanent: boolean;
}

export interface IDeletedRun extends IRunRef {
  status: RunStatus;
  start_time: Millis | null;
  end_time: Millis | null;
}

/** `GET .../experiments/{id}/runs/deleted` (`supported` false on GitLab). */
export interface IDeletedRuns {
  experiment_id: string;
  supported: boolean;
  runs: IDeletedRun[];
  truncated: boolean;
  note: string | null;
}

/** Body of `PATCH .../experiments/{id}/edit`. */
export interface IExperimentEditRequest {
  name?: string;
  description?: string;
  tags?: ITagChanges;
}

/** `POST .../experiments/{id}/delete|restore`. */
export interface IExperimentChanged {
  experiment_id: string;
  name: string;
  permanent: boolean;
}

/** `GET backends/{b}/experiments/deleted` (`supported` false on GitLab). */
export interface IDeletedExperiments {
  supported: boolean;
  experiments: IExperimentRow[];
  truncated: boolean;
  note: string | null;
}
