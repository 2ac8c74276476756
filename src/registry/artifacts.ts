/**
 * Open a version's file in a JupyterLab viewer, from the read-only version
 * files drive (versionDrive.ts): nothing is written into the user's files.
 * HTML and SVG open in the extension's sandboxed viewer, every other type in
 * JupyterLab's own viewer through the untrusted-content guard; each shows the
 * read-only banner (common/drives/readOnlyBanner.ts).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Contents } from '@jupyterlab/services';

import { showReadOnlyBanners } from '../common/drives/readOnlyBanner';
import { viewerFor } from '../common/drives/untrusted';
import { guardViewers } from '../common/drives/untrustedGuard';
import {
  IVersionFile,
  VERSION_FILES_DRIVE,
  VERSION_FILES_READ_ONLY,
  VersionFilesDrive,
  versionFilePath
} from './versionDrive';

/**
 * Add the version files drive to `app` (at activation, so restored tabs of
 * version files open) with its banner; the drive reads file types from the
 * app's document registry.
 */
export function addVersionFilesDrive(app: JupyterFrontEnd): VersionFilesDrive {
  const registry = app.docRegistry;
  const drive = new VersionFilesDrive(
    app.serviceManager.serverSettings,
    name => {
      const type = registry.getFileTypesForPath(name)[0];
      return {
        mimetype: type?.mimeTypes[0] ?? 'text/plain',
        format: (type?.fileFormat ?? 'text') as Contents.FileFormat
      };
    }
  );
  app.serviceManager.contents.addDrive(drive);
  showReadOnlyBanners(registry, VERSION_FILES_DRIVE, VERSION_FILES_READ_ONLY);
  return drive;
}

/** Open the file read-only (HTML and SVG sandboxed). */
export async function openArtifactInLab(
  app: JupyterFrontEnd,
  target: IVersionFile
): Promise<void> {
  guardViewers(app);
  const path = versionFilePath(target);
  await app.commands.execute('docmanager:open', {
    path,
    factory: viewerFor(path)
  });
}
