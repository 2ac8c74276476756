import { ServerConnection } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { IPoll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { IBackendStatus, IExperimentRow, IStatus } from '../api/types';
import { ExperimentsModel } from './experiments';
import { RunDetailModel } from './detail';
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
}

/** Which list the sidebar shows. */
export type SidebarView = 'experiments' | 'runs';

/**
 * The frontend's single owner of state: the server status (polled), the
 * chosen backend, its experiments and the open experiment's candidates.
 * Views render it and never fetch by themselves.
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
  }

  readonly serverSettings: ServerConnection.ISettings;

  /** Emitted when {@link state} changes (not on identical answers). */
  get statusChanged(): ISignal<StatusModel, ServerState> {
    return this._status.statusChanged;
  }
  /** Emitted when the user's preferences change. */
  get settingsChanged(): ISignal<StatusModel, IMlopsSettings> {
    return this._status.settingsChanged;
  }
  /** Emitted when the backend, the view or the open experiment changes. */
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
    if (this._runs) {
      this._runs.pollInterval = this.settings.refreshInterval * 1000;
    }
  }

  /** Whether a view of the model is visible; polling stands by otherwise. */
  get isVisible(): boolean {
    return this._status.isVisible;
  }
  set isVisible(value: boolean) {
    this._status.isVisible = value;
    if (this._runs) {
      this._runs.isVisible = value;
    }
  }

  /** The backend the sidebar shows (the default one until the user picks). */
  get backend(): IBackendStatus | null {
    const backends = this.status?.backends ?? [];
    return (
      backends.find(b => b.name === this._backendName) ?? this.defaultBackend
    );
  }
  get view(): SidebarView {
    return this._runs ? 'runs' : 'experiments';
  }
  /** Experiments of {@link backend}, once it is healthy. */
  get experiments(): ExperimentsModel | null {
    return this._experiments;
  }
  /** Candidates of the open experiment, or null. */
  get runs(): RunsModel | null {
    return this._runs;
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
    this._closeRuns();
    this._resetExperiments();
    this._viewChanged.emit();
  }

  /** Open an experiment's candidates table. */
  openExperiment(
    experiment: Pick<IExperimentRow, 'experiment_id' | 'name'>
  ): void {
    const backend = this.backend;
    if (!backend) {
      return;
    }
    this._closeRuns();
    const settings = this.settings;
    this._runs = new RunsModel({
      backend: backend.name,
      experimentId: experiment.experiment_id,
      experimentName: experiment.name,
      serverSettings: this.serverSettings,
      pageSize: settings.pageSize,
      defaultColumns: settings.defaultColumns,
      pollInterval: settings.refreshInterval * 1000,
      onOutage: this._onOutage
    });
    this._runs.isVisible = this.isVisible;
    void this._runs.reload();
    this._viewChanged.emit();
  }

  /** Back to the experiments list. */
  closeExperiment(): void {
    if (this._closeRuns()) {
      this._viewChanged.emit();
    }
  }

  /** A model of one run for a candidate detail view (the caller disposes it). */
  createRunDetail(backend: string, runId: string): RunDetailModel {
    return new RunDetailModel({
      backend,
      runId,
      serverSettings: this.serverSettings,
      pollInterval: this.settings.refreshInterval * 1000,
      onOutage: this._onOutage
    });
  }

  /** Refresh the status and what the sidebar shows. Never throws. */
  async refresh(): Promise<void> {
    await Promise.all([
      this._status.refresh(),
      this._runs
        ? this._runs.reload()
        : (this._experiments?.refresh(true) ?? Promise.resolve())
    ]);
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
    this._closeRuns();
    this._experiments?.dispose();
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
      onOutage: this._onOutage
    });
    void this._experiments.load();
  }

  private _closeRuns(): boolean {
    if (!this._runs) {
      return false;
    }
    this._runs.dispose();
    this._runs = null;
    return true;
  }

  /** A call failed because a backend is down: update the banner now. */
  private _onOutage = (): void => {
    void this._status.refresh();
  };

  private _backendName: string | null = null;
  private _experiments: ExperimentsModel | null = null;
  private _isDisposed = false;
  private _runs: RunsModel | null = null;
  private _status: StatusModel;
  private _viewChanged = new Signal<this, void>(this);
}
