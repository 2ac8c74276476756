/**
 * Open a version's file in a JupyterLab viewer: the bytes are saved under
 * `mlops-artifacts/<backend>/<model>/<version>/` in the Jupyter root (viewers
 * open paths), then opened with the document manager. Artifacts are
 * untrusted: HTML and SVG are never written there, they open from a
 * read-only drive in the extension's sandboxed viewer (drives/untrusted.ts).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { ServerConnection } from '@jupyterlab/services';

import { downloadVersionArtifact } from '../api/registry';
import { markupKind, UNTRUSTED_VIEWER } from '../common/drives/untrusted';
import { guardViewers } from '../common/drives/untrustedGuard';
import { artifactLocalPath } from './format';
import { VersionFilesDrive, versionFilePath } from './versionDrive';

/** Which file of which version. */
export interface IArtifactTarget {
  backend: string;
  model: string;
  version: string;
  path: string;
}

/** A Blob as base64 (no data: prefix). */
export function blobToBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () =>
      reject(reader.error ?? new Error('Cannot read the file.'));
    reader.readAsDataURL(blob);
  });
}

/** Create the directories of `path` (each level; existing ones are fine). */
async function ensureDirs(app: JupyterFrontEnd, path: string): Promise<void> {
  const contents = app.serviceManager.contents;
  const parts = path.split('/').slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    try {
      await contents.get(dir, { content: false });
    } catch {
      await contents.save(dir, { type: 'directory' });
    }
  }
}

const drives = new WeakMap<JupyterFrontEnd, VersionFilesDrive>();

/** Open untrusted markup from the read-only drive, in the sandboxed viewer. */
async function openSandboxed(
  app: JupyterFrontEnd,
  target: IArtifactTarget,
  settings?: ServerConnection.ISettings
): Promise<void> {
  if (!drives.has(app)) {
    const drive = new VersionFilesDrive(
      settings ?? app.serviceManager.serverSettings
    );
    app.serviceManager.contents.addDrive(drive);
    drives.set(app, drive);
  }
  const path = versionFilePath(target);
  await app.commands.execute('docmanager:open', {
    path,
    factory: UNTRUSTED_VIEWER
  });
}

/** Open the file (HTML and SVG sandboxed, others saved locally first). */
export async function openArtifactInLab(
  app: JupyterFrontEnd,
  target: IArtifactTarget,
  settings?: ServerConnection.ISettings
): Promise<void> {
  guardViewers(app);
  if (markupKind(target.path)) {
    return openSandboxed(app, target, settings);
  }
  const blob = await downloadVersionArtifact(
    target.backend,
    target.model,
    target.version,
    target.path,
    settings
  );
  const local = artifactLocalPath(
    target.backend,
    target.model,
    target.version,
    target.path
  );
  await ensureDirs(app, local);
  await app.serviceManager.contents.save(local, {
    type: 'file',
    format: 'base64',
    content: await blobToBase64(blob)
  });
  await app.commands.execute('docmanager:open', { path: local });
}
