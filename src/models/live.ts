import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

/** The schema of the server's change events (`jupyterlab_mlops/events/changes-v1.json`). */
export const CHANGES_SCHEMA_ID =
  'https://events.jupyter.org/jupyterlab_mlops/changes/v1';

/** What a change event says (ids and a short, untrusted name). */
export interface IChange {
  /** Backend name, as the server configures it. */
  backend: string;
  /** model: a registered model, its versions or aliases (experiment_id is empty). */
  kind: 'experiment' | 'run' | 'model';
  experiment_id: string;
  run_id: string | null;
  /** `edited`, `deleted`, `restored`: made through the extension's edit routes. */
  change:
    'created' | 'updated' | 'finished' | 'edited' | 'deleted' | 'restored';
  /** The name the kernel knew: untrusted text. */
  name: string | null;
}

/** An event bus emission as `serviceManager.events.stream` gives it. */
export interface IEmission {
  readonly schema_id: string;
  readonly [key: string]: unknown;
}

/** The part of `Event.IManager` this model reads (`serviceManager.events`). */
export interface IEventSource {
  readonly stream: ISignal<unknown, IEmission>;
}

const KINDS = new Set(['experiment', 'run', 'model']);
const CHANGES = new Set([
  'created',
  'updated',
  'finished',
  'edited',
  'deleted',
  'restored'
]);

/** The change an emission carries, or null when it is not one of ours or malformed. */
export function parseChange(emission: IEmission): IChange | null {
  if (emission.schema_id !== CHANGES_SCHEMA_ID) {
    return null;
  }
  const { backend, kind, experiment_id, run_id, change, name } = emission;
  if (
    typeof backend !== 'string' ||
    typeof kind !== 'string' ||
    !KINDS.has(kind) ||
    typeof experiment_id !== 'string' ||
    typeof change !== 'string' ||
    !CHANGES.has(change)
  ) {
    return null;
  }
  const runId = typeof run_id === 'string' ? run_id : null;
  if (kind === 'run' && runId === null) {
    return null;
  }
  return {
    backend,
    kind: kind as IChange['kind'],
    experiment_id,
    run_id: runId,
    change: change as IChange['change'],
    name: typeof name === 'string' ? name : null
  };
}

/**
 * The server's change events (kernels that log through the extension tell
 * the server, which emits them on Jupyter's event bus), as typed signals.
 */
export class LiveChanges implements IDisposable {
  constructor(events: IEventSource) {
    this._events = events;
    events.stream.connect(this._onEmission, this);
  }

  /** Every change. */
  get changed(): ISignal<this, IChange> {
    return this._changed;
  }
  /** An experiment was created or chosen. */
  get experimentChanged(): ISignal<this, IChange> {
    return this._experimentChanged;
  }
  /** A run was created, logged to, finished, edited, deleted or restored. */
  get runChanged(): ISignal<this, IChange> {
    return this._runChanged;
  }
  /** A registered model was created, edited (versions, aliases, tags) or deleted. */
  get modelChanged(): ISignal<this, IChange> {
    return this._modelChanged;
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._events.stream.disconnect(this._onEmission, this);
    Signal.clearData(this);
  }

  private _onEmission(_: unknown, emission: IEmission): void {
    const change = parseChange(emission);
    if (!change) {
      return;
    }
    this._changed.emit(change);
    const signal = {
      run: this._runChanged,
      experiment: this._experimentChanged,
      model: this._modelChanged
    }[change.kind];
    signal.emit(change);
  }

  private _changed = new Signal<this, IChange>(this);
  private _events: IEventSource;
  private _experimentChanged = new Signal<this, IChange>(this);
  private _isDisposed = false;
  private _modelChanged = new Signal<this, IChange>(this);
  private _runChanged = new Signal<this, IChange>(this);
}
