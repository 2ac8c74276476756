import { PathExt } from '@jupyterlab/coreutils';
import { Contents, ServerConnection } from '@jupyterlab/services';
import { withoutTrust } from '../../common/drives/notebookTrust';
import { ReadOnlyDrive } from '../../common/drives/readOnlyDrive';
import { refuseUnguarded } from '../../common/drives/untrusted';

import {
  artifactDownloadPath,
  downloadArtifact,
  listArtifacts
} from '../../api/endpoints';
import { apiUrl } from '../../api/request';
import { fileMimetype, isTextMimetype } from './mimetypes';

/** Name of the drive: paths look like `MLOpsArtifacts:<backend>/<run_id>/<file>`. */
export const ARTIFACTS_DRIVE = 'MLOpsArtifacts';

/** Bytes kept in memory for files opened recently (the viewers ask twice). */
const CACHE_BYTES = 64 * 1024 * 1024;

/** A drive path split into its parts. */
export interface IArtifactPath {
  backend: string;
  runId: string;
  /** Path inside the run's artifacts ('' for the root). */
  path: string;
}

/** `default/ab12/plots/a.png` → its parts (backend and run id are URI-encoded). */
export function parseArtifactPath(localPath: string): IArtifactPath {
  const parts = localPath.replace(/^\/+/, '').split('/');
  return {
    backend: decodeURIComponent(parts[0] ?? ''),
    runId: decodeURIComponent(parts[1] ?? ''),
    path: parts.slice(2).join('/')
  };
}

/** Base64 of bytes, in chunks (no stack overflow for big files). */
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/**
 * A read-only JupyterLab drive over the artifacts of runs: files open in
 * JupyterLab's own viewers (images, CSV, JSON, notebooks, text; HTML and SVG
 * in the extension's sandboxed viewer) without being written anywhere. Bytes come from the
 * server's streamed artifact download route.
 */
export class ArtifactsDrive extends ReadOnlyDrive {
  constructor(serverSettings: ServerConnection.ISettings) {
    super(
      ARTIFACTS_DRIVE,
      serverSettings,
      'Run artifacts are read-only. Use "Save As…" to keep a copy.'
    );
  }

  /** The global path (with the drive name) of an artifact. */
  pathFor(backend: string, runId: string, path: string): string {
    return `${ARTIFACTS_DRIVE}:${encodeURIComponent(backend)}/${encodeURIComponent(runId)}/${path}`;
  }

  /** The bytes of an artifact (cached for a while). */
  async bytes(
    backend: string,
    runId: string,
    path: string
  ): Promise<Uint8Array> {
    const key = `${backend}\n${runId}\n${path}`;
    const hit = this._cache.get(key);
    if (hit) {
      this._cache.delete(key);
      this._cache.set(key, hit);
      return hit;
    }
    const data = new Uint8Array(
      await downloadArtifact(backend, runId, path, this.serverSettings)
    );
    this._cache.set(key, data);
    this._cacheSize += data.byteLength;
    for (const [k, v] of this._cache) {
      if (this._cacheSize <= CACHE_BYTES || k === key) {
        break;
      }
      this._cache.delete(k);
      this._cacheSize -= v.byteLength;
    }
    return data;
  }

  async get(
    localPath: string,
    options: Contents.IFetchOptions = {}
  ): Promise<Contents.IModel> {
    const target = parseArtifactPath(localPath);
    const name = PathExt.basename(localPath);
    const base = {
      name,
      path: `${ARTIFACTS_DRIVE}:${localPath.replace(/^\/+/, '')}`,
      writable: false,
      created: new Date(0).toISOString(),
      last_modified: new Date(0).toISOString()
    };
    if (options.type === 'directory' || !target.path) {
      const listing = await listArtifacts(
        target.backend,
        target.runId,
        target.path,
        this.serverSettings
      );
      const dir = localPath.replace(/\/+$/, '');
      return {
        ...base,
        type: 'directory',
        mimetype: '',
        format: 'json',
        content: listing.files.map(f => ({
          ...base,
          name: PathExt.basename(f.path),
          // Drive-local: the contents manager prefixes the drive name.
          path: `${dir.split('/').slice(0, 2).join('/')}/${f.path}`,
          type: f.is_dir ? 'directory' : 'file',
          mimetype: f.is_dir ? '' : fileMimetype(f.path),
          format: null,
          content: null,
          size: f.file_size ?? undefined
        }))
      };
    }
    const notebook = options.type === 'notebook' || name.endsWith('.ipynb');
    const mimetype = notebook ? 'application/x-ipynb+json' : fileMimetype(name);
    const type = notebook ? 'notebook' : 'file';
    if (options.content === false) {
      return { ...base, type, mimetype, format: null, content: null };
    }
    refuseUnguarded(name);
    const bytes = await this.bytes(target.backend, target.runId, target.path);
    const format: Contents.FileFormat =
      options.format ??
      (notebook ? 'json' : isTextMimetype(mimetype) ? 'text' : 'base64');
    let content: unknown;
    if (format === 'base64') {
      content = toBase64(bytes);
    } else {
      const text = new TextDecoder('utf-8').decode(bytes);
      // A notebook's cells never arrive trusted (drives/notebookTrust.ts).
      content = format === 'json' ? withoutTrust(JSON.parse(text)) : text;
    }
    return { ...base, type, mimetype, format, content, size: bytes.byteLength };
  }

  async getDownloadUrl(localPath: string): Promise<string> {
    const target = parseArtifactPath(localPath);
    return apiUrl(
      artifactDownloadPath(target.backend, target.runId, target.path),
      this.serverSettings
    );
  }

  protected clear(): void {
    this._cache.clear();
    this._cacheSize = 0;
  }

  private _cache = new Map<string, Uint8Array>();
  private _cacheSize = 0;
}
