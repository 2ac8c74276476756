/**
 * What a backend lets the user edit on runs and experiments: MLflow renames,
 * deletes softly (undo, restore) and changes tags; GitLab's API cannot
 * rename, restore, change or remove a tag once set, and deletes for good.
 * Read-only credentials edit nothing. Views show an action disabled with the
 * reason as its tooltip (see {@link actionTitle}).
 */
import { IBackendStatus } from '../api/types';
import { writeBlockedReason } from './capabilities';

/** Why GitLab cannot do it (the server refuses with the same meaning). */
export const GITLAB_NO_RENAME =
  "GitLab's API cannot rename runs or experiments: rename in GitLab's web interface.";
export const GITLAB_NO_RESTORE =
  'GitLab deletes for good: there is nothing to restore.';
export const GITLAB_NO_TAG_CHANGE =
  "GitLab's API cannot change or remove a tag once it is set: only new tags can be added.";
export const GITLAB_NO_DESCRIPTION_CHANGE =
  "GitLab's API cannot change a description once it is set.";

/** Tag prefixes the backend owns (read-only). */
export const SYSTEM_TAG_PREFIXES = ['mlflow.', 'gitlab.'];
/** The run's (and experiment's) description tag. */
export const DESCRIPTION_TAG = 'mlflow.note.content';

/** Edit actions of one backend: null when allowed, else why not. */
export interface IEditSupport {
  /** Writing at all (read-only credentials). */
  write: string | null;
  rename: string | null;
  restore: string | null;
  /** Changing or removing a tag already set (adding one: {@link write}). */
  changeTags: string | null;
  /** Changing a description already set. */
  changeDescription: string | null;
  /** Deletes are for good (GitLab): no undo. */
  permanentDelete: boolean;
}

/** The edit actions `backend` allows (unknown backend: all, the server decides). */
export function editSupport(
  backend: IBackendStatus | null | undefined
): IEditSupport {
  const write = writeBlockedReason(backend);
  const gitlab = backend?.kind === 'gitlab';
  const only = (gitlabReason: string): string | null =>
    write ?? (gitlab ? gitlabReason : null);
  return {
    write,
    rename: only(GITLAB_NO_RENAME),
    restore: only(GITLAB_NO_RESTORE),
    changeTags: only(GITLAB_NO_TAG_CHANGE),
    changeDescription: only(GITLAB_NO_DESCRIPTION_CHANGE),
    permanentDelete: gitlab
  };
}

/** Tooltip of an edit action: why it is off, else what it does. */
export function actionTitle(blocked: string | null, enabled: string): string {
  return blocked ? `Not available: ${blocked}` : enabled;
}

/** Whether a tag key is the backend's (read-only). */
export function isSystemTag(key: string): boolean {
  return SYSTEM_TAG_PREFIXES.some(p => key.startsWith(p));
}

/** Why a new tag key cannot be used, or null (mirrors the server's check). */
export function tagKeyProblem(
  key: string,
  existing: Readonly<Record<string, string>>
): string | null {
  const k = key.trim();
  if (!k) {
    return 'A tag key is required.';
  }
  if (k.length > 250) {
    return 'A tag key has at most 250 characters.';
  }
  if (isSystemTag(k)) {
    return `${SYSTEM_TAG_PREFIXES.map(p => p + '*').join(', ')} tags are the backend's: read-only.`;
  }
  if (k in existing) {
    return `Tag “${k}” exists already: edit it instead.`;
  }
  return null;
}

/** Why a new name cannot be used, or null. */
export function nameProblem(name: string, what: string): string | null {
  const n = name.trim();
  if (!n) {
    return `A ${what} name is required.`;
  }
  if (n.length > 250) {
    return `A ${what} name has at most 250 characters.`;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(n)) {
    return `A ${what} name cannot contain control characters.`;
  }
  return null;
}
