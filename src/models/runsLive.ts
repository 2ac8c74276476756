import { IDisposable } from '@lumino/disposable';

import { ChangePoll } from './changePoll';
import { IChange, LiveChanges } from './live';

/** What {@link RunsLive} keeps live: one experiment's table of runs. */
export interface ILiveRuns {
  readonly backend: string;
  readonly experimentId: string;
  /** Whether the first page is loaded (a poll or a change merges into it). */
  isReady(): boolean;
  /** One poll: the runs changed since the newest time loaded, merged; true when something changed. */
  pollChanged(): Promise<boolean>;
  /** Deleted runs: their rows go. */
  dropRows(runIds: readonly string[]): void;
  /** A run renamed where the event says its new name. */
  renameRow(runId: string, name: string | null): void;
  /** Load the first page again. */
  reload(): Promise<void>;
  /** The deleted runs changed. */
  refreshBin(): void;
}

/** Options of {@link RunsLive}. */
export interface IRunsLiveOptions {
  /** Interval (ms) of the poll while runs change (the settings' refreshInterval). */
  interval: number;
  /** The server's change events, or null. */
  live: LiveChanges | null;
}

/**
 * When a table of runs asks for changes: a poll while the table is visible
 * (slower while nothing changes, see {@link ChangePoll}), at once on a change
 * event of its experiment (a change before the first page is kept for
 * after it), and soon on a hint ({@link wake}). An event that says what
 * changed (deleted, renamed, restored) is applied without a poll.
 */
export class RunsLive implements IDisposable {
  constructor(runs: ILiveRuns, options: IRunsLiveOptions) {
    this._runs = runs;
    this._poll = new ChangePoll({
      interval: options.interval,
      factory: () => runs.pollChanged(),
      name: 'jupyterlab_mlops:runs',
      standby: () => !this._isVisible || 'when-hidden'
    });
    this._live = options.live;
    this._live?.runChanged.connect(this._onChange, this);
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  get isVisible(): boolean {
    return this._isVisible;
  }
  /** A table shown again polls at once. */
  set isVisible(value: boolean) {
    this._isVisible = value;
    if (value && this._runs.isReady() && !this.isDisposed) {
      void this._poll.refresh();
    }
  }

  /** Interval (ms) of the poll while runs change. */
  set interval(interval: number) {
    if (!this.isDisposed) {
      this._poll.interval = interval;
    }
  }

  /** Something may have changed where no event tells (a cell finished): poll soon. */
  wake(): void {
    if (this._runs.isReady() && !this.isDisposed) {
      this._poll.wake();
    }
  }

  /** The first page is loaded: the poll starts, and a change kept for it polls now. */
  loaded(): void {
    if (this.isDisposed) {
      return;
    }
    void this._poll.start();
    if (this._pending) {
      this._pending = false;
      void this._poll.refresh();
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._live?.runChanged.disconnect(this._onChange, this);
    this._poll.dispose();
  }

  /** A kernel changed a run of this experiment: apply it, or poll now (when visible). */
  private _onChange(_: LiveChanges, change: IChange): void {
    const runs = this._runs;
    if (
      change.backend !== runs.backend ||
      change.experiment_id !== runs.experimentId ||
      this.isDisposed
    ) {
      return;
    }
    if (!runs.isReady()) {
      this._pending = true; // after the first load
      return;
    }
    if (change.change === 'deleted' && change.run_id) {
      runs.dropRows([change.run_id]);
    } else if (change.change === 'edited' && change.run_id) {
      runs.renameRow(change.run_id, change.name);
    } else if (change.change === 'restored') {
      void runs.reload();
    } else {
      void this._poll.refresh();
    }
    if (change.change !== 'edited') {
      runs.refreshBin();
    }
  }

  private _isVisible = false;
  private _live: LiveChanges | null;
  private _pending = false;
  private _poll: ChangePoll;
  private _runs: ILiveRuns;
}
