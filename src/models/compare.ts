/**
 * A compare tab's model: the compared runs (2..50), the x axis, the compare
 * answer and the backends' write access. Views render it; calls go through
 * `src/api/`.
 */
import { ServerConnection } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import {
  COMPARE_MAX_RUNS,
  COMPARE_MIN_RUNS,
  CompareX,
  getCompare,
  getCompareCsv,
  ICompareResult,
  ICompareSeries,
  ICompareSeriesRun,
  IRunRef
} from '../api/compare';
import { getStatus } from '../api/endpoints';
import { IStatus } from '../api/types';
import { WriteBlocked, writeBlockedBy } from './capabilities';
import { Resource } from './resource';
import { isSingleValue } from './singleValue';

/** Points per series the compare tab asks for. */
const MAX_POINTS = 1000;

/** Options of {@link CompareModel}. */
export interface ICompareModelOptions {
  runs: IRunRef[];
  serverSettings?: ServerConnection.ISettings;
}

/** The run refs as a stable key (to notice a changed selection). */
export function runsKey(runs: { backend: string; run_id: string }[]): string {
  return runs.map(r => `${r.backend}:${r.run_id}`).join(',');
}

/** Whether a run logged the metric once (a value, not a curve). */
export function loggedOnce(run: ICompareSeriesRun): boolean {
  return run.total > 0 && isSingleValue({ total: run.total, points: run.x });
}

/**
 * Whether every run that logged the metric logged it once: compare shows a
 * value per run (bars), not one-point curves.
 */
export function isSingleValueSeries(series: ICompareSeries): boolean {
  const logged = series.runs.filter(r => r.total > 0);
  return logged.length > 0 && logged.every(loggedOnce);
}

/** One run's value of a metric logged once (`null`: the run lacks it). */
export interface ISingleValue {
  /** Index of the run in the compare answer. */
  index: number;
  label: string;
  /** Non-finite values as 'NaN' / 'Infinity' / '-Infinity'. */
  value: number | string | null;
  step: number | null;
}

/**
 * The values of `series` per run of `result`, for the runs that logged it
 * once (all runs, with `null` for those that lack it, when `all`).
 */
export function singleValues(
  result: ICompareResult,
  series: ICompareSeries,
  all = true
): ISingleValue[] {
  const latest = result.metrics.find(m => m.key === series.key);
  const out: ISingleValue[] = [];
  result.runs.forEach((run, index) => {
    const s = series.runs.find(
      r => r.backend === run.backend && r.run_id === run.run_id
    );
    const once = !!s && loggedOnce(s);
    if (!once && !all) {
      return;
    }
    const value = once
      ? (latest?.values[index] ?? s!.y[0] ?? null)
      : (latest?.values[index] ?? null);
    out.push({
      index,
      label: run.run_name || run.label,
      value,
      step: latest?.steps[index] ?? (once ? (s!.x[0] ?? null) : null)
    });
  });
  return out;
}

/** See the module docstring. */
export class CompareModel implements IDisposable {
  constructor(options: ICompareModelOptions) {
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
    this._runs = [...options.runs];
    this.result = new Resource(() =>
      getCompare(
        { runs: this._runs, x: this._x, maxPoints: MAX_POINTS },
        this.serverSettings
      )
    );
    this.status = new Resource(() => getStatus(this.serverSettings));
    void this.status.load();
    this._load();
  }

  readonly serverSettings: ServerConnection.ISettings;
  /** The compare answer for {@link runs} and {@link x}. */
  readonly result: Resource<ICompareResult>;
  /** `GET status`, once, for the backends' write access. */
  readonly status: Resource<IStatus>;

  /** Emitted when the runs or the x axis change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get runs(): readonly IRunRef[] {
    return this._runs;
  }
  /** The runs as a stable key. */
  get key(): string {
    return runsKey(this._runs);
  }
  /** Whether there are 2 to 50 runs (else nothing is asked). */
  get countOk(): boolean {
    return (
      this._runs.length >= COMPARE_MIN_RUNS &&
      this._runs.length <= COMPARE_MAX_RUNS
    );
  }
  get x(): CompareX {
    return this._x;
  }
  /** Why writing to a backend is off (null: allowed, also until status answers). */
  get writeBlocked(): WriteBlocked {
    return writeBlockedBy(this.status.value);
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Chart the curves against another x axis. */
  setX(x: CompareX): void {
    if (x !== this._x) {
      this._x = x;
      this._changed.emit();
      this._load();
    }
  }

  /** Leave a run out. */
  removeRun(run: IRunRef): void {
    this._setRuns(
      this._runs.filter(
        r => !(r.backend === run.backend && r.run_id === run.run_id)
      )
    );
  }

  /** Keep the first 50 runs. */
  trim(): void {
    this._setRuns(this._runs.slice(0, COMPARE_MAX_RUNS));
  }

  /** Ask again. */
  reload(): void {
    this._load();
  }

  /** The table as CSV, one row per run. */
  csv(onlyDifferences: boolean): Promise<Blob> {
    return getCompareCsv(
      { runs: this._runs, onlyDifferences },
      this.serverSettings
    );
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.result.dispose();
    this.status.dispose();
    Signal.clearData(this);
  }

  private _setRuns(runs: IRunRef[]): void {
    this._runs = runs;
    this._changed.emit();
    this._load();
  }

  private _load(): void {
    if (this.countOk && !this._isDisposed) {
      void this.result.load();
    }
  }

  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
  private _runs: IRunRef[];
  private _x: CompareX = 'step';
}
