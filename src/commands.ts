import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { refreshIcon } from '@jupyterlab/ui-components';

import { MlopsModel } from './model';
import { mlopsIcon } from './sidebar/icons';

/** Command ids of the extension. */
export const CommandIDs = {
  openSidebar: 'mlops:open-sidebar',
  refresh: 'mlops:refresh'
} as const;

const PALETTE_CATEGORY = 'MLOps';

/** Register the commands and put them in the palette when there is one. */
export function addCommands(
  app: JupyterFrontEnd,
  model: MlopsModel,
  sidebarId: string,
  palette: ICommandPalette | null
): void {
  app.commands.addCommand(CommandIDs.openSidebar, {
    label: 'Open MLOps Sidebar',
    caption: 'Show experiments and models of the MLflow/GitLab backend',
    icon: mlopsIcon,
    execute: () => {
      app.shell.activateById(sidebarId);
    }
  });
  app.commands.addCommand(CommandIDs.refresh, {
    label: 'Refresh MLOps Status',
    caption: 'Ask the server extension for the backends’ status now',
    icon: refreshIcon,
    execute: () => model.refresh()
  });
  if (palette) {
    for (const command of Object.values(CommandIDs)) {
      palette.addItem({ command, category: PALETTE_CATEGORY });
    }
  }
}
