import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { ArtifactsDrive } from './detail/artifacts/drive';
import { guardViewers } from './common/drives/untrustedGuard';
import { addCommands } from './commands';
import { RunDetailOpener } from './detail/opener';
import { MlopsModel } from './models/mlops';
import { readSettings } from './models/settings';
import { SIDEBAR_ID, SidebarWidget } from './sidebar/SidebarWidget';
import { mlopsPlugins } from './mlopsPlugins';
import { snapshotPlugin } from './snapshot/plugin';

const PLUGIN_ID = 'jupyterlab_mlops:plugin';

/** Rank of the sidebar tab in the left area. */
const SIDEBAR_RANK = 600;

/** The MLOps sidebar, the candidate detail tabs, their model and commands. */
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
    // Files of a backend are untrusted: HTML and SVG never reach a same-origin viewer, from any opener.
    guardViewers(app);
    // Run artifacts open in JupyterLab's viewers through a read-only drive.
    const drive = new ArtifactsDrive(app.serviceManager.serverSettings);
    app.serviceManager.contents.addDrive(drive);
    const opener = new RunDetailOpener({ app, model, drive, restorer });

    let settings: ISettingRegistry.ISettings | null = null;
    const sidebar = new SidebarWidget(model, {
      commands: app.commands,
      openRun: (backend, runId, experimentName) =>
        void opener.open({
          backend,
          run_id: runId,
          experiment_name: experimentName
        }),
      saveDefaultColumns: columns => {
        if (!settings) {
          Notification.warning(
            'The settings are not available: the columns are not saved.'
          );
          return;
        }
        settings.set('defaultColumns', columns).catch(reason => {
          Notification.error(`Cannot save the default columns: ${reason}`);
        });
      }
    });
    app.shell.add(sidebar, 'left', { rank: SIDEBAR_RANK });
    if (restorer) {
      restorer.add(sidebar, SIDEBAR_ID);
    }
    addCommands(app, model, {
      sidebarId: SIDEBAR_ID,
      palette,
      openRun: args => opener.open(args)
    });

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(loaded => {
          settings = loaded;
          const apply = (): void => {
            model.settings = readSettings(loaded.composite);
          };
          apply();
          loaded.changed.connect(apply);
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

export default [plugin, ...mlopsPlugins, snapshotPlugin];
