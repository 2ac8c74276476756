/** The embedded MLflow server's recovery routes: `backends/{b}/restart` and `backends/{b}/log`. */
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from './request';
import { BackendHealth, IBackendStatus, IEmbeddedSupervisor } from './types';

export type { IEmbeddedSupervisor } from './types';

/** A backend of `status`, with the supervisor's fields when it is the embedded one. */
export type IEmbeddedBackendStatus = IBackendStatus & IEmbeddedSupervisor;

/** Answer of `POST backends/{b}/restart`. */
export interface IRestartAnswer extends IEmbeddedSupervisor {
  name: string;
  health: BackendHealth;
  message: string;
}

/** Answer of `GET backends/{b}/log`. */
export interface IBackendLog {
  name: string;
  path: string;
  lines: number;
  /** The last lines of the log, secrets scrubbed. */
  text: string;
}

function embeddedPath(backend: string, route: string): string {
  return ['backends', backend, route].map(encodeURIComponent).join('/');
}

/** `POST backends/{b}/restart`: restart the embedded server (also after its restart budget is spent). */
export function restartBackend(
  backend: string,
  settings?: ServerConnection.ISettings
): Promise<IRestartAnswer> {
  return requestAPI<IRestartAnswer>(
    embeddedPath(backend, 'restart'),
    { method: 'POST', body: '{}' },
    settings
  );
}

/** `GET backends/{b}/log?lines=N`: the embedded server's last log lines. */
export function getBackendLog(
  backend: string,
  lines = 200,
  settings?: ServerConnection.ISettings
): Promise<IBackendLog> {
  return requestAPI<IBackendLog>(
    `${embeddedPath(backend, 'log')}?lines=${lines}`,
    {},
    settings
  );
}
