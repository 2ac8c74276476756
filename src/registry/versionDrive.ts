/**
 * A read-only drive over model versions' files, for the ones that must not be
 * written into the user's files to be opened: HTML and SVG (untrusted markup,
 * shown by the sandboxed viewer). Paths look like
 * `MLOpsVersionFiles:<backend>/<model>/<version>/<file>` (the first three
 * URI-encoded: a model name may hold `/`).
 */
import { PathExt } from '@jupyterlab/coreutils';
import { Contents, ServerConnection } from '@jupyterlab/services';

import { apiUrl } from '../api/request';
import {
  downloadVersionArtifact,
  versionArtifactDownloadPath
} from '../api/registry';
import { ReadOnlyDrive } from '../common/drives/readOnlyDrive';
import { markupKind, refuseUnguarded } from '../common/drives/untrusted';

/** Name of the drive. */
export const VERSION_FILES_DRIVE = 'MLOpsVersionFiles';

/** Which file of which version. */
export interface IVersionFile {
  backend: string;
  model: string;
  version: string;
  path: string;
}

/** The global path of a version's file on the drive. */
export function versionFilePath(file: IVersionFile): string {
  const head = [file.backend, file.model, file.version].map(encodeURIComponent);
  return `${VERSION_FILES_DRIVE}:${head.join('/')}/${file.path}`;
}

/** The parts of a drive-local path. */
export function parseVersionFilePath(localPath: string): IVersionFile {
  const parts = localPath.replace(/^\/+/, '').split('/');
  const [backend, model, version] = parts.slice(0, 3).map(p => {
    try {
      return decodeURIComponent(p ?? '');
    } catch {
      return p ?? '';
    }
  });
  return { backend, model, version, path: parts.slice(3).join('/') };
}

const MIMETYPES: Record<string, string> = {
  html: 'text/html',
  svg: 'image/svg+xml'
};

/** Files kept in memory (the viewer reads twice: model, then content). */
const MAX_KEPT = 8;

export class VersionFilesDrive extends ReadOnlyDrive {
  constructor(serverSettings: ServerConnection.ISettings) {
    super(
      VERSION_FILES_DRIVE,
      serverSettings,
      'Model version files are read-only here. Use "Save As…" to keep a copy.'
    );
  }

  async get(
    localPath: string,
    options: Contents.IFetchOptions = {}
  ): Promise<Contents.IModel> {
    const file = parseVersionFilePath(localPath);
    const base = {
      name: PathExt.basename(localPath),
      path: `${VERSION_FILES_DRIVE}:${localPath.replace(/^\/+/, '')}`,
      type: 'file' as const,
      writable: false,
      created: new Date(0).toISOString(),
      last_modified: new Date(0).toISOString(),
      mimetype: MIMETYPES[markupKind(localPath) ?? ''] ?? 'text/plain'
    };
    if (options.type === 'directory' || !file.path) {
      throw new Error('Model version files cannot be listed here.');
    }
    if (options.content === false) {
      return { ...base, format: null, content: null };
    }
    refuseUnguarded(localPath);
    const text = await this._text(localPath, file);
    return { ...base, format: 'text', content: text, size: text.length };
  }

  async getDownloadUrl(localPath: string): Promise<string> {
    const file = parseVersionFilePath(localPath);
    return apiUrl(
      versionArtifactDownloadPath(
        file.backend,
        file.model,
        file.version,
        file.path
      ),
      this.serverSettings
    );
  }

  protected clear(): void {
    this._texts.clear();
  }

  private async _text(key: string, file: IVersionFile): Promise<string> {
    const hit = this._texts.get(key);
    if (hit !== undefined) {
      return hit;
    }
    const blob = await downloadVersionArtifact(
      file.backend,
      file.model,
      file.version,
      file.path,
      this.serverSettings
    );
    const text = await blob.text();
    this._texts.set(key, text);
    while (this._texts.size > MAX_KEPT) {
      this._texts.delete(this._texts.keys().next().value as string);
    }
    return text;
  }

  private _texts = new Map<string, string>();
}
