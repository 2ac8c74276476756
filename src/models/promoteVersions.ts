/**
 * Whether a version a user types for an existing model is taken, from the
 * versions the model has (the promote form answers on every keystroke; the
 * server's 409 stays the answer on submit).
 */
import { ServerConnection } from '@jupyterlab/services';

import { getModel, IVersionSummary } from '../api/registry';
import { SEMVER_RE } from '../common/registryRules';

/** The version numbers a model holds (its semvers, and the raw versions). */
export function takenVersions(versions: IVersionSummary[]): Set<string> {
  const out = new Set<string>();
  for (const v of versions) {
    out.add(v.semver ?? v.version);
    out.add(v.version);
  }
  return out;
}

/**
 * The first free semver from `from` on (patch bumped, prerelease and build
 * dropped), or `null` when `from` is not a semver.
 */
export function nextFreeVersion(
  from: string,
  taken: ReadonlySet<string>
): string | null {
  const m = SEMVER_RE.exec(from.trim());
  if (!m) {
    return null;
  }
  const [major, minor] = [m[1], m[2]];
  let patch = Number(m[3]);
  let next = from.trim();
  while (taken.has(next)) {
    patch += 1;
    next = `${major}.${minor}.${patch}`;
  }
  return next;
}

/** What the form knows about the typed version. */
export type VersionCheck =
  /** Not known yet (versions loading, or the check is waiting for typing to stop). */
  | { state: 'checking'; version: string }
  /** Free, as far as the versions fetched tell. */
  | { state: 'free'; version: string }
  /** The model has it: `suggestion` is the next free semver. */
  | { state: 'taken'; version: string; suggestion: string | null };

/** Whether `version` is one of `versions`, and the next free one when it is. */
export function checkVersion(
  version: string,
  versions: IVersionSummary[]
): VersionCheck {
  const v = version.trim();
  const taken = takenVersions(versions);
  if (!taken.has(v)) {
    return { state: 'free', version: v };
  }
  return { state: 'taken', version: v, suggestion: nextFreeVersion(v, taken) };
}

/** Fetch the model's versions now and check `version` (on submit: someone may have made it). */
export async function versionTakenNow(
  backend: string,
  model: string,
  version: string,
  settings?: ServerConnection.ISettings
): Promise<boolean> {
  try {
    const page = await getModel(backend, model, settings);
    return checkVersion(version, page.versions).state === 'taken';
  } catch {
    return false; // a new model, or the check failed: the server decides (409)
  }
}
