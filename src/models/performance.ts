import { ServerConnection } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { IPoll, Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { listRuns } from '../api/endpoints';
import { IRunRow, IRunsPage, MetricValue } from '../api/types';
import { asApiError, isOutage, MlopsApiError } from '../common/errors';
import { columnId, orderIdentifier } from './columns';
import { LoadPhase } from './common';
import { IChange, LiveChanges } from './live';

/** Runs the Performance tab reads: the newest ones (one page of the runs route). */
export const PERFORMANCE_MAX_RUNS = 1000;

/** Metrics charted at first when the user has not chosen. */
const FIRST_METRICS = 1;

/** Runs of the first request, which only learns the metric names. */
const DISCOVERY_RUNS = 50;

/** What the x axis of the Performance charts is. */
export type PerformanceAxis = 'time' | 'candidates';

/** Options of {@link PerformanceModel}. */
export interface IPerformanceModelOptions {
  backend: string;
  experimentId: string;
  serverSettings: ServerConnection.ISettings;
  /** Refresh interval (ms) while visible. */
  pollInterval?: number;
  /** Most runs fetched (the newest); default {@link PERFORMANCE_MAX_RUNS}. */
  maxRuns?: number;
  onOutage?: () => void;
  /** The server's change events: a change of this experiment's runs refreshes at once. */
  live?: LiveChanges | null;
}

/** One candidate's value of a metric. */
export interface IPerformancePoint {
  run: IRunRow;
  value: number;
}

/** A metric value as a number, or null when it is not a finite one. */
export function metricNumber(value: MetricValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The Performance tab of an experiment page: the latest values of chosen
 * metrics for the newest runs (at most {@link maxRuns}, one request with
 * only those metric columns), refreshed while the tab is visible.
 */
export class PerformanceModel implements IDisposable {
  constructor(options: IPerformanceModelOptions) {
    this.backend = options.backend;
    this.experimentId = options.experimentId;
    this.maxRuns = options.maxRuns ?? PERFORMANCE_MAX_RUNS;
    this._serverSettings = options.serverSettings;
    this._onOutage = options.onOutage;
    const interval = options.pollInterval ?? 10000;
    this._poll = new Poll({
      auto: false,
      factory: () => this.load(),
      frequency: this._frequency(interval),
      name: 'jupyterlab_mlops:performance',
      standby: () => !this._isVisible || 'when-hidden'
    });
    this._live = options.live ?? null;
    this._live?.runChanged.connect(this._onChange, this);
  }

  readonly backend: string;
  readonly experimentId: string;
  /** Most runs read (the newest by start time). */
  readonly maxRuns: number;

  /** Emitted when the runs, the choice or the state change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get phase(): LoadPhase {
    return this._phase;
  }
  get error(): MlopsApiError | null {
    return this._error;
  }
  /** The chosen metric keys, in the order chosen. */
  get metrics(): readonly string[] {
    return this._metrics;
  }
  /** Metric keys the experiment's runs have. */
  get available(): readonly string[] {
    return this._available;
  }
  /** The newest runs, oldest first (the charts' order). */
  get runs(): readonly IRunRow[] {
    return this._runs;
  }
  /** Whether the experiment has more runs than {@link maxRuns}. */
  get truncated(): boolean {
    return this._truncated;
  }
  get axis(): PerformanceAxis {
    return this._axis;
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }
  get isVisible(): boolean {
    return this._isVisible;
  }
  /** Loads on the first show; refreshes while visible, stands by while hidden. */
  set isVisible(value: boolean) {
    if (value === this._isVisible || this._isDisposed) {
      return;
    }
    this._isVisible = value;
    if (value) {
      // The first start loads at once; later the poll resumes from standby.
      void this._poll.start();
    }
  }
  set pollInterval(interval: number) {
    if (!this._isDisposed) {
      this._poll.frequency = this._frequency(interval);
    }
  }

  /** The values of a metric, one per run that has a finite one (oldest first). */
  points(metric: string): IPerformancePoint[] {
    const out: IPerformancePoint[] = [];
    for (const run of this._runs) {
      const value = metricNumber(run.metrics[metric]);
      if (value !== null) {
        out.push({ run, value });
      }
    }
    return out;
  }

  setAxis(axis: PerformanceAxis): void {
    if (axis !== this._axis) {
      this._axis = axis;
      this._emit();
    }
  }

  /** Chart these metrics (reloads: the values come with the runs). */
  async setMetrics(metrics: readonly string[]): Promise<void> {
    this._metrics = Array.from(new Set(metrics));
    this._picked = true;
    await this.load();
  }

  /** (Re)load the newest runs with the chosen metrics. Never throws. */
  async load(): Promise<void> {
    const request = ++this._request;
    this._phase = 'loading';
    this._emit();
    try {
      const discover = !this._picked;
      let page = await this._fetch(
        discover ? Math.min(DISCOVERY_RUNS, this.maxRuns) : this.maxRuns
      );
      if (discover && request === this._request) {
        // First answer: chart the first metric the experiment has.
        this._picked = true;
        this._metrics = page.available_columns.metrics.slice(0, FIRST_METRICS);
        page = await this._fetch(this.maxRuns);
      }
      if (request !== this._request || this._isDisposed) {
        return;
      }
      this._available = [...page.available_columns.metrics].sort();
      // Newest first from the server; the charts read oldest first.
      this._runs = [...page.runs].reverse();
      this._truncated = page.next_page_token !== null;
      this._error = null;
      this._phase = 'ready';
    } catch (error) {
      if (request !== this._request || this._isDisposed) {
        return;
      }
      this._error = asApiError(error);
      this._phase = 'error';
      if (isOutage(this._error)) {
        this._onOutage?.();
      }
    }
    this._emit();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._live?.runChanged.disconnect(this._onChange, this);
    this._poll.dispose();
    Signal.clearData(this);
  }

  private _fetch(maxResults: number): Promise<IRunsPage> {
    return listRuns(
      this.backend,
      this.experimentId,
      {
        columns: this._metrics.map(key => columnId('metrics', key)),
        orderBy: [`${orderIdentifier('attributes.start_time')} DESC`],
        maxResults
      },
      this._serverSettings
    );
  }

  private _frequency(interval: number): IPoll.Frequency {
    return { interval, backoff: true, max: Math.max(interval, 60000) };
  }

  /** A run of this experiment changed: refresh now if shown (else on the next show). */
  private _onChange(_: LiveChanges, change: IChange): void {
    if (
      change.backend === this.backend &&
      change.experiment_id === this.experimentId &&
      this._isVisible &&
      this._phase !== 'idle'
    ) {
      void this._poll.refresh();
    }
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _available: string[] = [];
  private _axis: PerformanceAxis = 'time';
  private _changed = new Signal<this, void>(this);
  private _error: MlopsApiError | null = null;
  private _isDisposed = false;
  private _isVisible = false;
  private _live: LiveChanges | null;
  private _metrics: string[] = [];
  private _onOutage?: () => void;
  private _phase: LoadPhase = 'idle';
  private _picked = false;
  private _poll: Poll;
  private _request = 0;
  private _runs: IRunRow[] = [];
  private _serverSettings: ServerConnection.ISettings;
  private _truncated = false;
}
