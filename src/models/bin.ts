import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { MlopsApiError } from '../common/errors';
import { LoadPhase } from './common';
import { Resource } from './resource';
import { actionTitle, IEditSupport } from './edits';

/**
 * The deleted items of a list (the "show deleted" panels: an experiment's
 * runs, a backend's experiments): hidden until asked for, fetched when
 * shown, fetched again after a delete or restore while shown. The list's
 * model deletes and restores; this only shows what is in the bin.
 */
export class Bin<T> implements IDisposable {
  /** @param fetch - gets the deleted items (through `src/api/`) */
  constructor(fetch: () => Promise<T>) {
    this._resource = new Resource(fetch);
    this._resource.changed.connect(() => this._changed.emit(), this);
  }

  /** Emitted when the deleted items, their state or {@link shown} change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** Whether the deleted items are shown (loaded when turned on). */
  get shown(): boolean {
    return this._shown;
  }
  /** The deleted items, or null before the first answer. */
  get deleted(): T | null {
    return this._resource.value;
  }
  get phase(): LoadPhase {
    return this._resource.phase;
  }
  /** Failure of the last load, or null. */
  get error(): MlopsApiError | null {
    return this._resource.error;
  }
  get isDisposed(): boolean {
    return this._resource.isDisposed;
  }

  /** Show (and load) or hide the deleted items. */
  async show(value: boolean): Promise<void> {
    this._shown = value;
    this._changed.emit();
    if (value) {
      await this.load();
    }
  }

  /** Load the deleted items; a failure is kept in {@link error}. Never throws. */
  load(): Promise<void> {
    return this._resource.load();
  }

  /** Load again when shown (after a delete or restore). */
  refresh(): void {
    if (this._shown) {
      void this.load();
    }
  }

  dispose(): void {
    this._resource.dispose();
    Signal.clearData(this);
  }

  private _changed = new Signal<this, void>(this);
  private _resource: Resource<T>;
  private _shown = false;
}

/** A "show deleted" toggle's state, the same for every list: off (with the reason) where deletes are for good. */
export function binToggle(
  bin: { readonly shown: boolean; show(shown: boolean): Promise<void> },
  support: IEditSupport,
  noun: string
): { shown: boolean; off: string | null; title: string; toggle: () => void } {
  const off = support.permanentDelete ? support.restore : null;
  const title = actionTitle(
    off,
    bin.shown
      ? `Hide the deleted ${noun}`
      : `Show the deleted ${noun} (restore them)`
  );
  return {
    shown: bin.shown,
    off,
    title,
    toggle: () => void bin.show(!bin.shown)
  };
}
