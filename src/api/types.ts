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
  [capability: string]: boolean | undefined;
}

/** One configured backend, as reported by `GET status`. */
export interface IBackendStatus {
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

/** The durable kernel-side queue of not-yet-delivered log points. */
export interface ISpoolStatus {
  /** Points waiting to be delivered. */
  depth: number;
  /** Spool directory on the server. */
  path?: string;
}

/** Answer of `GET status`: the version/health handshake. */
export interface IStatus {
  version: string;
  backends: IBackendStatus[];
  default_backend: string;
  spool: ISpoolStatus;
}

/** JSON body of every error response of the server extension. */
export interface IErrorBody {
  message: string;
  reason?: string | null;
  error?: string | null;
}
