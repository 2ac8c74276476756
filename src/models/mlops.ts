import { ServerConnection } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { IPoll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { IModelsList, listModels } from '../api/registry';
import { IBackendStatus, IStatus } from '../api/types';
import { ExperimentsModel } from './experiments';
import { IEventSource, LiveChanges } from './live';
import { RunDetailModel } from './detail';
import { PerformanceModel } from './performance';
import { Resource } from './resource';
import { RecentRows } from './recentRows';
import { RecentRuns } from './recentRuns';
import { RunsModel } from './runs';
import { ServerState, StatusModel } from './status';
import { DEFAULT_SETTINGS, IMlopsSettings } from './settings';

export { ServerState } from './status';

/** Options of {@link MlopsModel}. */
export interface IMlopsModelOptions {
  /** Server settings (base URL, token); the page's defaults when omitted. */
  serverSettings?: ServerConnection.ISettings;
  /** Initial preferences; the settings registry may replace them. */
  settings?: IMlopsSettings;
  /** Poll interval in ms while a backend is starting. */
  startingInterval?: number;
  /** Jupyter's event bus (`serviceManager.events`): the server's change events. */
  events?: IEventSource;
}

/** The experiment an experiment page shows. */
export interface IExperimentRef {
  backend: string;
  experiment_id: string;
  name: string;
}

/**
 * The frontend's single owner of shared state: the server status (polled),
 * the chosen backend, its experiments and the models list of the sidebar.
 * It builds the models of the experiment pages ({@link createRuns},
 * {@link createPerformance}); the pages own and dispose them.
 */
export class MlopsModel implements IDisposable {
  constructor(options: IMlopsModelOptions = {}) {
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
    this._status = new StatusModel({
      serverSettings: this.serverSettings,
      settings: options.settings ?? DEFAULT_SETTINGS,
      startingInterval: options.startingInterval
    });
    this._status.statusChanged.connect(this._onStatus, this);
    this.live = options.events ? new LiveChanges(options.events) : null;
    // The sidebar's models list follows the registry's changes once it was shown.
    this.live?.modelChanged.connect(() => {
      if (this._models.phase !== 'idle') {
        void this._models.load();
      }
    });
    // Remembered rows of an experiment whose runs changed are not shown again.
    this.live?.runChanged.connect((_, change) =>
      this._recentRows.forget(change.backend, change.experiment_id)
    );
  }

  readonly serverSettings: ServerConnection.ISettings;
  /** The server's change events (null without an event bus): the list models follow them. */
  readonly live: LiveChanges | null;

  /** Emitted when {@link state} changes (not on identical answers). */
  get statusChanged(): ISignal<StatusModel, ServerState> {
    return this._status.statusChanged;
  }
  /** Emitted when the user's preferences change. */
  get settingsChanged(): ISignal<StatusModel, IMlopsSettings> {
    return this._status.settingsChanged;
  }
  /** Emitted when the shown backend or its experiments list changes. */
  get viewChanged(): ISignal<this, void> {
    return this._viewChanged;
  }

  get state(): ServerState {
    return this._status.state;
  }
  get status(): IStatus | null {
    return this._status.status;
  }
  get defaultBackend(): IBackendStatus | null {
    return this._status.defaultBackend;
  }
  get isStarting(): boolean {
    return this._status.isStarting;
  }
  get pollFrequency(): IPoll.Frequency {
    return this._status.pollFrequency;
  }
  get settings(): IMlopsSettings {
    return this._status.settings;
  }
  set settings(value: IMlopsSettings) {
    this._status.settings = value;
    const interval = this.settings.refreshInterval * 1000;
    if (this._experiments) {
      this._experiments.pollInterval = interval;
    }
    for (const runs of this._openRuns()) {
      runs.pollInterval = interval;
    }
    for (const performance of this._openPerformance()) {
      performance.pollInterval = interval;
    }
  }

  /** Whether a view of the model is visible; polling stands by otherwise. */
  get isVisible(): boolean {
    return this._status.isVisible;
  }
  set isVisible(value: boolean) {
    this._status.isVisible = value;
    if (this._experiments) {
      this._experiments.isVisible = value;
    }
  }

  /** The backend the sidebar shows (the default one until the user picks). */
  get backend(): IBackendStatus | null {
    const backends = this.status?.backends ?? [];
    return (
      backends.find(b => b.name === this._backendName) ?? this.defaultBackend
    );
  }
  /** Experiments of {@link backend}, once it is healthy. */
  get experiments(): ExperimentsModel | null {
    return this._experiments;
  }
  /** The models of every backend (the sidebar's Models tab; loaded on demand). */
  get models(): Resource<IModelsList> {
    return this._models;
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Show the experiments of another backend. */
  selectBackend(name: string): void {
    if (name === this.backend?.name) {
      return;
    }
    this._backendName = name;
    this._resetExperiments();
    this._viewChanged.emit();
  }

  /**
   * The candidates model of an experiment page (the caller disposes it):
   * the settings' page size, columns and refresh interval; hidden until
   * the page says otherwise.
   */
  createRuns(experiment: IExperimentRef): RunsModel {
    const settings = this.settings;
    const runs = new RunsModel({
      backend: experiment.backend,
      experimentId: experiment.experiment_id,
      experimentName: experiment.name,
      serverSettings: this.serverSettings,
      pageSize: settings.pageSize,
      defaultColumns: settings.defaultColumns,
      pollInterval: settings.refreshInterval * 1000,
      onOutage: this._onOutage,
      live: this.live,
      recent: this._recentRows
    });
    this._runs.add(runs);
    return runs;
  }

  /** The Performance tab's model of an experiment page (the caller disposes it). */
  createPerformance(experiment: IExperimentRef): PerformanceModel {
    const performance = new PerformanceModel({
      backend: experiment.backend,
      experimentId: experiment.experiment_id,
      serverSettings: this.serverSettings,
      pollInterval: this.settings.refreshInterval * 1000,
      onOutage: this._onOutage,
      live: this.live
    });
    this._performance.add(performance);
    return performance;
  }

  /** A model of one run for a candidate detail view (the caller disposes it). */
  createRunDetail(backend: string, runId: string): RunDetailModel {
    return new RunDetailModel({
      backend,
      runId,
      serverSettings: this.serverSettings,
      pollInterval: this.settings.refreshInterval * 1000,
      onOutage: this._onOutage,
      live: this.live,
      recent: this._recentRuns
    });
  }

  /** Refresh the status and what the sidebar shows. Never throws. */
  async refresh(): Promise<void> {
    await Promise.all([
      this._status.refresh(),
      this._experiments?.refresh(true) ?? Promise.resolve(),
      this._models.phase === 'idle' ? Promise.resolve() : this._models.load(),
      ...this._openRuns().map(runs => runs.reload()),
      ...this._openPerformance().map(performance => performance.load())
    ]);
  }

  /** Keep the status polled while an always-shown view lives (see {@link StatusModel.holdVisible}). */
  holdStatusVisible(): IDisposable {
    return this._status.holdVisible();
  }

  /** Refresh the status only (e.g. after a failed call). Never throws. */
  refreshStatus(): Promise<void> {
    return this._status.refresh();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._experiments?.dispose();
    this.live?.dispose();
    this._models.dispose();
    this._status.dispose();
    Signal.clearData(this);
  }

  /** Create the experiments list once the shown backend is healthy. */
  private _onStatus(): void {
    const backend = this.backend;
    const healthy = backend?.health === 'healthy';
    if (!healthy || !backend) {
      return;
    }
    if (this._experiments?.backend !== backend.name) {
      this._resetExperiments();
      this._viewChanged.emit();
    } else if (this._experiments.phase === 'error') {
      // The backend is back: try again.
      void this._experiments.load();
    }
  }

  private _resetExperiments(): void {
    this._experiments?.dispose();
    this._experiments = null;
    const backend = this.backend;
    if (backend?.health !== 'healthy') {
      return;
    }
    this._experiments = new ExperimentsModel({
      backend: backend.name,
      serverSettings: this.serverSettings,
      onOutage: this._onOutage,
      pollInterval: this.settings.refreshInterval * 1000,
      live: this.live
    });
    this._experiments.isVisible = this.isVisible;
    void this._experiments.load();
  }

  /**
   * A cell finished running in some kernel: plain `mlflow` code may have
   * logged without an event, so the shown lists poll soon (each at most once
   * per `WAKE_GAP` of `changePoll.ts`; a hidden list stands by).
   */
  wakePolls(): void {
    this._experiments?.wake();
    for (const runs of this._openRuns()) {
      runs.wake();
    }
  }

  /** The page models still in use (disposed ones are forgotten). */
  private _openRuns(): RunsModel[] {
    for (const runs of this._runs) {
      if (runs.isDisposed) {
        this._runs.delete(runs);
      }
    }
    return Array.from(this._runs);
  }

  private _openPerformance(): PerformanceModel[] {
    for (const performance of this._performance) {
      if (performance.isDisposed) {
        this._performance.delete(performance);
      }
    }
    return Array.from(this._performance);
  }

  /** A call failed because a backend is down: update the banner now. */
  private _onOutage = (): void => {
    void this._status.refresh();
  };

  private _backendName: string | null = null;
  private _experiments: ExperimentsModel | null = null;
  private _isDisposed = false;
  private _models = new Resource<IModelsList>(() =>
    listModels('', this.serverSettings)
  );
  private _performance = new Set<PerformanceModel>();
  private _recentRows = new RecentRows();
  private _recentRuns = new RecentRuns();
  private _runs = new Set<RunsModel>();
  private _status: StatusModel;
  private _viewChanged = new Signal<this, void>(this);
}
