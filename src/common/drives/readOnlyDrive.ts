import { Contents, ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { markUntrustedDrive } from './untrusted';

/**
 * Base of the extension's read-only JupyterLab drives (run artifacts,
 * notebook snapshots): every write refuses with `refusal`, there are no
 * checkpoints, and disposing drops what the subclass keeps (`clear`).
 * Their files come from a backend: untrusted (see untrusted.ts), so HTML and
 * SVG on them only open in the sandboxed viewer.
 */
export abstract class ReadOnlyDrive implements Contents.IDrive {
  constructor(
    readonly name: string,
    readonly serverSettings: ServerConnection.ISettings,
    private readonly _refusal: string
  ) {
    markUntrustedDrive(name);
  }

  get fileChanged(): ISignal<this, Contents.IChangedArgs> {
    return this._fileChanged;
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  abstract get(
    localPath: string,
    options?: Contents.IFetchOptions
  ): Promise<Contents.IModel>;
  abstract getDownloadUrl(localPath: string): Promise<string>;

  newUntitled(): Promise<Contents.IModel> {
    return this.refuse();
  }
  delete(): Promise<void> {
    return this.refuse();
  }
  rename(): Promise<Contents.IModel> {
    return this.refuse();
  }
  save(): Promise<Contents.IModel> {
    return this.refuse();
  }
  copy(): Promise<Contents.IModel> {
    return this.refuse();
  }
  createCheckpoint(): Promise<Contents.ICheckpointModel> {
    return this.refuse();
  }
  async listCheckpoints(): Promise<Contents.ICheckpointModel[]> {
    return [];
  }
  restoreCheckpoint(): Promise<void> {
    return this.refuse();
  }
  deleteCheckpoint(): Promise<void> {
    return this.refuse();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.clear();
    Signal.clearData(this);
  }

  /** A rejected promise saying why this drive cannot be written. */
  protected refuse(): Promise<never> {
    return Promise.reject(new Error(this._refusal));
  }

  /** Drop what the drive keeps in memory. */
  protected abstract clear(): void;

  private _fileChanged = new Signal<this, Contents.IChangedArgs>(this);
  private _isDisposed = false;
}
