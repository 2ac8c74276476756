/**
 * Upload a file to a model version with progress: XMLHttpRequest (fetch has
 * no upload progress) through the same base URL and auth as `ServerConnection`.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  detailedError,
  IArtifactFile,
  IUploadInfo,
  versionPath
} from '../api/registry';
import { API_NAMESPACE, ErrorCode, MlopsApiError } from '../api/request';

/** Answer 201 of the upload. */
export interface IUploadResult {
  path: string;
  size: number;
  artifacts: IArtifactFile[];
}

/** Where to upload and how. */
export interface IUploadOptions {
  backend: string;
  model: string;
  version: string;
  file: File;
  /** Name on the backend; the file's name when omitted. */
  name?: string;
  upload: IUploadInfo;
  settings?: ServerConnection.ISettings;
  /** Called with the fraction sent, 0..1. */
  onProgress?: (fraction: number) => void;
  /** Aborts the upload. */
  signal?: AbortSignal;
}

/** Human-readable bytes (KiB/MiB/GiB, binary units). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) {
    return '';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Why the file cannot be uploaded (too large, bad name), or `null`. */
export function uploadProblem(
  name: string,
  size: number,
  upload: IUploadInfo
): string | null {
  if (size > upload.max_bytes) {
    return `${name} is ${formatBytes(size)}; this backend accepts at most ${formatBytes(upload.max_bytes)} per file.`;
  }
  if (!name || name === '.' || name === '..' || name.includes('/')) {
    return `Invalid file name ${JSON.stringify(name)}: ${upload.name_rule}.`;
  }
  if (upload.name_pattern) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(upload.name_pattern);
    } catch {
      re = null; // a Python-only pattern: the server checks
    }
    if (re && !re.test(name)) {
      return `Invalid file name ${JSON.stringify(name)}: ${upload.name_rule}.`;
    }
  }
  return null;
}

/** The `_xsrf` cookie, which Jupyter checks on non-GET requests. */
function xsrfToken(): string | null {
  const match = document.cookie.match('\\b_xsrf=([^;]*)\\b');
  return match ? decodeURIComponent(match[1]) : null;
}

/** PUT the file; rejects with the server's error, or early when it is too large. */
export function uploadVersionFile(
  options: IUploadOptions
): Promise<IUploadResult> {
  const settings = options.settings ?? ServerConnection.makeSettings();
  const name = options.name ?? options.file.name;
  const problem = uploadProblem(name, options.file.size, options.upload);
  if (problem) {
    return Promise.reject(
      new MlopsApiError({
        status: 0,
        message: problem,
        reason: 'too_large',
        code: 'invalid_input'
      })
    );
  }
  const url = URLExt.join(
    settings.baseUrl,
    API_NAMESPACE,
    versionPath(options.backend, options.model, options.version),
    'artifacts',
    encodeURIComponent(name)
  );
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    if (settings.token) {
      xhr.setRequestHeader('Authorization', `token ${settings.token}`);
    }
    const xsrf = xsrfToken();
    if (xsrf) {
      xhr.setRequestHeader('X-XSRFToken', xsrf);
    }
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = event => {
      if (event.lengthComputable && options.onProgress) {
        options.onProgress(event.total ? event.loaded / event.total : 1);
      }
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as IUploadResult);
        } catch {
          reject(detailedError(xhr.status, xhr.statusText, xhr.responseText));
        }
      } else {
        reject(detailedError(xhr.status, xhr.statusText, xhr.responseText));
      }
    };
    xhr.onerror = () =>
      reject(
        new MlopsApiError({
          status: 0,
          message: `Uploading ${name} failed: the connection to the Jupyter server was lost.`,
          code: ErrorCode.network
        })
      );
    xhr.onabort = () =>
      reject(
        new MlopsApiError({
          status: 0,
          message: `Upload of ${name} cancelled.`,
          code: 'cancelled'
        })
      );
    options.signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(options.file);
  });
}
