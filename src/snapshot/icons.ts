import { LabIcon } from '@jupyterlab/ui-components';

/** A camera over a page: "snapshot of this notebook" (themed through jp-icon3). */
const SNAPSHOT_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">
  <path class="jp-icon3" fill="#616161" d="M9 4 7.2 6H4a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2h-3.2L15 4H9zm3 4.5a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9zm0 2a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z"/>
</svg>`;

/** Icon of the snapshot commands, toolbar button and tabs. */
export const snapshotIcon = new LabIcon({
  name: 'jupyterlab_mlops:snapshot',
  svgstr: SNAPSHOT_SVG
});
