/** Experiments, runs, metric history and artifact routes, one function per endpoint. */
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI, requestResponse } from './request';
import {
  IArtifactList,
  IExperimentRow,
  IExperimentsPage,
  IMetricHistory,
  IRunDetail,
  IRunsPage,
  IStatus,
  MetricAxis
} from './types';

/** Query parameters; `undefined`, `null` and '' are left out, arrays repeat. */
export type Query = Record<
  string,
  string | number | boolean | null | undefined | string[]
>;

/** `?a=1&b=x&b=y` from a {@link Query} ('' when nothing is set). */
export function queryString(query: Query): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === undefined || v === null || v === '') {
        continue;
      }
      const text = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Path of a backend's routes: `backends/{b}`. */
function backendPath(backend: string, ...rest: string[]): string {
  return ['backends', backend, ...rest].map(encodeURIComponent).join('/');
}

/** `GET status`: version, backends and their health, spool depth. */
export function getStatus(
  settings?: ServerConnection.ISettings
): Promise<IStatus> {
  return requestAPI<IStatus>('status', {}, settings);
}

/** Options of {@link listExperiments}. */
export interface IListExperimentsOptions {
  /** Case-insensitive substring of the name. */
  search?: string;
  maxResults?: number;
  pageToken?: string | null;
  /** `name`, `creation_time` or `last_update_time`, then ` ASC`/` DESC`. */
  orderBy?: string;
  /**
   * Incremental poll: only experiments created or updated at or after this
   * time (ms), and in `recount` those of {@link ids} whose runs changed.
   */
  since?: number;
  /** With {@link since}: the experiments whose run activity to check. */
  ids?: readonly string[];
  /** With {@link since}: run activity at or after this time (ms; default `since`). */
  runsSince?: number;
}

/** `GET backends/{b}/experiments`: one page of experiments. */
export function listExperiments(
  backend: string,
  options: IListExperimentsOptions = {},
  settings?: ServerConnection.ISettings
): Promise<IExperimentsPage> {
  const query = queryString({
    search: options.search,
    max_results: options.maxResults,
    page_token: options.pageToken,
    order_by: options.orderBy,
    since: options.since,
    runs_since: options.runsSince,
    ids: options.ids?.length ? options.ids.join(',') : undefined
  });
  return requestAPI<IExperimentsPage>(
    backendPath(backend, 'experiments') + query,
    {},
    settings
  );
}

/** `GET backends/{b}/experiments/{id}/summary`: the row with its counts. */
export function getExperimentSummary(
  backend: string,
  experimentId: string,
  refresh = false,
  settings?: ServerConnection.ISettings
): Promise<IExperimentRow> {
  const query = refresh ? '?refresh=1' : '';
  return requestAPI<IExperimentRow>(
    backendPath(backend, 'experiments', experimentId, 'summary') + query,
    {},
    settings
  );
}

/** Options of {@link listRuns}. */
export interface IListRunsOptions {
  /** `params.<key>`, `metrics.<key>`, `tags.<key>`. */
  columns?: readonly string[];
  /** MLflow filter syntax. */
  filter?: string;
  /** `<attributes|params|metrics|tags>.<key> [ASC|DESC]`, most significant first. */
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string | null;
  /** Incremental poll: only runs started or ended at or after this time (ms), or live. */
  since?: number;
  /**
   * Let the server choose the columns when the experiment has none of
   * `columns` (its first metrics and params); the page's `columns` says which.
   */
  autoColumns?: boolean;
}

/** `GET backends/{b}/experiments/{id}/runs`: one page of the candidates table. */
export function listRuns(
  backend: string,
  experimentId: string,
  options: IListRunsOptions = {},
  settings?: ServerConnection.ISettings
): Promise<IRunsPage> {
  const query = queryString({
    columns: options.columns?.length ? options.columns.join(',') : undefined,
    filter: options.filter?.trim(),
    order_by: options.orderBy,
    max_results: options.maxResults,
    page_token: options.pageToken,
    since: options.since,
    auto_columns: options.autoColumns ? 1 : undefined
  });
  return requestAPI<IRunsPage>(
    backendPath(backend, 'experiments', experimentId, 'runs') + query,
    {},
    settings
  );
}

/** `GET backends/{b}/runs/{run_id}`: one run in full. */
export function getRun(
  backend: string,
  runId: string,
  settings?: ServerConnection.ISettings
): Promise<IRunDetail> {
  return requestAPI<IRunDetail>(
    backendPath(backend, 'runs', runId),
    {},
    settings
  );
}

/** Options of {@link getMetricHistory}. */
export interface IMetricHistoryOptions {
  /** At most this many points (2..10000). */
  maxPoints?: number;
  x?: MetricAxis;
  method?: 'lttb' | 'minmax';
}

/** `GET backends/{b}/runs/{run_id}/metrics/{key}`: a downsampled series. */
export function getMetricHistory(
  backend: string,
  runId: string,
  key: string,
  options: IMetricHistoryOptions = {},
  settings?: ServerConnection.ISettings
): Promise<IMetricHistory> {
  const query = queryString({
    max_points: options.maxPoints,
    x: options.x,
    method: options.method
  });
  return requestAPI<IMetricHistory>(
    backendPath(backend, 'runs', runId, 'metrics', key) + query,
    {},
    settings
  );
}

/** `GET backends/{b}/runs/{run_id}/artifacts?path=`: one directory. */
export function listArtifacts(
  backend: string,
  runId: string,
  path = '',
  settings?: ServerConnection.ISettings
): Promise<IArtifactList> {
  return requestAPI<IArtifactList>(
    backendPath(backend, 'runs', runId, 'artifacts') + queryString({ path }),
    {},
    settings
  );
}

/** Endpoint of one artifact file's bytes (also a drive's download URL). */
export function artifactDownloadPath(
  backend: string,
  runId: string,
  path: string
): string {
  return (
    backendPath(backend, 'runs', runId, 'artifacts', 'download') +
    queryString({ path })
  );
}

/**
 * `GET backends/{b}/runs/{run_id}/artifacts/download?path=`: the file's bytes.
 *
 * @throws {MlopsApiError} like {@link requestAPI}
 */
export async function downloadArtifact(
  backend: string,
  runId: string,
  path: string,
  settings?: ServerConnection.ISettings
): Promise<ArrayBuffer> {
  const response = await requestResponse(
    artifactDownloadPath(backend, runId, path),
    {},
    settings
  );
  return response.arrayBuffer();
}
