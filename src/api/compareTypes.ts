/**
 * Wire types of `GET compare` (the server's `jupyterlab_mlops/views/wire/compare.py`), and the
 * column form the charts take.
 */

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
  /** Points of the history (finite or not). */
  total: number;
  shipped: number;
  method: 'lttb' | 'none';
  source: 'history' | 'sampled' | 'latest';
  cached: boolean;
}

/** One run's downsampled history of one metric, as the server sends it: `[x, y]` rows. */
export interface ICompareSeriesRunWire extends ICompareSeriesRunBase {
  /** NaN/Infinity values left out. */
  skipped: number;
  downsampled: boolean;
  points: [number, number][];
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

/** A run the server could not read (a series: `backend` and `run_id` null). */
export interface ICompareError {
  backend: string | null;
  run_id: string | null;
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
