import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { addCommands } from './commands';
import { MlopsModel } from './model';
import { readSettings } from './settings';
import { SIDEBAR_ID, SidebarWidget } from './sidebar/SidebarWidget';

const PLUGIN_ID = 'jupyterlab_mlops:plugin';

/** Rank of the sidebar tab in the left area. */
const SIDEBAR_RANK = 600;

/** The MLOps sidebar, its model and commands. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Experiment tracking and model registry (GitLab or MLflow).',
  autoStart: true,
  optional: [ILayoutRestorer, ICommandPalette, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null
  ): void => {
    const model = new MlopsModel({
      serverSettings: app.serviceManager.serverSettings
    });
    const sidebar = new SidebarWidget(model);
    app.shell.add(sidebar, 'left', { rank: SIDEBAR_RANK });
    if (restorer) {
      restorer.add(sidebar, SIDEBAR_ID);
    }
    addCommands(app, model, SIDEBAR_ID, palette);

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const apply = (): void => {
            model.settings = readSettings(settings.composite);
          };
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason => {
          console.error(
            `jupyterlab_mlops: cannot load settings of ${PLUGIN_ID}; using the defaults.`,
            reason
          );
        });
    }
  }
};

export default plugin;
