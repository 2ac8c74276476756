/**
 * MLflow's alias-name rule (mirrored from jupyterlab_mlops/views/aliases.py),
 * so the alias editor answers on every keystroke. The server checks again and
 * its message wins.
 */

/** Letters, digits, `_` and `-`, 1 to 255 of them. */
const ALIAS_RE = /^[A-Za-z0-9_-]{1,255}$/;

/** `v<number>` names a version (`models:/m@v3`): reserved. */
const VERSION_ALIAS_RE = /^[vV]\d+$/;

/** Why `alias` cannot be an alias name, or null when MLflow accepts it. */
export function aliasProblem(alias: string): string | null {
  if (alias === '') {
    return 'Type an alias name, e.g. champion.';
  }
  if (alias.length > 255) {
    return 'An alias name has at most 255 characters.';
  }
  if (!ALIAS_RE.test(alias)) {
    return "Use letters, digits, '_' and '-' only.";
  }
  if (alias.toLowerCase() === 'latest') {
    return "'latest' is reserved: it always means the newest version.";
  }
  if (VERSION_ALIAS_RE.test(alias)) {
    return `'${alias}' is reserved: 'v<number>' names a version.`;
  }
  return null;
}
