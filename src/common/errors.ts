/** The one error type of the frontend and the questions views ask about it. */

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
  /** The parsed JSON error body, with its extra keys (`existing`, `max_bytes`, ...). */
  body?: Record<string, unknown>;
}

/** A failed call to the server extension, with the server's typed error. */
export class MlopsApiError extends Error {
  constructor(options: IMlopsApiErrorOptions) {
    super(options.message);
    this.name = 'MlopsApiError';
    this.status = options.status;
    this.reason = options.reason ?? '';
    this.code = options.code ?? ErrorCode.http;
    this.body = options.body ?? {};
  }

  /** HTTP status; 0 when no response was received. */
  readonly status: number;
  /** Extra detail from the server (or the HTTP status text). */
  readonly reason: string;
  /** Machine-readable code: the server's `error` field or one of {@link ErrorCode}. */
  readonly code: string;
  /** The parsed JSON error body (empty when there was none). */
  readonly body: Record<string, unknown>;

  /** Whether the server extension is missing (its routes answer Jupyter's HTML 404). */
  get isExtensionMissing(): boolean {
    return this.code === ErrorCode.extensionMissing;
  }
}

/** Any thrown value as a {@link MlopsApiError}. */
export function asApiError(error: unknown): MlopsApiError {
  if (error instanceof MlopsApiError) {
    return error;
  }
  return new MlopsApiError({
    status: 0,
    message: errorMessage(error),
    code: ErrorCode.invalidResponse
  });
}

/**
 * Whether an error means the backend (or the Jupyter server) is down, as
 * opposed to a problem with the request: the status banner should then be
 * refreshed, and what is on screen kept.
 */
export function isOutage(error: MlopsApiError): boolean {
  return (
    (error.status === 0 && error.code === ErrorCode.network) ||
    [502, 503, 504].includes(error.status)
  );
}

/** Whether the server rejected the request's input (e.g. a bad filter). */
export function isInvalidInput(error: MlopsApiError): boolean {
  return error.status === 400;
}

/** Whether the thing asked for does not exist (any more). */
export function isNotFound(error: MlopsApiError): boolean {
  return error.status === 404 && !error.isExtensionMissing;
}

/** The message of any thrown value, for users. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return typeof error === 'string' ? error : JSON.stringify(error);
}

/** The message and the detail (the server's reason, when it adds something) of any error. */
export function describeError(error: unknown): {
  message: string;
  detail: string;
} {
  if (error instanceof MlopsApiError) {
    const reason =
      error.reason && error.reason !== error.message ? error.reason : '';
    return { message: error.message, detail: reason };
  }
  return { message: errorMessage(error), detail: '' };
}
