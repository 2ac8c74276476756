import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

/** A run as the compare and promote commands take it. */
export interface IRunRef {
  backend: string;
  run_id: string;
}

/** The checked runs of a candidates table, in the order they were checked. */
export class RunsSelection implements IDisposable {
  constructor(backend: string) {
    this.backend = backend;
  }

  readonly backend: string;

  /** Emitted when a run is checked or unchecked. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get size(): number {
    return this._ids.size;
  }
  /** Run ids, in the order they were checked. */
  get ids(): string[] {
    return Array.from(this._ids);
  }
  /** The runs as `{backend, run_id}`, for `mlops:compare`. */
  get refs(): IRunRef[] {
    return this.ids.map(run_id => ({ backend: this.backend, run_id }));
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  has(runId: string): boolean {
    return this._ids.has(runId);
  }

  /** Check or uncheck a run (toggle when `value` is omitted). */
  toggle(runId: string, value?: boolean): void {
    const on = value ?? !this._ids.has(runId);
    if (on === this._ids.has(runId)) {
      return;
    }
    if (on) {
      this._ids.add(runId);
    } else {
      this._ids.delete(runId);
    }
    this._changed.emit();
  }

  /** Check all of these runs, or uncheck them all when all are checked. */
  toggleAll(runIds: readonly string[]): void {
    const all = runIds.length > 0 && runIds.every(id => this._ids.has(id));
    for (const id of runIds) {
      if (all) {
        this._ids.delete(id);
      } else {
        this._ids.add(id);
      }
    }
    this._changed.emit();
  }

  clear(): void {
    if (this._ids.size) {
      this._ids.clear();
      this._changed.emit();
    }
  }

  dispose(): void {
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _changed = new Signal<this, void>(this);
  private _ids = new Set<string>();
  private _isDisposed = false;
}
