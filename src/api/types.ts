/**
 * TypeScript mirror of the server extension's REST models
 * (`{base_url}/jupyterlab-mlops/...`). Field names follow the wire format.
 */

/** Which protocol dialect a backend speaks. */
export type BackendKind = 'mlflow' | 'gitlab';

/** Lifecycle of a backend as seen by the server extension. */
export type BackendHealth = 'starting' | 'healthy' | 'unreachable' | 'failed';

/**
 * Feature flags a backend advertises (jupyterlab_mlops/client/dialect.py);
 * GitLab's dialect lacks most of them.
 */
export interface IBackendCapabilities {
  run_filter?: boolean;
  multi_experiment_search?: boolean;
  order_by_params?: boolean;
  overwrite_tags?: boolean;
  artifact_directories?: boolean;
  semver_versions?: boolean;
  model_version_search?: boolean;
  /** The credentials may write (and, on GitLab, search); with `reason` when not. */
  write?: boolean;
  /** Why `write` is false. */
  reason?: string;
}

/**
 * What the supervisor of the embedded server adds to its backend in `status`
 * (all optional: a remote backend, or an older server, has none of them).
 */
export interface IEmbeddedSupervisor {
  /** Jupyter runs this backend, so it can restart it. */
  restartable?: boolean;
  /** The server log's last error line while it is down, else null. */
  cause?: string | null;
  /** Path of the server log on the Jupyter server. */
  log_path?: string;
  /** Automatic restarts spent in the current window. */
  restarts?: number;
  max_restarts?: number;
  restart_window_s?: number;
  /** Seconds since it went down (null while healthy). */
  down_for_s?: number | null;
}

/** One configured backend, as reported by `GET status` (the embedded one with its supervisor's fields). */
export interface IBackendStatus extends IEmbeddedSupervisor {
  /** Name used in URLs: `backends/{name}/mlflow/...`. */
  name: string;
  kind: BackendKind;
  /** Backend URL without credentials. */
  url: string;
  /** True for the MLflow server started and supervised by the server extension. */
  embedded: boolean;
  health: BackendHealth;
  /** Human-readable explanation of `health`. */
  message: string;
  capabilities: IBackendCapabilities;
}

/** Batches the kernels set aside after the backend kept failing on them (5xx). */
export interface ISpoolAside {
  batches: number;
  items: number;
  /** Distinct reasons, the first five. */
  reasons: string[];
}

/** The durable kernel-side queue of not-yet-delivered log points. */
export interface ISpoolStatus {
  /** Points waiting to be delivered. */
  depth: number;
  /** Spool directory on the server. */
  path?: string;
  set_aside?: ISpoolAside;
}

/** Answer of `GET status`: the version/health handshake. */
export interface IStatus {
  version: string;
  backends: IBackendStatus[];
  /** Null only when no backend is configured and the embedded one is off. */
  default_backend: string | null;
  spool: ISpoolStatus;
}

/** JSON body of every error response of the server extension. */
export interface IErrorBody {
  message: string;
  reason?: string | null;
  error?: string | null;
}

// ---------------------------------------------------------------------------
// Experiments, runs, metric history, artifacts (`backends/{b}/experiments/...`, `backends/{b}/runs/...`)

/** Milliseconds since the epoch. */
export type Millis = number;

/** A metric value: non-finite values travel as strings. */
export type MetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

/** Lifecycle of a run (candidate). */
export type RunStatus =
  'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

/** Counts of an experiment, computed on demand (`.../summary`). */
export interface IExperimentSummary {
  /** Exact when `run_count_exact`, else a lower bound (show "5,000+"). */
  run_count: number;
  /** False while the server is still counting in the background. */
  run_count_exact: boolean;
  last_activity: Millis | null;
  last_run_id: string | null;
  creator: string | null;
  computed_at: Millis;
}

/** One experiment of the experiments list. */
export interface IExperimentRow {
  experiment_id: string;
  name: string;
  lifecycle_stage: string;
  /** Null on GitLab (not exposed). */
  creation_time: Millis | null;
  last_update_time: Millis | null;
  creator: string | null;
  description: string | null;
  /** GitLab: the model this `[model]<name>` experiment backs. */
  model_name: string | null;
  tags: Record<string, string>;
  /** Filled when already computed on the server, else null. */
  summary: IExperimentSummary | null;
}

/** `GET backends/{b}/experiments`. */
export interface IExperimentsPage {
  backend: string;
  experiments: IExperimentRow[];
  next_page_token: string | null;
  /**
   * The name search was done by the server extension (GitLab); `read_only`:
   * the token may not search, so experiments came from `GET experiments/list`.
   */
  emulated: { search: boolean; read_only: boolean; reason: string | null };
  /** Only in an incremental poll (`since`): experiments whose runs changed (ask their summary again). */
  recount?: string[];
}

/** Column keys the candidates table can show, by kind. */
export interface IAvailableColumns {
  params: string[];
  metrics: string[];
  tags: string[];
}

/** One run (candidate) of the candidates table. */
export interface IRunRow {
  run_id: string;
  run_name: string | null;
  status: RunStatus;
  start_time: Millis | null;
  end_time: Millis | null;
  user_id: string | null;
  /** The owner by name (GitLab: looked up from its numeric id; the id when that failed). */
  user_name?: string | null;
  experiment_id: string;
  /** Only the requested params the run has. */
  params: Record<string, string>;
  /** Latest value of the requested metrics the run has. */
  metrics: Record<string, MetricValue>;
  /** Only the requested tags the run has. */
  tags: Record<string, string>;
}

/** What the server did itself because the backend cannot (GitLab). */
export interface IRunsEmulation {
  filter: boolean;
  order: boolean;
  reason: string | null;
}

/** `GET backends/{b}/experiments/{id}/runs`. */
export interface IRunsPage {
  experiment_id: string;
  runs: IRunRow[];
  /** The requested columns, normalized (`params.lr`, ...). */
  columns: string[];
  available_columns: IAvailableColumns;
  next_page_token: string | null;
  /** Number of matching runs; known only when emulated. */
  total: number | null;
  emulated: IRunsEmulation;
  /**
   * GitLab: "newest first" is GitLab's upload order (`created_at`), not the
   * start time; a run replayed from a spool is listed where it was uploaded.
   */
  order_note?: string | null;
}

/** A file or directory of a run's artifacts. */
export interface IFileInfo {
  path: string;
  is_dir: boolean;
  file_size: number | null;
}

/** Links of a run to GitLab CI, its source and the backend's own UI. */
export interface IRunLinks {
  ci_job: { id: string; url: string | null } | null;
  pipeline: { id: string | null; url: string | null } | null;
  merge_request: { iid: string; url: string | null } | null;
  source: {
    /** `mlflow.source.name` as logged (may be an absolute path). */
    name: string;
    type: string | null;
    /** Relative to the Jupyter root when inside it. */
    path: string | null;
    git_commit: string | null;
  } | null;
  candidate: { iid: string; url: string | null } | null;
  experiment_url: string | null;
  backend_ui_url: string | null;
}

/** Attributes of a run. */
export interface IRunInfo {
  run_id: string;
  run_name: string | null;
  experiment_id: string;
  status: RunStatus;
  start_time: Millis | null;
  end_time: Millis | null;
  user_id: string | null;
  /** The owner by name (GitLab: looked up from its numeric id; the id when that failed). */
  user_name?: string | null;
  artifact_uri: string | null;
  lifecycle_stage: string;
}

/** Latest value of a metric. */
export interface ILatestMetric {
  value: MetricValue;
  step: number;
  timestamp: Millis;
}

/** `GET backends/{b}/runs/{run_id}`: one run in full. */
export interface IRunDetail {
  info: IRunInfo;
  params: Record<string, string>;
  metrics: Record<string, ILatestMetric>;
  /** User tags. */
  tags: Record<string, string>;
  /** `mlflow.*` and `gitlab.*` tags. */
  system_tags: Record<string, string>;
  links: IRunLinks;
  /** Top level of the artifacts; `note` says why it is empty. */
  artifacts: { files: IFileInfo[]; note: string | null };
  /** MLflow 3 logged models of the run (`supported` false on GitLab). */
  logged_models: ILoggedModelList;
}

/** One MLflow 3 logged model; its files are the artifacts of "run" `model_id`. */
export interface ILoggedModel {
  model_id: string;
  name: string;
  experiment_id: string;
  source_run_id: string | null;
  status: string | null;
  model_type: string | null;
  creation_timestamp: number | null;
  tags: Record<string, string>;
  params: Record<string, string>;
  metrics: Record<string, ILatestMetric>;
  /** Flavors of its `MLmodel`, `python_function` last. */
  flavors: string[];
  /** What promote registers: `models:/m-<id>`. */
  source: string;
  artifacts: { files: IFileInfo[]; note: string | null };
}

/** The run's logged models; `supported` is false where the backend has none. */
export interface ILoggedModelList {
  supported: boolean;
  models: ILoggedModel[];
  truncated: boolean;
  note: string | null;
}

/** X axis of a metric history. */
export type MetricAxis = 'step' | 'time';

/** `GET backends/{b}/runs/{run_id}/metrics/{key}`: a downsampled series. */
export interface IMetricHistory {
  run_id: string;
  key: string;
  x: MetricAxis;
  /** `[x, y]`, sorted by x, at most `max_points`. */
  points: [number, number][];
  /** Finite points before downsampling. */
  total: number;
  /** NaN/Infinity values left out. */
  skipped: number;
  downsampled: boolean;
  method: 'lttb' | 'minmax' | 'none';
  /** `latest`: a GitLab without metrics/get-history gave only the latest value. */
  source: 'history' | 'latest';
}

/** `GET backends/{b}/runs/{run_id}/artifacts?path=`. */
export interface IArtifactList {
  run_id: string;
  /** The listed directory ('' for the root). */
  path: string;
  files: IFileInfo[];
  note: string | null;
}
