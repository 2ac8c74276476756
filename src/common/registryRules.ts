/**
 * Client-side mirrors of the server's rules (jupyterlab_mlops/client/dialect.py),
 * so the promote form can answer on every keystroke. The server stays the
 * authority: it checks again and its message wins.
 */

/** semver.org's regex, as GitLab's `Gitlab::Regex.semver_regex`. */
export const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/**
 * GitLab's `ml_model_name_regex` (= package_name_regex) as Ruby runs it:
 * `\w` is ASCII only (C13). Ruby's groups are atomic; JavaScript has no
 * atomic groups, so {@link modelNameProblem} also refuses what the atomic
 * groups refuse: a `+` in the last segment.
 */
export const MODEL_NAME_RE =
  /^@?(?:[A-Za-z0-9_\-.+]*\/)*[A-Za-z0-9_\-.]+@?(?:[A-Za-z0-9_\-.+]*\/)*[A-Za-z0-9_\-.]*$/;

/** The characters GitLab's model-name rule allows. */
const MODEL_NAME_CHAR = /[A-Za-z0-9_.+/@-]/;

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
  "a model name may contain letters, digits, '_', '-', '.', and '/' between segments, ASCII only (a-z, A-Z, 0-9: no accents, no spaces); '+' only in a segment before a '/', '@' only at the start or once between parts; at most 255 characters";

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

/**
 * Why `name` is not a valid GitLab model name, or `null` when GitLab takes
 * it (mirrors `model_name_problem` in client/dialect.py). GitLab answers a
 * refused name with a misleading "already exists", so the form says what is
 * wrong before anything is sent.
 */
export function modelNameProblem(name: string): string | null {
  if (!name) {
    return 'Enter a model name.';
  }
  if (name.length > MODEL_NAME_MAX) {
    return `At most ${MODEL_NAME_MAX} characters (this one has ${name.length}).`;
  }
  const bad = Array.from(new Set(Array.from(name))).filter(
    c => !MODEL_NAME_CHAR.test(c)
  );
  if (bad.length) {
    const shown = bad
      .slice(0, 6)
      .map(c =>
        c === ' ' ? 'spaces' : /\s/.test(c) ? JSON.stringify(c) : `"${c}"`
      );
    const more = bad.length > 6 ? ', ...' : '';
    const allowed = 'use ASCII letters, digits, "_", "-", "." and "/".';
    if (bad.length === 1 && bad[0] === ' ') {
      return `No spaces: ${allowed}`;
    }
    const verb = bad.length === 1 ? 'is' : 'are';
    const list = shown.join(', ');
    return `${list[0].toUpperCase()}${list.slice(1)}${more} ${verb} not allowed: ${allowed}`;
  }
  const last = name.split('/').pop() ?? '';
  if (last.includes('+')) {
    return '"+" is allowed only in a segment that a "/" follows, not in the last one.';
  }
  if (MODEL_NAME_RE.test(name)) {
    return null;
  }
  const at = name.slice(1).replace('@', '');
  if ((name.match(/@/g) ?? []).length > 2 || at.includes('@')) {
    return '"@" is allowed only at the start and once between two parts.';
  }
  return 'These characters are allowed, but not in this order.';
}

/**
 * semver.org §11 precedence: negative when `a` comes before `b`. Numbers
 * compare as numbers, a release is above its prereleases, prerelease
 * identifiers compare one by one (numeric ones numerically and below
 * alphanumeric ones, which compare in ASCII order; more identifiers win when
 * all before are equal); build metadata is ignored. Text that is no semver
 * comes before every version. The TypeScript twin of `semver_key` in
 * client/dialect.py: the one ordering of versions in the frontend.
 */
export function compareSemver(a: string | null, b: string | null): number {
  const x = SEMVER_RE.exec(a ?? '');
  const y = SEMVER_RE.exec(b ?? '');
  if (!x || !y) {
    return (x ? 1 : 0) - (y ? 1 : 0);
  }
  for (let i = 1; i <= 3; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) {
      return Math.sign(d);
    }
  }
  const px = x[4] ?? null;
  const py = y[4] ?? null;
  if (px === null || py === null) {
    return (px === null ? 1 : 0) - (py === null ? 1 : 0);
  }
  const ix = px.split('.');
  const iy = py.split('.');
  for (let i = 0; i < Math.min(ix.length, iy.length); i++) {
    const nx = /^\d+$/.test(ix[i]);
    const ny = /^\d+$/.test(iy[i]);
    if (nx && ny) {
      const d = Number(ix[i]) - Number(iy[i]);
      if (d !== 0) {
        return Math.sign(d);
      }
    } else if (nx !== ny) {
      return nx ? -1 : 1;
    } else if (ix[i] !== iy[i]) {
      return ix[i] < iy[i] ? -1 : 1;
    }
  }
  return Math.sign(ix.length - iy.length);
}

/**
 * Versions highest first: by semver (§11), versions without one after, by
 * their integer id (as `sort_versions` in jupyterlab_mlops/views/registry.py).
 */
export function sortVersions<
  T extends { semver?: string | null; version_id?: string | null }
>(versions: readonly T[]): T[] {
  const id = (v: T) => {
    const n = Number(v.version_id ?? '');
    return Number.isFinite(n) ? n : 0;
  };
  return [...versions].sort(
    (a, b) => compareSemver(b.semver ?? null, a.semver ?? null) || id(b) - id(a)
  );
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
