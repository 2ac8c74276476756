/**
 * What the registry lets users edit on each backend, and the tag-key rule
 * (mirrors jupyterlab_mlops/views/registry_edits.py and edit_rules.py), so the
 * editors answer on every keystroke. The server checks again and its message
 * wins.
 */
import { modelNameProblem } from '../common/registryRules';

/** Why GitLab cannot rename a model (shown as the disabled button's tooltip). */
export const GITLAB_NO_RENAME =
  "GitLab's model registry API cannot rename a model: rename it on GitLab.";

/** Why tags are read-only on GitLab. */
export const GITLAB_NO_TAGS =
  "GitLab's model registry API cannot edit tags of models or versions.";

/** Why a version cannot be deleted from here on GitLab. */
export const GITLAB_NO_VERSION_DELETE =
  "GitLab's model registry API cannot delete a model version: delete it on the version's GitLab page.";

/** Longest description (GitLab's limit, applied on every backend). */
export const DESCRIPTION_MAX = 10000;

/** Tags this extension, MLflow and GitLab manage: shown nowhere, never edited. */
const SYSTEM_TAG = /^(mlops\.|mlflow\.|gitlab\.)/;

/** What a backend's API can edit in the registry. */
export interface IRegistryEditing {
  rename: boolean;
  tags: boolean;
  deleteVersion: boolean;
}

/** {@link IRegistryEditing} of a backend kind. */
export function registryEditing(kind: string): IRegistryEditing {
  const full = kind !== 'gitlab';
  return {
    rename: full,
    tags: full,
    deleteVersion: full
  };
}

/** Why `key` cannot be a tag key here, or null. */
export function tagKeyProblem(key: string): string | null {
  if (!key.trim()) {
    return 'Type a tag key.';
  }
  if (key.length > 250) {
    return 'A tag key has at most 250 characters.';
  }
  if (SYSTEM_TAG.test(key.trim())) {
    return 'mlflow.*, gitlab.* and mlops.* tags are managed for you: pick another key.';
  }
  return null;
}

/** Why `description` cannot be saved, or null. */
export function descriptionProblem(description: string): string | null {
  return description.length > DESCRIPTION_MAX
    ? `At most ${DESCRIPTION_MAX} characters (this one has ${description.length}).`
    : null;
}

/**
 * Why `name` cannot be a new model's name on `backend`, or null: GitLab's
 * rule on every backend (names stay portable), and not taken.
 */
export function newModelNameProblem(
  name: string,
  taken: (name: string) => boolean
): string | null {
  const problem = modelNameProblem(name);
  if (problem) {
    return problem;
  }
  return taken(name) ? `A model called "${name}" exists already.` : null;
}
