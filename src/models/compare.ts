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
  IRunRef
} from '../api/compare';
import { getStatus } from '../api/endpoints';
import { IStatus } from '../api/types';
import { WriteBlocked, writeBlockedBy } from './capabilities';
import { Resource } from './resource';

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
