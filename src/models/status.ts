import { ServerConnection } from '@jupyterlab/services';
import { JSONExt } from '@lumino/coreutils';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';
import { IPoll, Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { getStatus } from '../api/endpoints';
import {
  IEmbeddedBackendStatus,
  IRestartAnswer,
  restartBackend
} from '../api/embedded';
import { IBackendStatus, IStatus } from '../api/types';
import { DEFAULT_SETTINGS, IMlopsSettings } from './settings';
import { MlopsApiError, asApiError } from '../common/errors';

/** What the frontend knows about the server extension. */
export type ServerState =
  /** No answer yet. */
  | { phase: 'connecting' }
  /** The handshake succeeded; `status` is the latest answer. */
  | { phase: 'ready'; status: IStatus }
  /** The server extension is not installed or not enabled. */
  | { phase: 'missing'; error: MlopsApiError }
  /** The last status call failed for another reason. */
  | { phase: 'error'; error: MlopsApiError };

/** Options of {@link StatusModel}. */
export interface IStatusModelOptions {
  /** Server settings (base URL, token); the page's defaults when omitted. */
  serverSettings?: ServerConnection.ISettings;
  /** Initial preferences; the settings registry may replace them. */
  settings?: IMlopsSettings;
  /** Poll interval in ms while a backend is starting. */
  startingInterval?: number;
}

/** Upper bound of the back-off between failing status calls (ms). */
const MAX_BACKOFF = 5 * 60 * 1000;
/** Poll interval while a backend is starting (ms). */
const STARTING_INTERVAL = 1000;

function sameState(a: ServerState, b: ServerState): boolean {
  if (a.phase !== b.phase) {
    return false;
  }
  if (a.phase === 'ready' && b.phase === 'ready') {
    return JSONExt.deepEqual(a.status as any, b.status as any);
  }
  if ('error' in a && 'error' in b) {
    return (
      a.error.code === b.error.code &&
      a.error.status === b.error.status &&
      a.error.message === b.error.message
    );
  }
  return true;
}

/** Fill in what an older or partial server answer leaves out. */
function normalizeStatus(raw: Partial<IStatus> | undefined): IStatus {
  raw = raw ?? {};
  return {
    version: raw.version ?? '',
    backends: Array.isArray(raw.backends) ? raw.backends : [],
    default_backend: raw.default_backend ?? 'default',
    spool: { ...raw.spool, depth: raw.spool?.depth ?? 0 }
  };
}

/** Seconds an embedded backend stays unreachable before the banner offers a restart. */
export const RESTART_OFFER_AFTER_S = 10;

/** The embedded (restartable) backend of a status, or null. */
export function embeddedBackend(
  status: IStatus | null
): IEmbeddedBackendStatus | null {
  const found = status?.backends.find(
    b => b.embedded && (b as IEmbeddedBackendStatus).restartable !== false
  );
  return (found as IEmbeddedBackendStatus | undefined) ?? null;
}

/** Whether the UI offers "Restart backend": embedded, and failed or unreachable for long. */
export function offersRestart(backend: IBackendStatus): boolean {
  const b = backend as IEmbeddedBackendStatus;
  if (!b.embedded || b.restartable === false) {
    return false;
  }
  return (
    b.health === 'failed' ||
    (b.health === 'unreachable' &&
      (b.down_for_s ?? RESTART_OFFER_AFTER_S) >= RESTART_OFFER_AFTER_S)
  );
}

/** What {@link restartEmbeddedBackend} needs of the model (MlopsModel has it). */
export interface IStatusRefresher {
  readonly serverSettings: ServerConnection.ISettings;
  refreshStatus(): Promise<void>;
}

/**
 * Restart the embedded backend `name` (also after its automatic restart
 * budget is spent), then fetch the status again: it says "starting", so the
 * poll runs fast until the backend is healthy.
 */
export async function restartEmbeddedBackend(
  model: IStatusRefresher,
  name: string
): Promise<IRestartAnswer> {
  const answer = await restartBackend(name, model.serverSettings);
  await model.refreshStatus();
  return answer;
}

/**
 * The server extension's status: it polls `status`, exposes the result and
 * signals changes. Part of {@link MlopsModel}, which views render.
 */
export class StatusModel implements IDisposable {
  constructor(options: IStatusModelOptions = {}) {
    this._serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
    this._settings = options.settings ?? DEFAULT_SETTINGS;
    this._startingInterval = options.startingInterval ?? STARTING_INTERVAL;
    this._poll = new Poll({
      auto: true,
      factory: () => this._update(),
      frequency: this._frequency(),
      name: 'jupyterlab_mlops:status',
      standby: () => !this._isShown() || 'when-hidden'
    });
  }

  /** Emitted when {@link state} changes (not on identical answers). */
  get statusChanged(): ISignal<this, ServerState> {
    return this._statusChanged;
  }

  /** Emitted when the user's preferences change. */
  get settingsChanged(): ISignal<this, IMlopsSettings> {
    return this._settingsChanged;
  }

  /** The current view of the server extension. */
  get state(): ServerState {
    return this._state;
  }

  /** The latest successful status, or null. */
  get status(): IStatus | null {
    return this._state.phase === 'ready' ? this._state.status : null;
  }

  /** The backend the UI shows by default, or null. */
  get defaultBackend(): IBackendStatus | null {
    const status = this.status;
    if (!status) {
      return null;
    }
    return (
      status.backends.find(b => b.name === status.default_backend) ??
      status.backends[0] ??
      null
    );
  }

  /** Whether a backend is still starting (the poll is faster then). */
  get isStarting(): boolean {
    return !!this.status?.backends.some(b => b.health === 'starting');
  }

  /** Whether a view of the model is visible; polling stands by otherwise. */
  get isVisible(): boolean {
    return this._isVisible;
  }
  set isVisible(value: boolean) {
    if (value === this._isVisible) {
      return;
    }
    this._isVisible = value;
    if (value && !this.isDisposed) {
      void this._poll.refresh();
    }
  }

  /**
   * Keep the status fresh for a view that is always on screen (the status
   * bar item) while the sidebar is hidden: one poll serves both, at the
   * refresh interval. Disposing the result lets the poll stand by again.
   */
  holdVisible(): IDisposable {
    this._holds++;
    if (this._holds === 1 && !this._isVisible && !this.isDisposed) {
      void this._poll.refresh();
    }
    return new DisposableDelegate(() => {
      this._holds--;
    });
  }

  /** User preferences; setting them applies `refreshInterval` to the poll. */
  get settings(): IMlopsSettings {
    return this._settings;
  }
  set settings(value: IMlopsSettings) {
    if (JSONExt.deepEqual(value as any, this._settings as any)) {
      return;
    }
    this._settings = value;
    this._applyFrequency();
    this._settingsChanged.emit(value);
  }

  /** The poll's current frequency (ms), for views and tests. */
  get pollFrequency(): IPoll.Frequency {
    return this._poll.frequency;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Fetch the status now. Failures end up in {@link state}, never thrown. */
  async refresh(): Promise<void> {
    try {
      await this._update();
    } catch {
      // Already recorded in the state.
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  /** One status call; rethrows so the poll backs off on failure. */
  private async _update(): Promise<void> {
    const request = ++this._requestId;
    let next: ServerState;
    let failure: MlopsApiError | null = null;
    try {
      next = {
        phase: 'ready',
        status: normalizeStatus(await getStatus(this._serverSettings))
      };
    } catch (error) {
      failure = asApiError(error);
      next = failure.isExtensionMissing
        ? { phase: 'missing', error: failure }
        : { phase: 'error', error: failure };
    }
    // A newer call (poll and refresh overlap) wins.
    if (request === this._requestId && !this._isDisposed) {
      this._setState(next);
      this._applyFrequency();
    }
    if (failure) {
      throw failure;
    }
  }

  private _setState(next: ServerState): void {
    if (sameState(this._state, next)) {
      return;
    }
    this._state = next;
    this._statusChanged.emit(next);
  }

  /** Whether any view shows the status (the poll stands by otherwise). */
  private _isShown(): boolean {
    return this._isVisible || this._holds > 0;
  }

  private _frequency(): IPoll.Frequency {
    const interval = this.isStarting
      ? this._startingInterval
      : Math.round(this._settings.refreshInterval * 1000);
    return { interval, backoff: true, max: Math.max(interval, MAX_BACKOFF) };
  }

  private _applyFrequency(): void {
    if (!this._isDisposed) {
      this._poll.frequency = this._frequency();
    }
  }

  private _holds = 0;
  private _isDisposed = false;
  private _isVisible = false;
  private _poll: Poll;
  private _requestId = 0;
  private _serverSettings: ServerConnection.ISettings;
  private _settings: IMlopsSettings;
  private _settingsChanged = new Signal<this, IMlopsSettings>(this);
  private _startingInterval: number;
  private _state: ServerState = { phase: 'connecting' };
  private _statusChanged = new Signal<this, ServerState>(this);
}
