import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { IErrorBody } from './types';

/** URL namespace of the server extension, below Jupyter's `base_url`. */
export const API_NAMESPACE = 'jupyterlab-mlops';

/** Client-side error codes (the server's own codes come in its `error` field). */
export const ErrorCode = {
  /** The route does not exist: the server extension is not installed or not enabled. */
  extensionMissing: 'extension_missing',
  /** The Jupyter server itself could not be reached. */
  network: 'network_error',
  /** The server answered with something that is not the expected JSON. */
  invalidResponse: 'invalid_response',
  /** An error status without a JSON error body (e.g. a proxy in between). */
  http: 'http_error'
} as const;

/** Options to build a {@link MlopsApiError}. */
export interface IMlopsApiErrorOptions {
  status: number;
  message: string;
  reason?: string;
  code?: string;
}

/** A failed call to the server extension, with the server's typed error. */
export class MlopsApiError extends Error {
  constructor(options: IMlopsApiErrorOptions) {
    super(options.message);
    this.name = 'MlopsApiError';
    this.status = options.status;
    this.reason = options.reason ?? '';
    this.code = options.code ?? ErrorCode.http;
  }

  /** HTTP status; 0 when no response was received. */
  readonly status: number;
  /** Extra detail from the server (or the HTTP status text). */
  readonly reason: string;
  /** Machine-readable code: the server's `error` field or one of {@link ErrorCode}. */
  readonly code: string;

  /** Whether the server extension is missing (its routes answer Jupyter's HTML 404). */
  get isExtensionMissing(): boolean {
    return this.code === ErrorCode.extensionMissing;
  }
}

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
 * A JSON body `{"message", "reason", "error"}` gives the typed error; a 404
 * without a JSON body is Jupyter's own "no such route" page, which means the
 * server extension is not installed or not enabled.
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
      code: body.error || ErrorCode.http
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
    code: ErrorCode.http
  });
}

/**
 * Call the server extension at `{base_url}/jupyterlab-mlops/{endPoint}`.
 *
 * @param endPoint - path below the namespace, with its query string if any
 * @param init - fetch options (method, body, ...)
 * @param settings - server connection settings (base URL, token, fetch)
 * @returns the parsed JSON answer (`undefined` for an empty body)
 * @throws {MlopsApiError} on a network error, an error status or a non-JSON answer
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new MlopsApiError({
      status: 0,
      message: 'Cannot reach the Jupyter server.',
      reason: error instanceof Error ? error.message : String(error),
      code: ErrorCode.network
    });
  }

  const text = await response.text();
  if (!response.ok) {
    throw errorFromResponse(response.status, response.statusText, text);
  }
  if (text.length === 0) {
    return undefined as T;
  }
  const data = tryParseJSON(text);
  if (data === undefined) {
    throw new MlopsApiError({
      status: response.status,
      message: 'The server answered with something that is not JSON.',
      reason: text.slice(0, 500),
      code: ErrorCode.invalidResponse
    });
  }
  return data as T;
}
