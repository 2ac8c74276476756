/**
 * Client-side mirrors of the server's rules (jupyterlab_mlops/client/dialect.py),
 * so the promote form can answer on every keystroke. The server stays the
 * authority: it checks again and its message wins.
 */

/** semver.org's regex, as GitLab's `Gitlab::Regex.semver_regex`. */
export const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/**
 * GitLab's `ml_model_name_regex` (= package_name_regex). Python's `\w` is
 * Unicode-aware, so `\w` becomes `[\p{L}\p{N}_]` here.
 */
export const MODEL_NAME_RE =
  /^@?(?:(?:[\p{L}\p{N}_\-.+]*)\/)*(?:[\p{L}\p{N}_\-.]+)@?(?:(?:[\p{L}\p{N}_\-.+]*)\/)*(?:[\p{L}\p{N}_\-.]*)$/u;

/** Longest accepted model name. */
export const MODEL_NAME_MAX = 255;

/** The semver rule in words (the server sends the same text as `rule`). */
export const SEMVER_RULE =
  "a version must be a semantic version MAJOR.MINOR.PATCH (e.g. 1.0.0), with an optional -prerelease and +build suffix and no leading 'v'";

/** The semver rule in a line, shown under the version field. */
export const SEMVER_SHORT =
  'Semantic version MAJOR.MINOR.PATCH, e.g. 1.2.0 (optional -prerelease and +build, no leading "v").';

/** The model-name rule in words (the server sends it as `name_rule`). */
export const MODEL_NAME_RULE =
  "a model name may contain letters, digits, '_', '-', '.', and '/' between segments (no spaces), at most 255 characters";

/** Why `version` is not a semver, or `null` when it is one. */
export function semverProblem(version: string): string | null {
  if (!version) {
    return 'Enter a version.';
  }
  if (/^v\d/i.test(version) && SEMVER_RE.test(version.slice(1))) {
    return `Drop the leading "v": ${version.slice(1)}.`;
  }
  if (/^\d+(\.\d+)?$/.test(version)) {
    return 'A version has three numbers: MAJOR.MINOR.PATCH.';
  }
  if (/(^|\.)0\d/.test(version.split(/[-+]/)[0])) {
    return 'Numbers must not have leading zeros.';
  }
  return SEMVER_RE.test(version) ? null : 'Not a semantic version.';
}

/** Why `name` is not a valid model name, or `null` when it is fine. */
export function modelNameProblem(name: string): string | null {
  if (!name) {
    return 'Enter a model name.';
  }
  if (name.length > MODEL_NAME_MAX) {
    return `At most ${MODEL_NAME_MAX} characters (this one has ${name.length}).`;
  }
  if (/\s/.test(name)) {
    return 'No spaces.';
  }
  return MODEL_NAME_RE.test(name) ? null : 'Characters outside the rule.';
}

/** Parts of a semver, or `null`. */
export interface ISemver {
  major: number;
  minor: number;
  patch: number;
  prerelease: string | null;
}

/** Parse a semver. */
export function parseSemver(version: string): ISemver | null {
  const m = SEMVER_RE.exec(version);
  if (!m) {
    return null;
  }
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    prerelease: m[4] ?? null
  };
}

/** The version after `latest` (GitLab's IncrementVersionService: the first is 1.0.0). */
export function nextSemver(
  latest: string | null,
  bump: 'patch' | 'minor' | 'major' = 'patch'
): string {
  const v = parseSemver(latest ?? '');
  if (!v) {
    return '1.0.0';
  }
  if (bump === 'major') {
    return `${v.major + 1}.0.0`;
  }
  if (bump === 'minor') {
    return `${v.major}.${v.minor + 1}.0`;
  }
  return v.prerelease
    ? `${v.major}.${v.minor}.${v.patch}`
    : `${v.major}.${v.minor}.${v.patch + 1}`;
}

/** When to pick which bump, shown beside the buttons. */
export const BUMP_HELP: Record<'patch' | 'minor' | 'major', string> = {
  patch: 'Patch: retrained or fixed, same inputs and outputs.',
  minor: 'Minor: new capability, still compatible with callers.',
  major: 'Major: inputs, outputs or behaviour change for callers.'
};
