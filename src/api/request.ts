/**
 * The one request layer: every call to the server extension goes through
 * {@link requestResponse}, on `ServerConnection.makeRequest` with the app's
 * `serverSettings`, so `base_url`, the token and the XSRF header are right.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { ErrorCode, errorMessage, MlopsApiError } from '../common/errors';
import { IErrorBody } from './types';

/** URL namespace of the server extension, below Jupyter's `base_url`. */
export const API_NAMESPACE = 'jupyterlab-mlops';

/** Parse a JSON text; `undefined` when it is not JSON. */
function tryParseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isErrorBody(value: unknown): value is IErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as IErrorBody).message === 'string'
  );
}

/**
 * Turn an error response into a {@link MlopsApiError}.
 *
 * A JSON body `{"message", "reason", "error", ...}` gives the typed error (its
 * extra keys stay in `body`); a 404 without a JSON body is Jupyter's own "no
 * such route" page, which means the server extension is not installed or not
 * enabled.
 */
export function errorFromResponse(
  status: number,
  statusText: string,
  bodyText: string
): MlopsApiError {
  const body = tryParseJSON(bodyText);
  if (isErrorBody(body)) {
    return new MlopsApiError({
      status,
      message: body.message || statusText || `HTTP ${status}`,
      reason: body.reason ?? statusText,
      code: body.error || ErrorCode.http,
      body: body as unknown as Record<string, unknown>
    });
  }
  if (status === 404 && body === undefined) {
    return new MlopsApiError({
      status,
      message:
        'The jupyterlab_mlops server extension is not running on this Jupyter server.',
      reason:
        'Install it with `pip install jupyterlab_mlops` in the environment that runs Jupyter, then restart Jupyter.',
      code: ErrorCode.extensionMissing
    });
  }
  return new MlopsApiError({
    status,
    message: `HTTP ${status}${statusText ? ` ${statusText}` : ''}`,
    reason: bodyText.slice(0, 500),
    code: ErrorCode.http,
    body:
      body && typeof body === 'object' ? (body as Record<string, unknown>) : {}
  });
}

/** `{base_url}/jupyterlab-mlops/{endPoint}`. */
export function apiUrl(
  endPoint: string,
  settings: ServerConnection.ISettings
): string {
  return URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);
}

/** The error of a request that got no answer. */
export function networkError(error: unknown): MlopsApiError {
  return new MlopsApiError({
    status: 0,
    message: 'Cannot reach the Jupyter server.',
    reason: errorMessage(error),
    code: ErrorCode.network
  });
}

/**
 * Call `{base_url}/jupyterlab-mlops/{endPoint}` and return the successful response.
 *
 * @throws {MlopsApiError} on a network error or an error status
 */
export async function requestResponse(
  endPoint: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<Response> {
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      apiUrl(endPoint, settings),
      init,
      settings
    );
  } catch (error) {
    throw networkError(error);
  }
  if (!response.ok) {
    throw errorFromResponse(
      response.status,
      response.statusText,
      await response.text()
    );
  }
  return response;
}

/** The parsed JSON of a successful answer (`undefined` for an empty body). */
export function parseJSONAnswer<T>(status: number, text: string): T {
  if (text.length === 0) {
    return undefined as T;
  }
  const data = tryParseJSON(text);
  if (data === undefined) {
    throw new MlopsApiError({
      status,
      message: 'The server answered with something that is not JSON.',
      reason: text.slice(0, 500),
      code: ErrorCode.invalidResponse
    });
  }
  return data as T;
}

/**
 * Call the server extension at `{base_url}/jupyterlab-mlops/{endPoint}`.
 *
 * @param endPoint - path below the namespace, with its query string if any
 * @param init - fetch options (method, body, ...)
 * @param settings - server connection settings (base URL, token, fetch)
 * @returns the parsed JSON answer (`undefined` for an empty body)
 * @throws {MlopsApiError} on a network error, an error status or a non-JSON
 *   answer; the error keeps the whole JSON error body in `body`
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const response = await requestResponse(endPoint, init, settings);
  return parseJSONAnswer<T>(response.status, await response.text());
}

/** A binary answer (CSV, artifact download) as a Blob. */
export async function requestBlob(
  endPoint: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<Blob> {
  return (await requestResponse(endPoint, {}, settings)).blob();
}
