/**
 * The promote form's live checks of the model name, on the server: does the
 * model exist and what version comes next (`next-version`, which also checks
 * the name against GitLab's rule), the champion check, and the existing
 * models whose name contains what is typed (the picker); and, for an existing
 * model, whether the typed version is taken (from the versions the model has,
 * fetched once when the model is chosen; the server's 409 stays the answer).
 */
import { ServerConnection } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { Debouncer } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import {
  getChampion,
  getModel,
  getNextVersion,
  IChampionCheck,
  INextVersion,
  IVersionSummary,
  listModels
} from '../api/registry';
import { describeError } from '../common/errors';
import { modelNameProblem } from '../common/registryRules';
import { checkVersion, VersionCheck } from './promoteVersions';

export * from './promoteVersions';
export * from './promoteSource';

/** Where the server check of a name is. */
export type NameCheck =
  | { state: 'idle' | 'checking' }
  | { state: 'ok'; info: INextVersion }
  | { state: 'error'; message: string };

/** Options of {@link PromoteChecksModel}. */
export interface IPromoteChecksOptions {
  candidate: { backend: string; run_id: string };
  /** The name in the form when it opens (checked at once). */
  name: string;
  serverSettings?: ServerConnection.ISettings;
  /** Wait after the last keystroke before checking (ms). */
  delay?: number;
}

/** Existing models shown in the picker. */
const MAX_MATCHES = 6;

/** See the module docstring. */
export class PromoteChecksModel implements IDisposable {
  constructor(options: IPromoteChecksOptions) {
    this._candidate = options.candidate;
    this._settings = options.serverSettings ?? ServerConnection.makeSettings();
    this._typed = options.name.trim();
    this._debouncer = new Debouncer(
      () => this._checkTyped(),
      options.delay ?? 250
    );
    this._versionDebouncer = new Debouncer(
      () => this._checkVersion(),
      options.delay ?? 250
    );
    this._checkTyped();
  }

  /** Emitted when a check starts or answers. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** The (trimmed) name the checks are about. */
  get name(): string {
    return this._name;
  }
  get check(): NameCheck {
    return this._check;
  }
  /** Existing models of the backend whose name contains {@link name}. */
  get matches(): string[] {
    return this._matches;
  }
  /** The candidate against the model's latest version (once the name is known). */
  get champion(): IChampionCheck | null {
    return this._champion;
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }
  /** The versions of the existing model {@link name} (`null`: none fetched yet, or no such model). */
  get versions(): IVersionSummary[] | null {
    return this._versions;
  }

  /**
   * The check of the typed version: 'checking' until typing stops and the
   * model's versions are known; always 'free' for a new model.
   */
  versionCheck(version: string): VersionCheck {
    const v = version.trim();
    const c = this._versionCheck;
    if (!c || c.version !== v) {
      return { state: 'checking', version: v };
    }
    return c;
  }

  /** The version typed in the form; checked once it stops changing. */
  setVersion(version: string): void {
    this._typedVersion = version.trim();
    void this._versionDebouncer.invoke();
  }

  /** The name typed in the form; checked once it stops changing. */
  setName(name: string): void {
    this._typed = name.trim();
    void this._debouncer.invoke();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._debouncer.dispose();
    this._versionDebouncer.dispose();
    Signal.clearData(this);
  }

  private _checkTyped(): void {
    const name = this._typed;
    if (this._isDisposed || (name === this._name && this._started)) {
      return;
    }
    this._started = true;
    this._name = name;
    const request = ++this._request;
    const current = () => request === this._request && !this._isDisposed;
    this._champion = null;
    this._versions = null;
    this._versionCheck = null;
    const { backend, run_id } = this._candidate;
    if (!name || modelNameProblem(name)) {
      this._check = { state: 'idle' };
    } else {
      this._check = { state: 'checking' };
      getNextVersion(backend, name, 'patch', this._settings).then(
        info => {
          if (!current()) {
            return;
          }
          this._check = { state: 'ok', info };
          this._loadVersions(name, info.exists, current);
          this._emit();
          getChampion(backend, name, run_id, [], this._settings).then(
            champion => current() && this._setChampion(champion),
            () => current() && this._setChampion(null)
          );
        },
        error => {
          if (current()) {
            this._check = {
              state: 'error',
              message: describeError(error).message
            };
            this._emit();
          }
        }
      );
    }
    listModels(name, this._settings).then(
      list => {
        if (current()) {
          this._matches = list.models
            .filter(m => m.backend === backend && m.name !== name)
            .map(m => m.name)
            .slice(0, MAX_MATCHES);
          this._emit();
        }
      },
      () => {
        if (current()) {
          this._matches = [];
          this._emit();
        }
      }
    );
    this._emit();
  }

  /** The versions of an existing model (once per chosen model); a new model has none. */
  private _loadVersions(
    name: string,
    exists: boolean,
    current: () => boolean
  ): void {
    if (!exists) {
      this._versions = [];
      this._checkVersion();
      return;
    }
    getModel(this._candidate.backend, name, this._settings).then(
      page => {
        if (current()) {
          this._versions = page.versions;
          this._checkVersion();
        }
      },
      () => {
        if (current()) {
          this._versions = []; // unknown: the server's 409 answers on submit
          this._checkVersion();
        }
      }
    );
  }

  private _checkVersion(): void {
    if (this._isDisposed || this._versions === null) {
      return;
    }
    this._versionCheck = checkVersion(this._typedVersion, this._versions);
    this._emit();
  }

  private _setChampion(champion: IChampionCheck | null): void {
    this._champion = champion;
    this._emit();
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _candidate: { backend: string; run_id: string };
  private _champion: IChampionCheck | null = null;
  private _changed = new Signal<this, void>(this);
  private _check: NameCheck = { state: 'idle' };
  private _debouncer: Debouncer;
  private _isDisposed = false;
  private _matches: string[] = [];
  private _name = '';
  private _request = 0;
  private _settings: ServerConnection.ISettings;
  private _started = false;
  private _typed: string;
  private _typedVersion = '';
  private _versionCheck: VersionCheck | null = null;
  private _versionDebouncer: Debouncer;
  private _versions: IVersionSummary[] | null = null;
}
