/**
 * A read-only drive over model versions' files, so they open in JupyterLab's
 * viewers without being written anywhere (the common ReadOnlyDrive, as run
 * artifacts use it). Paths look like
 * `MLOpsVersionFiles:<backend>/<model>/<version>/<file>` (the first three
 * URI-encoded: a model name may hold `/`). Files come from a backend:
 * untrusted (HTML and SVG only in the sandboxed viewer, notebooks untrusted).
 */
import { PathExt } from '@jupyterlab/coreutils';
import { Contents, ServerConnection } from '@jupyterlab/services';

import { apiUrl } from '../api/request';
import {
  downloadVersionArtifact,
  versionArtifactDownloadPath
} from '../api/registry';
import { withoutTrust } from '../common/drives/notebookTrust';
import { ReadOnlyDrive } from '../common/drives/readOnlyDrive';
import { markupKind, refuseUnguarded } from '../common/drives/untrusted';

/** Name of the drive. */
export const VERSION_FILES_DRIVE = 'MLOpsVersionFiles';

/** What the drive says when something tries to write. */
export const VERSION_FILES_READ_ONLY =
  'Model version files are read-only here. Use "Save As…" to keep a copy.';

/** Which file of which version. */
export interface IVersionFile {
  backend: string;
  model: string;
  version: string;
  path: string;
}

/** How a file is served: its mimetype and the format a viewer reads when it does not say. */
export interface IFileKind {
  mimetype: string;
  format: Contents.FileFormat;
}

/** The file kind of a name (JupyterLab's file types, given by the plugin). */
export type FileKindOf = (name: string) => IFileKind;

const MARKUP_MIMETYPES: Record<string, string> = {
  html: 'text/html',
  svg: 'image/svg+xml'
};

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

/** Bytes as base64 (no data: prefix). */
async function base64Of(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** Files kept in memory (the viewers read twice: model, then content). */
const MAX_KEPT = 8;

/** See the module docstring. */
export class VersionFilesDrive extends ReadOnlyDrive {
  constructor(
    serverSettings: ServerConnection.ISettings,
    kindOf: FileKindOf = () => ({ mimetype: 'text/plain', format: 'text' })
  ) {
    super(VERSION_FILES_DRIVE, serverSettings, VERSION_FILES_READ_ONLY);
    this._kindOf = kindOf;
  }

  async get(
    localPath: string,
    options: Contents.IFetchOptions = {}
  ): Promise<Contents.IModel> {
    const file = parseVersionFilePath(localPath);
    const name = PathExt.basename(localPath);
    const notebook = options.type === 'notebook' || name.endsWith('.ipynb');
    const kind = this._kindOf(name);
    const markup = markupKind(name);
    const base = {
      name,
      path: `${VERSION_FILES_DRIVE}:${localPath.replace(/^\/+/, '')}`,
      type: notebook ? ('notebook' as const) : ('file' as const),
      writable: false,
      created: new Date(0).toISOString(),
      last_modified: new Date(0).toISOString(),
      mimetype: notebook
        ? 'application/x-ipynb+json'
        : markup
          ? MARKUP_MIMETYPES[markup]
          : kind.mimetype
    };
    if (options.type === 'directory' || !file.path) {
      throw new Error('Model version files cannot be listed here.');
    }
    if (options.content === false) {
      return { ...base, format: null, content: null };
    }
    refuseUnguarded(localPath);
    const blob = await this._blob(localPath, file);
    const format: Contents.FileFormat =
      options.format ?? (notebook ? 'json' : markup ? 'text' : kind.format);
    let content: unknown;
    if (format === 'base64') {
      content = await base64Of(blob);
    } else {
      const text = await blob.text();
      // A notebook's cells never arrive trusted (drives/notebookTrust.ts).
      content = format === 'json' ? withoutTrust(JSON.parse(text)) : text;
    }
    return { ...base, format, content, size: blob.size };
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
    this._blobs.clear();
  }

  private async _blob(key: string, file: IVersionFile): Promise<Blob> {
    const hit = this._blobs.get(key);
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
    this._blobs.set(key, blob);
    while (this._blobs.size > MAX_KEPT) {
      this._blobs.delete(this._blobs.keys().next().value as string);
    }
    return blob;
  }

  private _blobs = new Map<string, Blob>();
  private _kindOf: FileKindOf;
}
