/**
 * Promote and registry routes: types mirroring the server's promote and
 * registry views, one function per endpoint.
 */
import { ServerConnection } from '@jupyterlab/services';

import { MlopsApiError } from '../common/errors';
import { requestAPI, requestBlob } from './request';
import {
  IAliasRef,
  IChampionCheck,
  ICreateModelRequest,
  IDeletedModel,
  IDeletedVersion,
  IModelAliases,
  IModelEdit,
  IModelPage,
  IModelsList,
  INextVersion,
  IPromoteRequest,
  IPromoteResult,
  IVersionLink,
  IVersionEdit,
  IVersionEditRequest,
  IVersionLinks,
  IVersionPage,
  IVersionRef
} from './registryTypes';

export * from './registryTypes';

/** Which part of a version a bump increments. */
export type Bump = 'patch' | 'minor' | 'major';

/** The version that already exists, from a 409 `version_exists` / `already_promoted` error. */
export function existingVersion(error: unknown): IVersionRef | null {
  const existing =
    error instanceof MlopsApiError ? error.body.existing : undefined;
  return existing && typeof existing === 'object'
    ? (existing as IVersionRef)
    : null;
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

/** `POST .../versions`: promote a run; a 409 names the version in {@link existingVersion}. */
export function promoteRun(
  backend: string,
  name: string,
  body: IPromoteRequest,
  settings?: ServerConnection.ISettings
): Promise<IPromoteResult> {
  return requestAPI<IPromoteResult>(
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

/** `POST models`: create a model (without versions) on a backend; its page. */
export function createModel(
  body: ICreateModelRequest,
  settings?: ServerConnection.ISettings
): Promise<IModelPage> {
  return requestAPI<IModelPage>(
    'models',
    { method: 'POST', body: JSON.stringify(body) },
    settings
  );
}

/** `PATCH backends/{b}/models/{name}`: rename, describe, tag; the page after (under the new name). */
export function editModel(
  backend: string,
  name: string,
  edit: IModelEdit,
  settings?: ServerConnection.ISettings
): Promise<IModelPage> {
  return requestAPI<IModelPage>(
    modelPath(backend, name),
    { method: 'PATCH', body: JSON.stringify(edit) },
    settings
  );
}

/** `DELETE backends/{b}/models/{name}`: `confirm` repeats the name (required when it has versions). */
export function deleteModel(
  backend: string,
  name: string,
  confirm: string,
  settings?: ServerConnection.ISettings
): Promise<IDeletedModel> {
  return requestAPI<IDeletedModel>(
    `${modelPath(backend, name)}?confirm=${encodeURIComponent(confirm)}`,
    { method: 'DELETE' },
    settings
  );
}

/** `PATCH .../versions/{version}`: describe or tag a version. */
export function editVersion(
  backend: string,
  name: string,
  version: string,
  edit: IVersionEditRequest,
  settings?: ServerConnection.ISettings
): Promise<IVersionEdit> {
  return requestAPI<IVersionEdit>(
    versionPath(backend, name, version),
    { method: 'PATCH', body: JSON.stringify(edit) },
    settings
  );
}

/** `DELETE .../versions/{version}` (MLflow only); the run it came from stays. */
export function deleteVersion(
  backend: string,
  name: string,
  version: string,
  settings?: ServerConnection.ISettings
): Promise<IDeletedVersion> {
  return requestAPI<IDeletedVersion>(
    versionPath(backend, name, version),
    { method: 'DELETE' },
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
  const answer = await requestAPI<IVersionLinks>(
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
  const answer = await requestAPI<IVersionLinks>(
    `${versionPath(backend, name, version)}/links/${n}`,
    { method: 'DELETE' },
    settings
  );
  return answer.links;
}

/** `POST .../aliases`: point `alias` at `version` (moved from another version); the model's aliases after. */
export async function setModelAlias(
  backend: string,
  name: string,
  alias: string,
  version: string,
  settings?: ServerConnection.ISettings
): Promise<IAliasRef[]> {
  const answer = await requestAPI<IModelAliases>(
    `${modelPath(backend, name)}/aliases`,
    { method: 'POST', body: JSON.stringify({ alias, version }) },
    settings
  );
  return answer.aliases;
}

/** `DELETE .../aliases/{alias}`: remove the alias; the model's aliases after. */
export async function removeModelAlias(
  backend: string,
  name: string,
  alias: string,
  settings?: ServerConnection.ISettings
): Promise<IAliasRef[]> {
  const answer = await requestAPI<IModelAliases>(
    `${modelPath(backend, name)}/aliases/${encodeURIComponent(alias)}`,
    { method: 'DELETE' },
    settings
  );
  return answer.aliases;
}

/** Endpoint of one file of a version (also a drive's download URL). */
export function versionArtifactDownloadPath(
  backend: string,
  name: string,
  version: string,
  path: string
): string {
  return `${versionPath(backend, name, version)}/artifacts/download?path=${encodeURIComponent(path)}`;
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
    versionArtifactDownloadPath(backend, name, version, path),
    settings
  );
}
