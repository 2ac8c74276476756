/** The MLOps status-bar item, registered by the main plugin with its model. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { IStatusBar } from '@jupyterlab/statusbar';

import { MlopsModel } from '../models/mlops';
import { StatusItem } from './StatusItem';

/** The item's id in the status bar. */
export const STATUS_ITEM_ID = 'jupyterlab_mlops:status';

/** The command the item runs when clicked. */
const OPEN_SIDEBAR_COMMAND = 'mlops:open-sidebar';

/**
 * Add the backend health / spool item to JupyterLab's status bar, when there
 * is one (JupyterLab has one; other front ends may not).
 */
export async function addStatusItem(
  app: JupyterFrontEnd,
  model: MlopsModel
): Promise<StatusItem | null> {
  const statusBar = await app.resolveOptionalService(IStatusBar);
  if (!statusBar) {
    return null;
  }
  const item = new StatusItem(model, () => {
    void app.commands.execute(OPEN_SIDEBAR_COMMAND);
  });
  // The status bar is always on screen: the status poll runs while the sidebar is hidden too.
  const hold = model.holdStatusVisible();
  item.disposed.connect(() => hold.dispose());
  statusBar.registerStatusItem(STATUS_ITEM_ID, {
    item,
    align: 'left',
    rank: 900
  });
  return item;
}

export { StatusItem, summarize } from './StatusItem';
