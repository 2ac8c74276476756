import { ServerConnection } from '@jupyterlab/services';

import { listArtifacts } from '../api/endpoints';
import { IArtifactList } from '../api/types';
import { MlopsApiError, asApiError } from '../common/errors';

/** A listed artifact directory. */
export interface IArtifactDir {
  listing: IArtifactList | null;
  error: MlopsApiError | null;
  pending: boolean;
}

/** The artifact sub-directories of a run opened on its page (the root comes with the run). */
export class ArtifactDirs {
  constructor(
    private readonly _backend: string,
    private readonly _runId: string,
    private readonly _serverSettings: ServerConnection.ISettings,
    private readonly _changed: () => void
  ) {}

  /** A sub-directory, once {@link list} was called. */
  get(path: string): IArtifactDir | null {
    return this._dirs.get(path) ?? null;
  }

  /** List a sub-directory; failures end up in its `error`. */
  async list(path: string): Promise<void> {
    const state: IArtifactDir = {
      listing: this._dirs.get(path)?.listing ?? null,
      error: null,
      pending: true
    };
    this._dirs.set(path, state);
    this._changed();
    try {
      state.listing = await listArtifacts(
        this._backend,
        this._runId,
        path,
        this._serverSettings
      );
    } catch (error) {
      state.error = asApiError(error);
    }
    state.pending = false;
    this._changed();
  }

  private _dirs = new Map<string, IArtifactDir>();
}
