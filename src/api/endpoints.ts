import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from './request';
import { IStatus } from './types';

/** `GET status`: version, backends and their health, spool depth. */
export function getStatus(
  settings?: ServerConnection.ISettings
): Promise<IStatus> {
  return requestAPI<IStatus>('status', {}, settings);
}
