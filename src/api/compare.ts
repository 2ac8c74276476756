/**
 * Compare routes (`GET compare`, `GET compare.csv`): types mirroring
 * `jupyterlab_mlops/client/compare.py` and one function per endpoint.
 */
import { ServerConnection } from '@jupyterlab/services';

import { requestBlob } from './registry';
import { requestAPI } from './request';

/** A run of some backend, as the compare commands take it. */
export interface IRunRef {
  backend: string;
  run_id: string;
}

/** What goes on the x axis of the metric curves. */
export type CompareX = 'step' | 'time' | 'relative';

/** Query of `GET compare` / `GET compare.csv`. */
export interface ICompareQuery {
  runs: IRunRef[];
  /** Metric keys to chart; the server picks (at most 12) when empty. */
  metrics?: string[];
  /** Points per series shipped, 2..2000. */
  maxPoints?: number;
  x?: CompareX;
  onlyDifferences?: boolean;
}

/** One column of every compare table. */
export interface ICompareRun extends IRunRef {
  run_name: string | null;
  experiment_id: string;
  status: string;
  start_time: number | null;
  end_time: number | null;
  user_id: string | null;
  /** Short, unique legend label. */
  label: string;
}

/** One param across the runs (`null`: the run lacks it). */
export interface ICompareParam {
  key: string;
  values: (string | null)[];
  differs: boolean;
}

/** One metric's latest value across the runs. */
export interface ICompareMetric {
  key: string;
  /** Non-finite values travel as 'NaN' / 'Infinity' / '-Infinity'. */
  values: (number | string | null)[];
  steps: (number | null)[];
  differs: boolean;
  /** Index of the best run, when there is one. */
  best: number | null;
  direction: 'min' | 'max';
}

/** One run's downsampled history of one metric (columnar). */
export interface ICompareSeriesRun extends IRunRef {
  x: number[];
  y: (number | null)[];
  /** Row-wise form of x/y that some server versions send instead. */
  points?: [number, number | null][];
  total: number;
  shipped: number;
  method: 'lttb' | 'minmax' | 'none';
  source: 'history' | 'sampled' | 'run' | 'latest';
  cached: boolean;
}

/** The histories of one metric key, one per run. */
export interface ICompareSeries {
  key: string;
  runs: ICompareSeriesRun[];
}

/** A run the server could not read. */
export interface ICompareError extends IRunRef {
  message: string;
  error: string;
}

/** Answer of `GET compare`. */
export interface ICompareResult {
  runs: ICompareRun[];
  params: ICompareParam[];
  metrics: ICompareMetric[];
  series: ICompareSeries[];
  series_omitted: string[];
  x: CompareX;
  max_points: number;
  errors: ICompareError[];
  timing_ms: number;
}

/** Limits of the compare route. */
export const COMPARE_MIN_RUNS = 2;
export const COMPARE_MAX_RUNS = 50;

/** Run refs from untrusted JSON (a command's `runs` argument); a missing backend is `default`. */
export function parseRunRefs(value: unknown): IRunRef[] {
  if (!Array.isArray(value)) {
    return [];
  }
  const refs: IRunRef[] = [];
  for (const item of value) {
    if (!item || typeof item !== 'object') {
      continue;
    }
    const { backend, run_id } = item as { backend?: unknown; run_id?: unknown };
    if (typeof run_id === 'string' && run_id) {
      refs.push({
        backend: typeof backend === 'string' && backend ? backend : 'default',
        run_id
      });
    }
  }
  return refs;
}

/** The query string of a compare call (without `?`). */
export function compareQueryString(query: ICompareQuery): string {
  const parts: string[] = query.runs.map(
    r => `run=${encodeURIComponent(`${r.backend}:${r.run_id}`)}`
  );
  for (const key of query.metrics ?? []) {
    parts.push(`metric=${encodeURIComponent(key)}`);
  }
  if (query.maxPoints !== undefined) {
    parts.push(`max_points=${query.maxPoints}`);
  }
  if (query.x) {
    parts.push(`x=${query.x}`);
  }
  if (query.onlyDifferences) {
    parts.push('only_differences=1');
  }
  return parts.join('&');
}

/** Series as columns (`x`, `y`) whether the server sent columns or `points`. */
export function normalizeCompare(result: ICompareResult): ICompareResult {
  for (const series of result.series ?? []) {
    for (const run of series.runs) {
      if (!Array.isArray(run.x) && Array.isArray(run.points)) {
        run.x = run.points.map(p => p[0]);
        run.y = run.points.map(p => (typeof p[1] === 'number' ? p[1] : null));
        delete run.points;
      }
      run.x = run.x ?? [];
      run.y = run.y ?? [];
    }
  }
  result.errors = result.errors ?? [];
  result.series_omitted = result.series_omitted ?? [];
  return result;
}

/** `GET compare`: params, latest metrics and downsampled histories of 2..50 runs. */
export async function getCompare(
  query: ICompareQuery,
  settings?: ServerConnection.ISettings
): Promise<ICompareResult> {
  return normalizeCompare(
    await requestAPI<ICompareResult>(
      `compare?${compareQueryString(query)}`,
      {},
      settings
    )
  );
}

/** `GET compare.csv`: the table as CSV (one row per run), as a Blob. */
export function getCompareCsv(
  query: ICompareQuery,
  settings?: ServerConnection.ISettings
): Promise<Blob> {
  return requestBlob(`compare.csv?${compareQueryString(query)}`, settings);
}
