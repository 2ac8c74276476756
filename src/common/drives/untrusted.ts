/**
 * Which files come from a shared backend (untrusted: a colleague, a CI job or
 * anyone with a token wrote them) and how their markup may be shown. Pure
 * decisions, no widgets: see UntrustedView.ts and untrustedViewer.ts.
 */

/** Name of the extension's viewer for untrusted HTML and SVG. */
export const UNTRUSTED_VIEWER = 'MLOps Sandboxed Viewer';

/**
 * Factories that show any file inertly (as text or through an `<img>`, which
 * never runs script): they may open untrusted markup. Every other factory is
 * redirected to {@link UNTRUSTED_VIEWER} for it.
 */
export const INERT_FACTORIES: ReadonlySet<string> = new Set([
  UNTRUSTED_VIEWER,
  'Editor',
  'Image',
  'Image (Text)'
]);

/**
 * Folder of the Jupyter root where earlier releases saved version files to
 * open them (they open from a read-only drive now): its files came from a backend.
 */
export const SAVED_ARTIFACTS_FOLDER = 'mlops-artifacts/';

/** Drives serving backend content (every ReadOnlyDrive adds its name). */
const drives = new Set<string>();

/** Mark a drive's files as untrusted (called by the ReadOnlyDrive base). */
export function markUntrustedDrive(name: string): void {
  drives.add(name);
}

/** Whether the sandboxed viewer guards the app's viewers (untrustedGuard.ts). */
let viewersGuarded = false;

/** Note that every viewer is guarded: the drives may serve markup now. */
export function markViewersGuarded(): void {
  viewersGuarded = true;
}

/**
 * Refuse to serve untrusted markup while the viewers are not guarded (a tab
 * restored, or opened with another factory, before the extension installed
 * its guard): no unguarded viewer ever gets the file's content.
 */
export function refuseUnguarded(path: string): void {
  if (!viewersGuarded && markupKind(path)) {
    throw new Error(
      'Untrusted HTML or SVG from a backend opens only in the sandboxed viewer: open it from the MLOps panel (the run or model version).'
    );
  }
}

/** What kind of markup a file is, by its name; null when it is not markup. */
export type MarkupKind = 'html' | 'svg';

const KINDS: Record<string, MarkupKind> = {
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.svg': 'svg'
};

/** The markup kind of a path (case-insensitive extension), or null. */
export function markupKind(path: string): MarkupKind | null {
  const name = path.split('/').pop() ?? '';
  const dot = name.lastIndexOf('.');
  return dot < 0 ? null : (KINDS[name.slice(dot).toLowerCase()] ?? null);
}

/** The drive name of a global path (`Drive:local/path`), '' for the root drive. */
function driveOf(path: string): string {
  const colon = path.indexOf(':');
  const slash = path.indexOf('/');
  return colon > 0 && (slash < 0 || colon < slash) ? path.slice(0, colon) : '';
}

/** Whether a path's file came from a backend (an extension drive or its saved copies). */
export function isUntrustedPath(path: string): boolean {
  const drive = driveOf(path);
  if (drive) {
    return drives.has(drive);
  }
  return path.replace(/^\/+/, '').startsWith(SAVED_ARTIFACTS_FOLDER);
}

/** Untrusted HTML or SVG: the files that must never be framed same-origin. */
export function isUntrustedMarkup(path: string): boolean {
  return markupKind(path) !== null && isUntrustedPath(path);
}

/**
 * The factory to open an untrusted file with: the sandboxed viewer for HTML
 * and SVG, else undefined (JupyterLab's default viewer for the type).
 */
export function viewerFor(path: string): string | undefined {
  return markupKind(path) ? UNTRUSTED_VIEWER : undefined;
}

/** Whether opening `path` with factory `factory` must yield the sandboxed view instead. */
export function mustRedirect(factory: string, path: string): boolean {
  return !INERT_FACTORIES.has(factory) && isUntrustedMarkup(path);
}

/** The backend a path's file came from (the first segment after the drive or folder). */
export function backendOf(path: string): string {
  const local = driveOf(path)
    ? path.slice(path.indexOf(':') + 1)
    : path.replace(/^\/+/, '').slice(SAVED_ARTIFACTS_FOLDER.length);
  const first = local.replace(/^\/+/, '').split('/')[0] ?? '';
  try {
    return decodeURIComponent(first);
  } catch {
    return first;
  }
}
