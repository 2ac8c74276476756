/**
 * Upload a file to a model version with progress.
 *
 * `fetch` (and so `ServerConnection.makeRequest`) has no upload progress
 * events, so the bytes go through an XMLHttpRequest. Its URL and headers are
 * not built here: {@link preparedRequest} lets `ServerConnection.makeRequest`
 * build the request with the app's `serverSettings` (base URL, token header,
 * the XSRF header from its own cookie handling) and only replays it.
 */
import { ServerConnection } from '@jupyterlab/services';

import { ErrorCode, MlopsApiError } from '../common/errors';
import { formatBytes } from '../common/format';
import { IUploadInfo, IUploadResult } from './registryTypes';
import { versionPath } from './registry';
import { apiUrl, errorFromResponse, parseJSONAnswer } from './request';

export type { IUploadResult } from './registryTypes';

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

/**
 * The request `ServerConnection.makeRequest` would send (URL with its cache
 * buster, `Authorization`, `X-XSRFToken`, `Content-Type`), without sending it.
 */
export async function preparedRequest(
  url: string,
  init: RequestInit,
  settings: ServerConnection.ISettings
): Promise<Request> {
  let captured: Request | null = null;
  const capture: ServerConnection.ISettings = {
    ...settings,
    fetch: (input: RequestInfo | URL) => {
      captured = input as Request;
      return Promise.resolve(undefined as unknown as Response);
    }
  };
  await ServerConnection.makeRequest(url, init, capture);
  if (!captured) {
    throw new Error('ServerConnection did not build the request.');
  }
  return captured;
}

/** PUT the file; rejects with the server's error, or early when it is too large. */
export async function uploadVersionFile(
  options: IUploadOptions
): Promise<IUploadResult> {
  const settings = options.settings ?? ServerConnection.makeSettings();
  const name = options.name ?? options.file.name;
  const problem = uploadProblem(name, options.file.size, options.upload);
  if (problem) {
    throw new MlopsApiError({
      status: 0,
      message: problem,
      reason: 'too_large',
      code: 'invalid_input'
    });
  }
  const endPoint = `${versionPath(options.backend, options.model, options.version)}/artifacts/${encodeURIComponent(name)}`;
  const request = await preparedRequest(
    apiUrl(endPoint, settings),
    {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' }
    },
    settings
  );
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', request.url);
    request.headers.forEach((value, key) => xhr.setRequestHeader(key, value));
    xhr.upload.onprogress = event => {
      if (event.lengthComputable && options.onProgress) {
        options.onProgress(event.total ? event.loaded / event.total : 1);
      }
    };
    xhr.onload = () => {
      if (xhr.status < 200 || xhr.status >= 300) {
        reject(errorFromResponse(xhr.status, xhr.statusText, xhr.responseText));
        return;
      }
      try {
        resolve(parseJSONAnswer<IUploadResult>(xhr.status, xhr.responseText));
      } catch (error) {
        reject(error);
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
