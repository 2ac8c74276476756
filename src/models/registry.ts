/**
 * The model registry tab's model: the models list (with a debounced name
 * search), the model or version page shown, the backends' write access, and
 * the registry's edits (create, describe, rename, tag, delete models and
 * versions; links, aliases, uploads) and downloads. Views render it;
 * every call goes through `src/api/`.
 */
import { ServerConnection } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { Debouncer } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { getStatus } from '../api/endpoints';
import {
  addVersionLink,
  createModel,
  deleteModel,
  deleteVersion,
  downloadVersionArtifact,
  editModel,
  editVersion,
  getModel,
  getVersion,
  IModelPage,
  IModelsList,
  IVersionLink,
  IVersionPage,
  IAliasRef,
  ICreateModelRequest,
  IDeletedModel,
  IDeletedVersion,
  IModelEdit,
  IVersionEdit,
  IVersionEditRequest,
  listModels,
  removeModelAlias,
  removeVersionLink,
  setModelAlias
} from '../api/registry';
import { IStatus } from '../api/types';
import {
  IUploadOptions,
  IUploadResult,
  uploadVersionFile
} from '../api/upload';
import { WriteBlocked, writeBlockedBy } from './capabilities';
import { Resource } from './resource';

/** Options of {@link RegistryModel}. */
export interface IRegistryModelOptions {
  serverSettings?: ServerConnection.ISettings;
  /** Wait after the last keystroke of the search before asking (ms). */
  searchDelay?: number;
}

/** A version of a model of a backend. */
export interface IVersionRefArgs {
  backend: string;
  model: string;
  version: string;
}

/** A page resource with the key of what it shows. */
interface IKeyed<T> {
  key: string;
  resource: Resource<T>;
}

/** See the module docstring. */
export class RegistryModel implements IDisposable {
  constructor(options: IRegistryModelOptions = {}) {
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
    this.list = new Resource(async () => {
      const search = this._search;
      const list = await listModels(search, this.serverSettings);
      this._listedSearch = search;
      return list;
    });
    this.status = new Resource(() => getStatus(this.serverSettings));
    this._searchDebouncer = new Debouncer(
      () => this.list.load(),
      options.searchDelay ?? 250
    );
  }

  readonly serverSettings: ServerConnection.ISettings;
  /** The models of every configured backend, for {@link search}. */
  readonly list: Resource<IModelsList>;
  /**
   * `GET status`, asked once, for the backends' write access (until it
   * answers every write is allowed: the server refuses what the token may
   * not do anyway, with the same reason).
   */
  readonly status: Resource<IStatus>;

  /** The search the list was (or is about to be) loaded for. */
  get search(): string {
    return this._search;
  }
  /** The search of the list shown. */
  get listedSearch(): string {
    return this._listedSearch;
  }
  /** The model page shown, or null. */
  get modelPage(): Resource<IModelPage> | null {
    return this._model?.resource ?? null;
  }
  /** The version page shown, or null. */
  get versionPage(): Resource<IVersionPage> | null {
    return this._version?.resource ?? null;
  }
  /** Why writing to a backend is off (null: allowed). */
  get writeBlocked(): WriteBlocked {
    return writeBlockedBy(this.status.value);
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }
  /** A model or version was created, edited or deleted through this model (other views follow it). */
  get edited(): ISignal<this, void> {
    return this._edited;
  }

  /** Show the list: loaded the first time, then kept. */
  showList(): void {
    this._closePages();
    if (this.list.phase === 'idle') {
      void this.list.load();
    }
  }

  /** Search models by name (trimmed; debounced while typing, else at once). */
  setSearch(search: string, immediate = false): void {
    const trimmed = search.trim();
    if (trimmed === this._search) {
      return;
    }
    this._search = trimmed;
    if (immediate) {
      this._searchDebouncer.stop();
      void this.list.load();
    } else {
      void this._searchDebouncer.invoke();
    }
  }

  /** Ask for the list again. */
  refreshList(): Promise<void> {
    return this.list.load();
  }

  /**
   * A model, its versions or aliases changed elsewhere (a change event from
   * another view, window or user of this server): the list reloads when it
   * was shown, and so do the pages of that model.
   */
  modelChangedElsewhere(backend: string, name: string | null): void {
    if (this.list.phase !== 'idle') {
      void this.list.load();
    }
    for (const page of [this._model, this._version]) {
      const [pageBackend, pageName] = page ? JSON.parse(page.key) : [];
      if (
        page &&
        pageBackend === backend &&
        (name === null || pageName === name)
      ) {
        void page.resource.load();
      }
    }
  }

  /** Show a model's page (the same page again keeps what it loaded). */
  showModel(backend: string, name: string): Resource<IModelPage> {
    this._closeVersion();
    this._model = this._keep(this._model, [backend, name], () =>
      getModel(backend, name, this.serverSettings)
    );
    return this._model.resource;
  }

  /** Show a version's page (the same page again keeps what it loaded). */
  showVersion(
    backend: string,
    name: string,
    version: string
  ): Resource<IVersionPage> {
    this._closeModel();
    this._version = this._keep(this._version, [backend, name, version], () =>
      getVersion(backend, name, version, this.serverSettings)
    );
    return this._version.resource;
  }

  /** Link an issue, MR or URL to a version; the version's links after it. */
  addLink(ref: IVersionRefArgs, url: string): Promise<IVersionLink[]> {
    return addVersionLink(
      ref.backend,
      ref.model,
      ref.version,
      url,
      this.serverSettings
    );
  }

  /** Unlink item `n`; the version's links after it. */
  removeLink(ref: IVersionRefArgs, n: number): Promise<IVersionLink[]> {
    return removeVersionLink(
      ref.backend,
      ref.model,
      ref.version,
      n,
      this.serverSettings
    );
  }

  /** Point `alias` at a version (moved from another); the page shown reloads. */
  async setAlias(ref: IVersionRefArgs, alias: string): Promise<IAliasRef[]> {
    const aliases = await setModelAlias(
      ref.backend,
      ref.model,
      alias,
      ref.version,
      this.serverSettings
    );
    await this._reloadPages();
    return aliases;
  }

  /** Remove an alias of a model; the page shown reloads. */
  async removeAlias(
    backend: string,
    model: string,
    alias: string
  ): Promise<IAliasRef[]> {
    const aliases = await removeModelAlias(
      backend,
      model,
      alias,
      this.serverSettings
    );
    await this._reloadPages();
    return aliases;
  }

  /** Create a model (without versions); its page. The list reloads. */
  async createModel(request: ICreateModelRequest): Promise<IModelPage> {
    const page = await createModel(request, this.serverSettings);
    this._afterEdit();
    return page;
  }

  /**
   * Rename, describe or tag a model; its page after (under its new name).
   * The model page shown takes the answer; the list reloads.
   */
  async editModel(
    backend: string,
    name: string,
    edit: IModelEdit
  ): Promise<IModelPage> {
    const page = await editModel(backend, name, edit, this.serverSettings);
    if (this._model?.key === JSON.stringify([backend, page.name])) {
      this._model.resource.set(page);
    }
    this._afterEdit();
    return page;
  }

  /** Delete a model (`confirm` repeats its name); the list reloads. */
  async deleteModel(
    backend: string,
    name: string,
    confirm: string
  ): Promise<IDeletedModel> {
    const gone = await deleteModel(backend, name, confirm, this.serverSettings);
    this._afterEdit();
    return gone;
  }

  /** Describe or tag a version; the page shown reloads. */
  async editVersion(
    ref: IVersionRefArgs,
    edit: IVersionEditRequest
  ): Promise<IVersionEdit> {
    const answer = await editVersion(
      ref.backend,
      ref.model,
      ref.version,
      edit,
      this.serverSettings
    );
    await this._reloadPages();
    this._afterEdit();
    return answer;
  }

  /** Delete a version (its run stays); the page shown reloads. */
  async deleteVersion(ref: IVersionRefArgs): Promise<IDeletedVersion> {
    const gone = await deleteVersion(
      ref.backend,
      ref.model,
      ref.version,
      this.serverSettings
    );
    await this._model?.resource.load();
    this._afterEdit();
    return gone;
  }

  /** One file of a version. */
  download(ref: IVersionRefArgs, path: string): Promise<Blob> {
    return downloadVersionArtifact(
      ref.backend,
      ref.model,
      ref.version,
      path,
      this.serverSettings
    );
  }

  /** Upload a file to a version, with progress. */
  upload(options: Omit<IUploadOptions, 'settings'>): Promise<IUploadResult> {
    return uploadVersionFile({ ...options, settings: this.serverSettings });
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
    this._searchDebouncer.dispose();
    this._closePages();
    this.list.dispose();
    this.status.dispose();
  }

  /** The page for `parts`: the current one when it shows the same, else a new one, loading. */
  private _keep<T>(
    current: IKeyed<T> | null,
    parts: string[],
    fetch: () => Promise<T>
  ): IKeyed<T> {
    const key = JSON.stringify(parts);
    if (current?.key === key) {
      return current;
    }
    current?.resource.dispose();
    const resource = new Resource(fetch);
    void resource.load();
    if (this.status.phase === 'idle') {
      void this.status.load();
    }
    return { key, resource };
  }

  /** After a write: the list (when shown once) reloads, and listeners hear of it. */
  private _afterEdit(): void {
    if (this.list.phase !== 'idle') {
      void this.list.load();
    }
    this._edited.emit();
  }

  private async _reloadPages(): Promise<void> {
    await Promise.all([
      this._model?.resource.load(),
      this._version?.resource.load()
    ]);
  }

  private _closePages(): void {
    this._closeModel();
    this._closeVersion();
  }

  private _closeModel(): void {
    this._model?.resource.dispose();
    this._model = null;
  }

  private _closeVersion(): void {
    this._version?.resource.dispose();
    this._version = null;
  }

  private _edited = new Signal<this, void>(this);
  private _isDisposed = false;
  private _listedSearch = '';
  private _model: IKeyed<IModelPage> | null = null;
  private _search = '';
  private _searchDebouncer: Debouncer;
  private _version: IKeyed<IVersionPage> | null = null;
}
