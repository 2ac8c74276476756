import { JupyterFrontEnd } from '@jupyterlab/application';
import { PathExt } from '@jupyterlab/coreutils';

import { downloadBlob } from '../../common/download';
import { viewerFor } from '../../common/drives/untrusted';
import { guardViewers } from '../../common/drives/untrustedGuard';
import { ArtifactsDrive } from './drive';
import { looksLikeText } from './mimetypes';

/** Biggest file opened in a viewer; bigger ones are downloaded. */
export const MAX_VIEW_BYTES = 25 * 1024 * 1024;

/** What {@link openArtifact} did. */
export type OpenOutcome = 'opened' | 'downloaded';

/** An artifact file of a run. */
export interface IArtifactRef {
  backend: string;
  runId: string;
  path: string;
  size?: number | null;
}

/** Save bytes as a file through the browser (nothing is rendered). */
export function saveBytes(bytes: Uint8Array, name: string): void {
  downloadBlob(
    new Blob([bytes as Uint8Array<ArrayBuffer>], {
      type: 'application/octet-stream'
    }),
    name
  );
}

/** Download an artifact to the user's computer. */
export async function downloadArtifactFile(
  drive: ArtifactsDrive,
  ref: IArtifactRef
): Promise<void> {
  const bytes = await drive.bytes(ref.backend, ref.runId, ref.path);
  saveBytes(bytes, PathExt.basename(ref.path));
}

/**
 * Open an artifact in JupyterLab's viewer for its type (read-only drive):
 * images, CSV, JSON, notebooks (untrusted), text. HTML and SVG open in the
 * extension's sandboxed viewer (never same-origin, see drives/untrusted.ts).
 * A file with no viewer opens as text when it is text, else it is
 * downloaded; so is a file too big for a viewer.
 */
export async function openArtifact(
  app: JupyterFrontEnd,
  drive: ArtifactsDrive,
  ref: IArtifactRef
): Promise<OpenOutcome> {
  guardViewers(app);
  if (typeof ref.size === 'number' && ref.size > MAX_VIEW_BYTES) {
    await downloadArtifactFile(drive, ref);
    return 'downloaded';
  }
  const path = drive.pathFor(ref.backend, ref.runId, ref.path);
  const factory = viewerFor(path);
  if (factory) {
    await app.commands.execute('docmanager:open', { path, factory });
    return 'opened';
  }
  const known = app.docRegistry
    .getFileTypesForPath(PathExt.basename(ref.path))
    .some(t => t.name !== 'text');
  if (!known) {
    const bytes = await drive.bytes(ref.backend, ref.runId, ref.path);
    if (!looksLikeText(bytes)) {
      saveBytes(bytes, PathExt.basename(ref.path));
      return 'downloaded';
    }
  }
  await app.commands.execute('docmanager:open', { path });
  return 'opened';
}
