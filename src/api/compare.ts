/**
 * Compare routes (`GET compare`, `GET compare.csv`): types mirroring
 * the server's compare view (`jupyterlab_mlops/views/compare.py`) and one
 * function per endpoint.
 */
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI, requestBlob } from './request';

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

/** What one run's series shares in both forms. */
interface ICompareSeriesRunBase extends IRunRef {
  total: number;
  shipped: number;
  method: 'lttb' | 'minmax' | 'none';
  source: 'history' | 'sampled' | 'run' | 'latest';
  cached: boolean;
}

/** One run's downsampled history of one metric, as the server sends it: `[x, y]` rows. */
export interface ICompareSeriesRunWire extends ICompareSeriesRunBase {
  points: [number, number | null][];
}

/** One run's downsampled history of one metric, as columns (what the charts take). */
export interface ICompareSeriesRun extends ICompareSeriesRunBase {
  x: number[];
  y: (number | null)[];
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

/** Answer of `GET compare`, with the series as columns. */
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

/** Answer of `GET compare` on the wire (series as `points` rows). */
export interface ICompareResultWire extends Omit<ICompareResult, 'series'> {
  series: { key: string; runs: ICompareSeriesRunWire[] }[];
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

/** The answer with its series as columns (`x`, `y`) instead of `points` rows. */
export function normalizeCompare(wire: ICompareResultWire): ICompareResult {
  return {
    ...wire,
    series: (wire.series ?? []).map(series => ({
      key: series.key,
      runs: series.runs.map(({ points, ...run }) => ({
        ...run,
        x: (points ?? []).map(p => p[0]),
        y: (points ?? []).map(p => (typeof p[1] === 'number' ? p[1] : null))
      }))
    })),
    errors: wire.errors ?? [],
    series_omitted: wire.series_omitted ?? []
  };
}

/** `GET compare`: params, latest metrics and downsampled histories of 2..50 runs. */
export async function getCompare(
  query: ICompareQuery,
  settings?: ServerConnection.ISettings
): Promise<ICompareResult> {
  return normalizeCompare(
    await requestAPI<ICompareResultWire>(
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
