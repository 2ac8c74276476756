/**
 * The version handshake: the frontend's version (package.json, the one
 * version source: hatch-nodejs-version gives the Python package the same) and
 * what to tell the user when the server extension's `status.version` differs.
 */

// A JSON file outside src/ (tsc's rootDir): `require` lets the bundler inline
// it, from lib/models/ as from src/models/.
declare const require: (path: string) => { version: string };
const PACKAGE_VERSION: string = require('../../package.json').version;

/** The version of this frontend (package.json). */
export const FRONTEND_VERSION = PACKAGE_VERSION;

/**
 * A version as Python writes it (PEP 440), the way hatch-nodejs-version turns
 * package.json's semver into the Python package's version:
 * `1.2.0-alpha.1` -> `1.2.0a1`, `-beta.2` -> `b2`, `-rc.3` -> `rc3`.
 */
export function pep440(version: string): string {
  const text = version.trim().replace(/^v/i, '').toLowerCase();
  const match = /^(\d+(?:\.\d+)*)(?:-(alpha|a|beta|b|rc|c)\.?(\d+))?$/.exec(
    text
  );
  if (!match) {
    return text;
  }
  const [, release, pre, n] = match;
  const tag = { alpha: 'a', a: 'a', beta: 'b', b: 'b', rc: 'rc', c: 'rc' }[
    pre ?? ''
  ];
  return tag ? `${release}${tag}${n}` : release;
}

/** What the banner says when the two halves of the extension differ. */
export interface IVersionMismatch {
  server: string;
  frontend: string;
  /** What to do about it. */
  message: string;
}

/**
 * The mismatch between the server extension's version and this frontend's,
 * or null when they agree (or the server does not say: an old server).
 */
export function versionMismatch(
  serverVersion: string | null | undefined,
  frontendVersion: string = FRONTEND_VERSION
): IVersionMismatch | null {
  if (!serverVersion || pep440(serverVersion) === pep440(frontendVersion)) {
    return null;
  }
  return {
    server: serverVersion,
    frontend: frontendVersion,
    message:
      `The server extension is ${serverVersion}, the frontend is ${frontendVersion}: ` +
      'run `pip install -U jupyterlab_mlops` in the environment that runs Jupyter and restart JupyterLab.'
  };
}
