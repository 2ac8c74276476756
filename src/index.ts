import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { NotebookActions } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { ARTIFACTS_DRIVE, ArtifactsDrive } from './detail/artifacts/drive';
import { showReadOnlyBanners } from './common/drives/readOnlyBanner';
import { guardViewers } from './common/drives/untrustedGuard';
import { addCommands } from './commands';
import { addEditCommands } from './editCommands';
import { RunDetailOpener } from './detail/opener';
import { ExperimentPageOpener } from './experiment/opener';
import { MlopsModel } from './models/mlops';
import { readSettings } from './models/settings';
import { SIDEBAR_ID, SidebarWidget } from './sidebar/SidebarWidget';
import { mlopsPlugins } from './mlopsPlugins';
import { snapshotPlugin } from './snapshot/plugin';
import { linksPlugin } from './linksPlugin';
import { addStatusItem } from './statusbar';
import { toast } from './common/notify';

const PLUGIN_ID = 'jupyterlab_mlops:plugin';

/** Rank of the sidebar tab in the left area. */
const SIDEBAR_RANK = 600;

/** The MLOps sidebar, the experiment pages, the candidate detail tabs, their model and commands. */
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
      serverSettings: app.serviceManager.serverSettings,
      events: app.serviceManager.events
    });
    // A finished cell may have logged with plain mlflow (no event): the shown lists poll soon.
    NotebookActions.executed.connect(() => model.wakePolls());
    // Files of a backend are untrusted: HTML and SVG never reach a same-origin viewer, from any opener.
    guardViewers(app);
    // Run artifacts open in JupyterLab's viewers through a read-only drive.
    const drive = new ArtifactsDrive(app.serviceManager.serverSettings);
    app.serviceManager.contents.addDrive(drive);
    showReadOnlyBanners(
      app.docRegistry,
      ARTIFACTS_DRIVE,
      'Run artifacts are read-only here. Use "Save As…" to keep a copy.'
    );
    const opener = new RunDetailOpener({ app, model, drive, restorer });

    let settings: ISettingRegistry.ISettings | null = null;
    const experiments = new ExperimentPageOpener({
      app,
      restorer,
      page: {
        mlops: model,
        commands: app.commands,
        openRun: (backend, runId, experimentName, preview) =>
          void opener.open({
            backend,
            run_id: runId,
            experiment_name: experimentName,
            preview
          }),
        saveDefaultColumns: columns => {
          if (!settings) {
            toast.warning(
              'The settings are not available: the columns are not saved.'
            );
            return;
          }
          settings.set('defaultColumns', columns).catch(reason => {
            toast.error(`Cannot save the default columns: ${reason}`);
          });
        }
      }
    });
    const sidebar = new SidebarWidget(model, {
      commands: app.commands,
      openExperiment: experiment => void experiments.open(experiment),
      currentExperiment: () =>
        experiments.tracker.currentWidget?.content.experiment ?? null,
      currentChanged: experiments.tracker.currentChanged
    });
    app.shell.add(sidebar, 'left', { rank: SIDEBAR_RANK });
    if (restorer) {
      restorer.add(sidebar, SIDEBAR_ID);
    }
    void addStatusItem(app, model);
    addCommands(app, model, {
      sidebarId: SIDEBAR_ID,
      palette,
      experiments,
      openRun: args => opener.open(args)
    });
    addEditCommands(app, model, { runs: opener, experiments, palette });

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

export default [plugin, ...mlopsPlugins, snapshotPlugin, linksPlugin];
