import { ServerConnection } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import {
  deleteRuns,
  editRun,
  IRunEdit,
  IRunEditRequest,
  IRunsChanged,
  restoreRuns
} from '../api/edits';
import { getRun } from '../api/endpoints';
import { IMetricHistory, IRunDetail, MetricAxis } from '../api/types';
import { ArtifactDirs } from './artifactDirs';
import { LIVE_STATUSES, LoadPhase } from './common';
import { IChange, LiveChanges } from './live';
import { RecentRuns } from './recentRuns';
import { RunHistories } from './runHistories';
import {
  MlopsApiError,
  asApiError,
  isNotFound,
  isOutage
} from '../common/errors';

/** Options of {@link RunDetailModel}. */
export interface IRunDetailModelOptions {
  backend: string;
  runId: string;
  serverSettings: ServerConnection.ISettings;
  /** Poll interval (ms) while the run is RUNNING. */
  pollInterval?: number;
  onOutage?: () => void;
  /** Changes made elsewhere (kernels, other views): the page follows them at once. */
  live?: LiveChanges | null;
  /** Run pages seen lately: shown at once when this run's page opens again, until the answers. */
  recent?: RecentRuns | null;
}

/**
 * One run in full (the candidate detail) and the metric histories its charts
 * show; polls both while the run is live and the view is visible. A run seen
 * lately is shown at once, with the progress bar, until the answer replaces it
 * (its charts too, see {@link RunHistories}).
 */
export class RunDetailModel implements IDisposable {
  constructor(options: IRunDetailModelOptions) {
    this.backend = options.backend;
    this.runId = options.runId;
    this._serverSettings = options.serverSettings;
    this._onOutage = options.onOutage;
    const interval = options.pollInterval ?? 10000;
    this._poll = new Poll({
      auto: false,
      factory: () => this._refresh(true),
      frequency: { interval, backoff: true, max: Math.max(interval, 60000) },
      name: 'jupyterlab_mlops:run',
      standby: () => !this._isVisible || !this.isLive || 'when-hidden'
    });
    this._live = options.live ?? null;
    this._live?.runChanged.connect(this._onChange, this);
    this._recent = options.recent ?? null;
    this._histories = new RunHistories({
      backend: this.backend,
      runId: this.runId,
      serverSettings: this._serverSettings,
      changed: () => this._emit(),
      recent: this._recent
    });
    this.artifacts = new ArtifactDirs(
      this.backend,
      this.runId,
      this._serverSettings,
      () => this._emit()
    );
  }

  readonly backend: string;
  readonly runId: string;
  /** The artifact sub-directories opened on the page. */
  readonly artifacts: ArtifactDirs;

  /** Emitted when the run, its state or a metric history changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get detail(): IRunDetail | null {
    return this._detail;
  }
  get phase(): LoadPhase {
    return this._phase;
  }
  /** Failure of the last load; the last detail stays unless it is a 404. */
  get error(): MlopsApiError | null {
    return this._error;
  }
  /** The run does not exist (any more). */
  get notFound(): boolean {
    return !!this._error && isNotFound(this._error);
  }
  /** Whether the run can still change (the poll runs then). */
  get isLive(): boolean {
    return !!this._detail && LIVE_STATUSES.has(this._detail.info.status);
  }
  get isVisible(): boolean {
    return this._isVisible;
  }
  set isVisible(value: boolean) {
    this._isVisible = value;
    if (value && this.isLive && !this._isDisposed) {
      void this._poll.refresh();
    }
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Deleted from this page (restorable unless {@link IRunsChanged.permanent}). */
  get deleted(): IRunsChanged | null {
    return this._deleted;
  }

  /** Rename, describe or tag the run; the page shows the answer. Throws the server's error. */
  async edit(request: IRunEditRequest): Promise<IRunEdit> {
    const edited = await editRun(
      this.backend,
      this.runId,
      request,
      this._serverSettings
    );
    const detail = this._detail;
    if (detail && !this._isDisposed) {
      this._detail = {
        ...detail,
        info: { ...detail.info, run_name: edited.run_name },
        tags: edited.tags,
        system_tags: edited.system_tags
      };
      this._recent?.setRun(this.backend, this.runId, this._detail);
      this._emit();
    }
    return edited;
  }

  /** Delete the run (soft on MLflow). Throws the server's error. */
  async remove(): Promise<IRunsChanged> {
    const experimentId = this._detail?.info.experiment_id;
    if (!experimentId) {
      throw new Error('The run is not loaded yet.');
    }
    const done = await deleteRuns(
      this.backend,
      experimentId,
      [this.runId],
      this._serverSettings
    );
    this._deleted = done;
    this._recent?.forget(this.backend, this.runId);
    this._emit();
    return done;
  }

  /** Bring a deleted run back, then reload it. Throws the server's error. */
  async restore(): Promise<void> {
    const experimentId =
      this._deleted?.experiment_id ?? this._detail?.info.experiment_id;
    if (!experimentId) {
      throw new Error('The run is not loaded yet.');
    }
    await restoreRuns(
      this.backend,
      experimentId,
      [this.runId],
      this._serverSettings
    );
    this._deleted = null;
    await this.load();
  }

  /** The last series of a metric, or null. */
  history(key: string): IMetricHistory | null {
    return this._histories.history(key);
  }
  historyError(key: string): MlopsApiError | null {
    return this._histories.error(key);
  }

  /** Load (or reload) the run; failures end up in {@link error}. */
  async load(): Promise<void> {
    try {
      await this._refresh(false);
    } catch {
      // Recorded in the state.
    }
  }

  /**
   * Fetch a metric's series for a chart `maxPoints` wide, unless it is
   * already loaded with the same shape (or on its way).
   */
  async requestHistory(
    key: string,
    maxPoints: number,
    x: MetricAxis = 'step'
  ): Promise<void> {
    await this._histories.request(key, maxPoints, x);
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

  private async _refresh(histories: boolean): Promise<void> {
    const request = ++this._request;
    if (!this._detail) {
      this._detail = this._recent?.run(this.backend, this.runId) ?? null;
      this._fromRecent = !!this._detail;
    }
    this._phase = 'loading';
    this._emit();
    try {
      const detail = await getRun(
        this.backend,
        this.runId,
        this._serverSettings
      );
      if (request !== this._request || this._isDisposed) {
        return;
      }
      this._detail = detail;
      this._fromRecent = false;
      this._recent?.setRun(this.backend, this.runId, detail);
      this._deleted = null; // answered: not deleted (any more)
      this._error = null;
      this._phase = 'ready';
      this._emit();
    } catch (error) {
      if (request !== this._request || this._isDisposed) {
        return;
      }
      this._error = asApiError(error);
      if (isOutage(this._error)) {
        this._onOutage?.();
      }
      this._takeDeleted(this._error);
      if (this._fromRecent) {
        // Remembered but not confirmed: the error shows, not a run that may be gone.
        this._fromRecent = false;
        this._detail = null;
        this._recent?.forget(this.backend, this.runId);
      }
      this._phase = this._detail && !this.notFound ? 'ready' : 'error';
      this._emit();
      throw this._error;
    }
    if (histories) {
      await this._histories.refresh();
    }
    if (this.isLive && this._isVisible) {
      void this._poll.start();
    }
  }

  /** A run deleted elsewhere (soft, MLflow's 404 `deleted`) shows the banner with Restore, as after its own delete. */
  private _takeDeleted(error: MlopsApiError): void {
    const experimentId = this._detail?.info.experiment_id ?? this._deletedIn;
    if (!this._deleted && error.reason === 'deleted' && experimentId) {
      const name = this._detail?.info.run_name ?? null;
      const runs = [{ run_id: this.runId, run_name: name }];
      this._deleted = {
        experiment_id: experimentId,
        runs,
        failed: [],
        permanent: false
      };
    }
  }

  /** A change of this run made elsewhere: loaded again at once (histories too when it logged). */
  private _onChange(_: LiveChanges, change: IChange): void {
    if (
      change.kind !== 'run' ||
      change.backend !== this.backend ||
      change.run_id !== this.runId ||
      this._isDisposed ||
      this._phase === 'idle'
    ) {
      return;
    }
    if (change.change === 'deleted') {
      this._deletedIn = change.experiment_id;
    }
    const logged = change.change === 'updated' || change.change === 'finished';
    void this._refresh(logged).catch(() => undefined); // recorded in the state
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _changed = new Signal<this, void>(this);
  private _deleted: IRunsChanged | null = null;
  private _deletedIn = '';
  private _detail: IRunDetail | null = null;
  private _error: MlopsApiError | null = null;
  private _fromRecent = false;
  private _histories: RunHistories;
  private _isDisposed = false;
  private _isVisible = false;
  private _live: LiveChanges | null;
  private _onOutage?: () => void;
  private _phase: LoadPhase = 'idle';
  private _poll: Poll;
  private _recent: RecentRuns | null;
  private _request = 0;
  private _serverSettings: ServerConnection.ISettings;
}
