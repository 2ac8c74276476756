import { LabIcon } from '@jupyterlab/ui-components';

import mlopsSvgstr from '../../style/icons/mlops.svg';

/** The extension's icon (sidebar tab, settings editor). */
export const mlopsIcon = new LabIcon({
  name: 'jupyterlab_mlops:icon',
  svgstr: mlopsSvgstr
});
