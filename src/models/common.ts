import { ErrorCode, MlopsApiError } from '../api/request';

/** Any thrown value as a {@link MlopsApiError}. */
export function asApiError(error: unknown): MlopsApiError {
  if (error instanceof MlopsApiError) {
    return error;
  }
  return new MlopsApiError({
    status: 0,
    message: error instanceof Error ? error.message : String(error),
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

/** Loading state of a list or a document. */
export type LoadPhase = 'idle' | 'loading' | 'ready' | 'error';

/** Run statuses that can still change: poll while a run has one of them. */
export const LIVE_STATUSES: ReadonlySet<string> = new Set([
  'RUNNING',
  'SCHEDULED'
]);
