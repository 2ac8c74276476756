/**
 * Wire types of the promote and registry routes (`models`, `backends/{b}/models/...`).
 * Times are ms since the epoch on both dialects.
 */

/** A version that a 409 points at, or a notification links to. */
export interface IVersionRef {
  version: string;
  version_id: string;
  semver: string | null;
  /** `backends/{b}/models/{name}/versions/{version}` */
  route?: string;
  web_url?: string | null;
}

/** Answer of `GET .../next-version`. */
export interface INextVersion {
  model: string;
  exists: boolean;
  latest: {
    version: string;
    semver: string | null;
    version_id: string;
    run_id: string | null;
  } | null;
  suggested: string;
  bumps: { patch: string; minor: string; major: string };
  /** The semver rule, in words. */
  rule: string;
  /** GitLab's model-name rule, in words. */
  name_rule: string;
}

/** Body of `POST .../versions`. */
export interface IPromoteRequest {
  run_id: string;
  version?: string;
  description?: string;
  create_model?: boolean;
  /** MLflow: a logged model's id (`m-...`) or `artifacts` (default: the run's newest logged model). */
  source?: string;
}

/** One row of a model's version list. */
export interface IVersionSummary {
  version: string;
  version_id: string;
  semver: string | null;
  created: number | null;
  last_updated: number | null;
  user_id: string | null;
  /** Who made it, by name (GitLab: looked up; the id when that failed). */
  user_name?: string | null;
  description: string | null;
  status: string | null;
  run_id: string | null;
  /** The source run (candidate) of the version, with its name (null: none, or unreadable). */
  candidate: {
    backend: string;
    run_id: string;
    run_name: string | null;
  } | null;
  route: string;
  web_url: string | null;
  /** MLflow aliases pointing at this version (always empty on GitLab). */
  aliases: string[];
}

/** An alias of a model and the version (as shown) it points at. */
export interface IAliasRef {
  alias: string;
  version: string;
}

/** Answer of `POST .../aliases` and `DELETE .../aliases/{alias}`: the model's aliases after. */
export interface IModelAliases {
  aliases: IAliasRef[];
}

/** Answer 201 of `POST .../versions`. */
export interface IPromoteResult {
  version: IVersionSummary;
  model: string;
  backend: string;
  /** GitLab linked the run | GitLab fallback (copied) | MLflow registered. */
  path: 'run' | 'copy' | 'registered';
  notes: string[];
  lineage: Record<string, string>;
}

/** One metric of the champion check. */
export interface IChampionRow {
  key: string;
  candidate: number | string | null;
  champion: number | string | null;
  /** Non-finite differences travel as 'NaN' / 'Infinity' / '-Infinity'. */
  delta: number | string | null;
  direction: 'min' | 'max';
  better: 'candidate' | 'champion' | 'equal' | null;
}

/** Answer of `GET .../champion`. */
export interface IChampionCheck {
  candidate: {
    run_id: string;
    run_name: string | null;
    metrics: Record<string, number | string | null>;
  };
  champion: {
    version: string;
    semver: string | null;
    /** 'alias': the version the `champion` alias points at; 'latest': no such alias (or GitLab). */
    by: 'alias' | 'latest';
    run_id: string | null;
    metrics: Record<string, number | string | null>;
  } | null;
  rows: IChampionRow[];
}

/** One row of the registry table. */
export interface IModelRow {
  backend: string;
  backend_kind: 'mlflow' | 'gitlab';
  name: string;
  description: string | null;
  latest_version: {
    version: string;
    semver: string | null;
    version_id: string;
  } | null;
  version_count: number;
  creation_timestamp: number | null;
  last_updated_timestamp: number | null;
  updated_by: string | null;
  /** `updated_by` by name (GitLab: looked up; the id when that failed). */
  updated_by_name?: string | null;
  web_url: string | null;
}

/** A backend that failed while listing models. */
export interface IBackendError {
  backend: string;
  message: string;
  error: string;
}

/** Answer of `GET models`. */
export interface IModelsList {
  models: IModelRow[];
  errors: IBackendError[];
}

/** Answer of `GET backends/{b}/models/{name}`. */
export interface IModelPage {
  backend: string;
  backend_kind: 'mlflow' | 'gitlab';
  name: string;
  description: string | null;
  user_id: string | null;
  /** The creator by name (GitLab: looked up; the id when that failed). */
  user_name?: string | null;
  creation_timestamp: number | null;
  last_updated_timestamp: number | null;
  web_url: string | null;
  /** The latest version as the backend resolves `models:/<name>/latest`
   * (GitLab: highest MAJOR.MINOR.PATCH, prerelease ignored). */
  latest_version: {
    version: string;
    semver: string | null;
    version_id: string;
  } | null;
  /** Highest semver first. */
  versions: IVersionSummary[];
  aliases: IAliasRef[];
  /** Why there are none (GitLab has no aliases), else null. */
  aliases_note: string | null;
  /** The model's tags, without those MLflow, GitLab and this extension manage. */
  tags: Record<string, string>;
}

/** Body of `POST models`: a new model (without versions). */
export interface ICreateModelRequest {
  backend: string;
  name: string;
  description?: string;
}

/** Body of `PATCH backends/{b}/models/{name}` (any of them; checked before the first write). */
export interface IModelEdit {
  /** A new name (MLflow only: GitLab cannot rename). */
  name?: string;
  description?: string;
  set_tags?: Record<string, string>;
  remove_tags?: string[];
}

/** Body of `PATCH .../versions/{version}`. */
export interface IVersionEditRequest {
  description?: string;
  set_tags?: Record<string, string>;
  remove_tags?: string[];
}

/** Answer of `PATCH .../versions/{version}`. */
export interface IVersionEdit {
  version: string;
  description: string | null;
  tags: Record<string, string>;
}

/** Answer of `DELETE backends/{b}/models/{name}`. */
export interface IDeletedModel {
  name: string;
  versions_deleted: number;
}

/** Answer of `DELETE .../versions/{version}` (the run it came from stays). */
export interface IDeletedVersion {
  name: string;
  version: string;
  aliases_removed: string[];
  run_id: string | null;
}

/** A linked issue, merge request or other URL. */
export interface IVersionLink {
  n: number;
  url: string;
  kind: 'issue' | 'merge_request' | 'link';
  title: string;
}

/** Answer of `POST .../links` and `DELETE .../links/{n}`: the links left. */
export interface IVersionLinks {
  links: IVersionLink[];
}

/** A file of a version. */
export interface IArtifactFile {
  path: string;
  is_dir: boolean;
  file_size: number | null;
}

/** Answer 201 of `PUT .../versions/{v}/artifacts/{file}`: the version's files after the upload. */
export interface IUploadResult {
  path: string;
  size: number;
  artifacts: IArtifactFile[];
}

/** Code that loads the version in a kernel. */
export interface IUseSnippet {
  kind: 'pyfunc' | 'files';
  uri: string;
  code: string;
  params_code: string;
  tracking_uri: string;
  /** False: the kernel needs MLFLOW_TRACKING_URI/TOKEN for this backend. */
  kernel_ready: boolean;
  /** The same code loading `models:/<name>@<alias>`, one per alias of the version. */
  by_alias: { alias: string; uri: string; code: string }[];
}

/** What the server accepts as an upload. */
export interface IUploadInfo {
  max_bytes: number;
  flat_names: boolean;
  name_rule: string;
  name_pattern?: string | null;
}

/** Where the version comes from. */
export interface ILineage {
  source_run: string | null;
  source_backend: string | null;
  source_experiment: string | null;
  snapshot_sha256: string | null;
  git_commit: string | null;
  ci_job_id: string | null;
  path: 'run' | 'copy' | 'registered';
}

/** A metric of the version (value as a string when not finite). */
export interface IVersionMetric {
  value: number | string;
  step: number;
  timestamp: number;
}

/** Answer of `GET .../versions/{version}`. */
export interface IVersionPage extends IVersionSummary {
  backend: string;
  backend_kind: 'mlflow' | 'gitlab';
  model: string;
  tags: Record<string, string>;
  lineage: ILineage;
  params: Record<string, string>;
  metrics: Record<string, IVersionMetric>;
  artifacts: IArtifactFile[];
  artifacts_error: string | null;
  links: IVersionLink[];
  repository: {
    url: string | null;
    commit: string | null;
    commit_url: string | null;
  } | null;
  use_snippet: IUseSnippet;
  upload: IUploadInfo;
  /** CI job, pipeline and merge request of the version's run (GitLab pages). */
  ci: {
    ci_job: { id: string; url: string | null } | null;
    pipeline: { id: string | null; url: string | null } | null;
    merge_request: { iid: string; url: string | null } | null;
  };
  /** Why the version has no aliases (GitLab has none), else null. */
  aliases_note: string | null;
}
