import { IDisposable } from '@lumino/disposable';
import { IPoll, Poll } from '@lumino/polling';

/** Growth of a change poll's interval per poll that found nothing. */
export const QUIET_GROWTH = 1.5;
/** A quiet change poll waits at most this many times its interval. */
export const QUIET_MAX_FACTOR = 4;
/** The longest wait after failures (Lumino's backoff). */
const FAILED_MAX = 60000;
/** Wakes ({@link ChangePoll.wake}) poll at most once per this many ms. */
export const WAKE_GAP = 2000;

/** What a {@link ChangePoll} runs and when it stands by. */
export interface IChangePollOptions {
  name: string;
  /** The interval (ms) while things change: the settings' refreshInterval. */
  interval: number;
  /** One poll; resolves true when it found a change. */
  factory: () => Promise<boolean>;
  standby: () => boolean | Poll.Standby;
}

/**
 * A view's poll for changes made where no event tells (another user, a
 * client outside JupyterLab): every `interval` while something changes,
 * slower while nothing does (×1.5 per quiet poll, up to ×4), and back to
 * `interval` on the first change or on {@link refresh} (a change event, the
 * view shown again). An idle view then costs the backend a quarter of the
 * requests. A hint that something may have changed where no event tells (a
 * cell finished running) polls soon: {@link wake}. Failures back off as
 * Lumino's Poll does.
 */
export class ChangePoll implements IDisposable {
  constructor(options: IChangePollOptions) {
    this._interval = options.interval;
    this._poll = new Poll({
      auto: false,
      factory: async () => this._settle(await options.factory()),
      frequency: this._frequency(),
      name: options.name,
      standby: options.standby
    });
  }

  /** The wait before the next poll (ms) and its bounds. */
  get frequency(): IPoll.Frequency {
    return this._poll.frequency;
  }

  /** The interval while things change (ms). */
  set interval(interval: number) {
    this._interval = interval;
    this._settle(true);
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  start(): Promise<void> {
    return this._poll.start();
  }

  /** Poll now, and at the full rate again after. */
  refresh(): Promise<void> {
    this._settle(true);
    return this._poll.refresh();
  }

  /**
   * Something may have changed where no event tells (a kernel finished
   * running a cell: plain `mlflow` code may have logged): poll now, or at the
   * end of {@link WAKE_GAP} after the last wake, and at the full rate after.
   */
  wake(): void {
    if (this._wakeTimer !== null || this.isDisposed) {
      return; // a wake is already on its way
    }
    const wait = Math.max(0, this._lastWake + WAKE_GAP - Date.now());
    this._wakeTimer = setTimeout(() => {
      this._wakeTimer = null;
      this._lastWake = Date.now();
      if (!this.isDisposed) {
        void this.refresh();
      }
    }, wait);
  }

  dispose(): void {
    if (this._wakeTimer !== null) {
      clearTimeout(this._wakeTimer);
      this._wakeTimer = null;
    }
    this._poll.dispose();
  }

  private _settle(changed: boolean): void {
    this._quiet = changed ? 0 : this._quiet + 1;
    if (!this._poll.isDisposed) {
      this._poll.frequency = this._frequency();
    }
  }

  private _frequency(): IPoll.Frequency {
    const factor = Math.min(QUIET_GROWTH ** this._quiet, QUIET_MAX_FACTOR);
    const interval = Math.round(this._interval * factor);
    const max = Math.max(this._interval * QUIET_MAX_FACTOR, FAILED_MAX);
    return { interval, backoff: true, max };
  }

  private _interval: number;
  private _lastWake = 0;
  private _quiet = 0;
  private _wakeTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly _poll: Poll;
}
