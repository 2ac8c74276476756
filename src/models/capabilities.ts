/**
 * Write access per backend, from `capabilities.write` / `capabilities.reason`
 * of `GET status`. A backend whose credentials can only read (GitLab
 * `read_api`, a role below Developer) keeps its write actions (promote, edit,
 * upload) visible but disabled, with the reason as their tooltip.
 */
import { IBackendStatus, IStatus } from '../api/types';

/** Said when the server gives no reason. */
export const READ_ONLY_FALLBACK =
  'The credentials of this backend can only read.';

/** Why writing to `backend` is off, or null when it is allowed (or unknown). */
export function writeBlockedReason(
  backend: IBackendStatus | null | undefined
): string | null {
  const caps = backend?.capabilities;
  if (!caps || caps.write !== false) {
    return null;
  }
  return typeof caps.reason === 'string' && caps.reason
    ? caps.reason
    : READ_ONLY_FALLBACK;
}

/** A lookup by backend name over one status answer. */
export type WriteBlocked = (backend: string) => string | null;

/** {@link writeBlockedReason} by backend name, over `status` (null: allowed). */
export function writeBlockedBy(
  status: IStatus | null | undefined
): WriteBlocked {
  const reasons = new Map<string, string>();
  for (const b of status?.backends ?? []) {
    const reason = writeBlockedReason(b);
    if (reason) {
      reasons.set(b.name, reason);
    }
  }
  return name => reasons.get(name) ?? null;
}

/** The tooltip of a write action: the reason it is off, else `enabledTitle`. */
export function writeTitle(
  blocked: string | null,
  enabledTitle: string
): string {
  return blocked ? `Not available: ${blocked}` : enabledTitle;
}
