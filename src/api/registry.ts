/**
 * Promote and registry routes: types mirroring `client/promote.py` and
 * `client/registry_view.py` (.notes/API_ISSUE4.md), one function per endpoint.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  API_NAMESPACE,
  ErrorCode,
  errorFromResponse,
  MlopsApiError,
  requestAPI
} from './request';
import {
  IChampionCheck,
  IModelPage,
  IModelsList,
  INextVersion,
  IPromoteRequest,
  IPromoteResult,
  IVersionLink,
  IVersionPage,
  IVersionRef
} from './registryTypes';

export * from './registryTypes';

/** Which part of a version a bump increments. */
export type Bump = 'patch' | 'minor' | 'major';

/** An error answer with the extra keys of its body (`existing`, `max_bytes`, ...). */
export class MlopsDetailedError extends MlopsApiError {
  constructor(base: MlopsApiError, body: Record<string, unknown>) {
    super({
      status: base.status,
      message: base.message,
      reason: base.reason,
      code: base.code
    });
    this.body = body;
  }

  /** The parsed JSON error body (empty when there was none). */
  readonly body: Record<string, unknown>;

  /** The version that already exists (409 `version_exists` / `already_promoted`). */
  get existing(): IVersionRef | null {
    const e = this.body.existing;
    return e && typeof e === 'object' ? (e as IVersionRef) : null;
  }
}

/** Wrap an error response, keeping its body. */
export function detailedError(
  status: number,
  statusText: string,
  text: string
): MlopsDetailedError {
  let body: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === 'object') {
      body = parsed as Record<string, unknown>;
    }
  } catch {
    // not JSON: errorFromResponse explains it
  }
  return new MlopsDetailedError(
    errorFromResponse(status, statusText, text),
    body
  );
}

async function send(
  endPoint: string,
  init: RequestInit,
  settings: ServerConnection.ISettings
): Promise<Response> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);
  try {
    return await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new MlopsApiError({
      status: 0,
      message: 'Cannot reach the Jupyter server.',
      reason: error instanceof Error ? error.message : String(error),
      code: ErrorCode.network
    });
  }
}

/** Like `requestAPI`, but an error keeps its whole body ({@link MlopsDetailedError}). */
export async function requestDetailed<T>(
  endPoint: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const response = await send(endPoint, init, settings);
  const text = await response.text();
  if (!response.ok) {
    throw detailedError(response.status, response.statusText, text);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new MlopsApiError({
      status: response.status,
      message: 'The server answered with something that is not JSON.',
      reason: text.slice(0, 500),
      code: ErrorCode.invalidResponse
    });
  }
}

/** A binary answer (CSV, artifact download) as a Blob. */
export async function requestBlob(
  endPoint: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<Blob> {
  const response = await send(endPoint, {}, settings);
  if (!response.ok) {
    const text = await response.text();
    throw errorFromResponse(response.status, response.statusText, text);
  }
  return response.blob();
}

/** `backends/{b}/models/{name}` (the name may hold `/`: it travels as `%2F`). */
export function modelPath(backend: string, name: string): string {
  return `backends/${encodeURIComponent(backend)}/models/${encodeURIComponent(name)}`;
}

/** `backends/{b}/models/{name}/versions/{version}`. */
export function versionPath(
  backend: string,
  name: string,
  version: string
): string {
  return `${modelPath(backend, name)}/versions/${encodeURIComponent(version)}`;
}

/** `GET .../next-version`: the suggested next semver and the rules. */
export function getNextVersion(
  backend: string,
  name: string,
  bump: Bump = 'patch',
  settings?: ServerConnection.ISettings
): Promise<INextVersion> {
  return requestAPI<INextVersion>(
    `${modelPath(backend, name)}/next-version?bump=${bump}`,
    {},
    settings
  );
}

/** `POST .../versions`: promote a run; errors are {@link MlopsDetailedError}. */
export function promoteRun(
  backend: string,
  name: string,
  body: IPromoteRequest,
  settings?: ServerConnection.ISettings
): Promise<IPromoteResult> {
  return requestDetailed<IPromoteResult>(
    `${modelPath(backend, name)}/versions`,
    { method: 'POST', body: JSON.stringify(body) },
    settings
  );
}

/** `GET .../champion`: the candidate against the model's latest version. */
export function getChampion(
  backend: string,
  name: string,
  runId: string,
  metrics: string[] = [],
  settings?: ServerConnection.ISettings
): Promise<IChampionCheck> {
  const keys = metrics.length
    ? `&metrics=${encodeURIComponent(metrics.join(','))}`
    : '';
  return requestAPI<IChampionCheck>(
    `${modelPath(backend, name)}/champion?run_id=${encodeURIComponent(runId)}${keys}`,
    {},
    settings
  );
}

/** `GET models`: the models of every configured backend. */
export function listModels(
  search = '',
  settings?: ServerConnection.ISettings
): Promise<IModelsList> {
  const q = search ? `?search=${encodeURIComponent(search)}` : '';
  return requestAPI<IModelsList>(`models${q}`, {}, settings);
}

/** `GET backends/{b}/models/{name}`: a model and its versions. */
export function getModel(
  backend: string,
  name: string,
  settings?: ServerConnection.ISettings
): Promise<IModelPage> {
  return requestAPI<IModelPage>(modelPath(backend, name), {}, settings);
}

/** `GET .../versions/{version}`: everything the version page shows. */
export function getVersion(
  backend: string,
  name: string,
  version: string,
  settings?: ServerConnection.ISettings
): Promise<IVersionPage> {
  return requestAPI<IVersionPage>(
    versionPath(backend, name, version),
    {},
    settings
  );
}

/** `POST .../links`: link an issue, MR or any http(s) URL to a version. */
export async function addVersionLink(
  backend: string,
  name: string,
  version: string,
  url: string,
  settings?: ServerConnection.ISettings
): Promise<IVersionLink[]> {
  const answer = await requestAPI<{ links: IVersionLink[] }>(
    `${versionPath(backend, name, version)}/links`,
    { method: 'POST', body: JSON.stringify({ url }) },
    settings
  );
  return answer.links;
}

/** `DELETE .../links/{n}`: unlink item `n`. */
export async function removeVersionLink(
  backend: string,
  name: string,
  version: string,
  n: number,
  settings?: ServerConnection.ISettings
): Promise<IVersionLink[]> {
  const answer = await requestAPI<{ links: IVersionLink[] }>(
    `${versionPath(backend, name, version)}/links/${n}`,
    { method: 'DELETE' },
    settings
  );
  return answer.links;
}

/** `GET .../artifacts/download?path=`: one file of a version. */
export function downloadVersionArtifact(
  backend: string,
  name: string,
  version: string,
  path: string,
  settings?: ServerConnection.ISettings
): Promise<Blob> {
  return requestBlob(
    `${versionPath(backend, name, version)}/artifacts/download?path=${encodeURIComponent(path)}`,
    settings
  );
}
