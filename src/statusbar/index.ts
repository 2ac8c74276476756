/** The MLOps status-bar item, registered by the main plugin with its model. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { IStatusBar } from '@jupyterlab/statusbar';
import { Poll } from '@lumino/polling';

import { MlopsModel } from '../models/mlops';
import { StatusItem } from './StatusItem';

/** The item's id in the status bar. */
export const STATUS_ITEM_ID = 'jupyterlab_mlops:status';

/** The command the item runs when clicked. */
const OPEN_SIDEBAR_COMMAND = 'mlops:open-sidebar';

/**
 * The model polls the status while the sidebar shows; the status bar always
 * shows, so while the sidebar is hidden this asks for it at the same
 * interval (never both at once: it stands by while the model polls).
 */
function keepStatusFresh(model: MlopsModel): Poll {
  const frequency = () => ({
    interval: model.settings.refreshInterval * 1000,
    backoff: true,
    max: 5 * 60 * 1000
  });
  const poll = new Poll({
    auto: true,
    factory: () => model.refreshStatus(),
    frequency: frequency(),
    name: 'jupyterlab_mlops:status-bar',
    standby: () => model.isVisible || 'when-hidden'
  });
  model.settingsChanged.connect(() => (poll.frequency = frequency()));
  return poll;
}

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
  keepStatusFresh(model);
  statusBar.registerStatusItem(STATUS_ITEM_ID, {
    item,
    align: 'left',
    rank: 900
  });
  return item;
}

export { StatusItem, summarize } from './StatusItem';
