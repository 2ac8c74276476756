/** Edit routes of runs and experiments: one function per endpoint. */
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from './request';
import {
  IDeletedExperiments,
  IDeletedRuns,
  IExperimentChanged,
  IExperimentEditRequest,
  IRunEdit,
  IRunEditRequest,
  IRunsChanged
} from './editTypes';
import { IExperimentRow } from './types';

export * from './editTypes';

function path(backend: string, ...rest: string[]): string {
  return ['backends', backend, ...rest].map(encodeURIComponent).join('/');
}

function send<T>(
  endPoint: string,
  method: 'PATCH' | 'POST',
  body: unknown,
  settings?: ServerConnection.ISettings
): Promise<T> {
  return requestAPI<T>(
    endPoint,
    { method, body: JSON.stringify(body) },
    settings
  );
}

/** `PATCH backends/{b}/runs/{run_id}/edit`: rename, description, tags. */
export function editRun(
  backend: string,
  runId: string,
  edit: IRunEditRequest,
  settings?: ServerConnection.ISettings
): Promise<IRunEdit> {
  return send(path(backend, 'runs', runId, 'edit'), 'PATCH', edit, settings);
}

/** `POST .../experiments/{id}/runs/delete`: soft on MLflow, for good on GitLab. */
export function deleteRuns(
  backend: string,
  experimentId: string,
  runIds: readonly string[],
  settings?: ServerConnection.ISettings
): Promise<IRunsChanged> {
  const endPoint = path(backend, 'experiments', experimentId, 'runs', 'delete');
  return send(endPoint, 'POST', { run_ids: runIds }, settings);
}

/** `POST .../experiments/{id}/runs/restore` (MLflow only). */
export function restoreRuns(
  backend: string,
  experimentId: string,
  runIds: readonly string[],
  settings?: ServerConnection.ISettings
): Promise<IRunsChanged> {
  const endPoint = path(
    backend,
    'experiments',
    experimentId,
    'runs',
    'restore'
  );
  return send(endPoint, 'POST', { run_ids: runIds }, settings);
}

/** `GET .../experiments/{id}/runs/deleted`. */
export function listDeletedRuns(
  backend: string,
  experimentId: string,
  settings?: ServerConnection.ISettings
): Promise<IDeletedRuns> {
  const endPoint = path(
    backend,
    'experiments',
    experimentId,
    'runs',
    'deleted'
  );
  return requestAPI<IDeletedRuns>(endPoint, {}, settings);
}

/** `PATCH .../experiments/{id}/edit`: rename, description, tags. */
export function editExperiment(
  backend: string,
  experimentId: string,
  edit: IExperimentEditRequest,
  settings?: ServerConnection.ISettings
): Promise<IExperimentRow> {
  const endPoint = path(backend, 'experiments', experimentId, 'edit');
  return send(endPoint, 'PATCH', edit, settings);
}

/** `POST .../experiments/{id}/delete`. */
export function deleteExperiment(
  backend: string,
  experimentId: string,
  settings?: ServerConnection.ISettings
): Promise<IExperimentChanged> {
  const endPoint = path(backend, 'experiments', experimentId, 'delete');
  return send(endPoint, 'POST', {}, settings);
}

/** `POST .../experiments/{id}/restore` (MLflow only). */
export function restoreExperiment(
  backend: string,
  experimentId: string,
  settings?: ServerConnection.ISettings
): Promise<IExperimentChanged> {
  const endPoint = path(backend, 'experiments', experimentId, 'restore');
  return send(endPoint, 'POST', {}, settings);
}

/** `GET backends/{b}/experiments/deleted`. */
export function listDeletedExperiments(
  backend: string,
  settings?: ServerConnection.ISettings
): Promise<IDeletedExperiments> {
  return requestAPI<IDeletedExperiments>(
    path(backend, 'experiments', 'deleted'),
    {},
    settings
  );
}
