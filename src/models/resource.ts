import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { asApiError, MlopsApiError } from '../common/errors';
import { LoadPhase } from './common';

/**
 * One document fetched from the server (a model page, a compare result...):
 * its phase, value and error, and a signal views re-render on. A newer load
 * wins over an older one still on its way; a failure keeps the last value.
 */
export class Resource<T> implements IDisposable {
  /** @param fetch - gets the document (through `src/api/`) */
  constructor(fetch: () => Promise<T>) {
    this._fetch = fetch;
  }

  /** Emitted when the phase, the value or the error changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get phase(): LoadPhase {
    return this._phase;
  }
  /** The latest document, or null before the first answer. */
  get value(): T | null {
    return this._value;
  }
  /** Failure of the last load, or null. */
  get error(): MlopsApiError | null {
    return this._error;
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** (Re)load; `clear` drops the current value first. Never throws. */
  async load(clear = false): Promise<void> {
    const request = ++this._request;
    this._phase = 'loading';
    this._error = null;
    if (clear) {
      this._value = null;
    }
    this._emit();
    try {
      const value = await this._fetch();
      if (request !== this._request || this._isDisposed) {
        return;
      }
      this._value = value;
      this._phase = 'ready';
    } catch (error) {
      if (request !== this._request || this._isDisposed) {
        return;
      }
      this._error = asApiError(error);
      this._phase = 'error';
    }
    this._emit();
  }

  /** Replace the value with a newer one the server sent (after an edit). */
  set(value: T): void {
    this._value = value;
    this._emit();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _changed = new Signal<this, void>(this);
  private _error: MlopsApiError | null = null;
  private _fetch: () => Promise<T>;
  private _isDisposed = false;
  private _phase: LoadPhase = 'idle';
  private _request = 0;
  private _value: T | null = null;
}
