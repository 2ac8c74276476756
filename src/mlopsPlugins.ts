/**
 * Compare, promote and model-registry plugin: the main-area tabs and their
 * commands. Commands take plain JSON args so the sidebar, the palette and
 * tests can all call them.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { parseRunRefs as parseRuns } from './api/compare';
import { getVersion } from './api/registry';
import { createCompareWidget } from './compare/CompareWidget';
import { promoteWithDialog } from './promote/promoteDialog';
import { addVersionFilesDrive, openArtifactInLab } from './registry/artifacts';
import { insertCodeBelow, snippetCode } from './registry/notebook';
import { notifyError, toast } from './common/notify';
import { createRegistryWidget, RegistryBody } from './registry/RegistryWidget';
import { RegistryRoute } from './registry/route';
import { mlopsIcon } from './common/icons';
import { describedBy, RUN_ARGS, textArg } from './common/commandArgs';
import { LiveChanges } from './models/live';

/** Command ids of this plugin. */
export const RegistryCommandIDs = {
  compare: 'mlops:compare',
  promote: 'mlops:promote',
  openRegistry: 'mlops:open-registry',
  createModel: 'mlops:create-model',
  openModel: 'mlops:open-model',
  openVersion: 'mlops:open-version',
  useInNotebook: 'mlops:use-in-notebook'
} as const;

/** Commands of the sidebar that open a candidate, tried in this order. */
const OPEN_RUN_COMMANDS = ['mlops:open-run', 'mlops:open-candidate'];

const PALETTE_CATEGORY = 'MLOps';

function str(
  args: ReadonlyPartialJSONObject,
  key: string,
  fallback = ''
): string {
  const v = args[key];
  return typeof v === 'string'
    ? v
    : typeof v === 'number'
      ? String(v)
      : fallback;
}

function activate(
  app: JupyterFrontEnd,
  notebooks: INotebookTracker | null,
  palette: ICommandPalette | null,
  restorer: ILayoutRestorer | null
): void {
  const settings = app.serviceManager.serverSettings;
  // The server's change events (null where the front end has no event bus).
  const live = app.serviceManager.events
    ? new LiveChanges(app.serviceManager.events)
    : null;
  // Version files open read-only from a drive (nothing saved in the workspace).
  addVersionFilesDrive(app);
  const tracker = new WidgetTracker<MainAreaWidget<RegistryBody>>({
    namespace: 'mlops-registry'
  });
  let registry: MainAreaWidget<RegistryBody> | null = null;

  const showRegistry = (route: RegistryRoute): void => {
    if (!registry || registry.isDisposed) {
      registry = createRegistryWidget(
        {
          openCandidate: (backend, runId) => {
            const id = OPEN_RUN_COMMANDS.find(c => app.commands.hasCommand(c));
            if (id) {
              void app.commands.execute(id, {
                backend,
                run_id: runId,
                preview: true
              });
            } else {
              toast.info(
                `Candidate ${runId} of backend ${backend}: open it from the MLOps sidebar.`,
                {
                  autoClose: 8000
                }
              );
            }
          },
          insertInNotebook: code => insertCodeBelow(app, notebooks, code),
          openArtifact: (backend, model, version, path) =>
            openArtifactInLab(app, { backend, model, version, path })
        },
        settings
      );
      // the registry's list and pages follow changes made elsewhere (other views, windows, users)
      const registryModel = registry.content.registry;
      live?.modelChanged.connect((_, change) =>
        registryModel.modelChangedElsewhere(change.backend, change.name)
      );
      // the sidebar's Models tab follows the registry's edits
      registry.content.registry.edited.connect(() => {
        if (app.commands.hasCommand('mlops:refresh')) {
          void app.commands.execute('mlops:refresh');
        }
      });
      void tracker.add(registry);
      app.shell.add(registry, 'main');
    }
    registry.content.navigate(route);
    app.shell.activateById(registry.id);
  };
  const openVersion = (backend: string, name: string, version: string) =>
    showRegistry({ page: 'version', backend, name, version });

  app.commands.addCommand(RegistryCommandIDs.compare, {
    describedBy: describedBy({
      runs: {
        type: 'array',
        description: 'The runs: 2 to 50 {backend, run_id}',
        items: { type: 'object', properties: RUN_ARGS }
      }
    }),
    label: args => {
      const n = parseRuns(args.runs).length;
      return n ? `Compare ${n} Runs` : 'Compare Selected Runs';
    },
    caption: 'Compare 2 to 50 runs side by side: params, metrics, curves',
    icon: mlopsIcon,
    execute: args => {
      const runs = parseRuns(args.runs);
      if (runs.length === 0) {
        toast.info(
          'Select 2 to 50 candidates in the MLOps sidebar, then choose Compare.',
          {
            autoClose: 6000
          }
        );
        return;
      }
      const widget = createCompareWidget({
        runs,
        settings,
        onPromote: run =>
          void promoteWithDialog(
            { settings, openVersion },
            {
              backend: run.backend,
              run_id: run.run_id,
              label: run.run_name || run.label
            }
          )
      });
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget.id;
    }
  });

  app.commands.addCommand(RegistryCommandIDs.promote, {
    describedBy: describedBy({
      ...RUN_ARGS,
      label: textArg('How the run is called in messages'),
      run_name: textArg('The run name (when there is no label)'),
      source: textArg(
        'MLflow: the logged model (m-...) or "artifacts" to register'
      )
    }),
    label: 'Promote Run to a Model Version…',
    caption: 'Register a candidate as a semver version of a model',
    execute: args => {
      const runId = str(args, 'run_id');
      if (!runId) {
        toast.info(
          'Choose a candidate to promote (its Promote button in the sidebar or a compare tab).',
          {
            autoClose: 6000
          }
        );
        return;
      }
      const candidate = {
        backend: str(args, 'backend', 'default'),
        run_id: runId,
        // Without one, the dialog reads the run's name.
        label: str(args, 'label') || str(args, 'run_name')
      };
      return promoteWithDialog({ settings, openVersion }, candidate, {
        source: str(args, 'source') || undefined
      });
    }
  });

  app.commands.addCommand(RegistryCommandIDs.openRegistry, {
    describedBy: describedBy({ search: textArg('Model name search') }),
    label: 'Open Model Registry',
    caption: 'Models of every configured backend',
    icon: mlopsIcon,
    execute: args =>
      showRegistry({ page: 'list', search: str(args, 'search') || undefined })
  });
  app.commands.addCommand(RegistryCommandIDs.createModel, {
    describedBy: describedBy({}),
    label: 'Create Model…',
    caption: 'Create a model (without versions) in the model registry',
    execute: async () => {
      showRegistry({ page: 'list' });
      await registry?.content.createModel();
    }
  });
  app.commands.addCommand(RegistryCommandIDs.openModel, {
    describedBy: describedBy({
      backend: RUN_ARGS.backend,
      name: textArg('Model name')
    }),
    label: args =>
      args.name ? `Open Model ${str(args, 'name')}` : 'Open Model',
    execute: args =>
      showRegistry({
        page: 'model',
        backend: str(args, 'backend', 'default'),
        name: str(args, 'name')
      })
  });
  app.commands.addCommand(RegistryCommandIDs.openVersion, {
    describedBy: describedBy({
      backend: RUN_ARGS.backend,
      name: textArg('Model name'),
      version: textArg('Version')
    }),
    label: 'Open Model Version',
    execute: args =>
      openVersion(
        str(args, 'backend', 'default'),
        str(args, 'name'),
        str(args, 'version')
      )
  });
  app.commands.addCommand(RegistryCommandIDs.useInNotebook, {
    describedBy: describedBy({
      backend: RUN_ARGS.backend,
      name: textArg('Model name'),
      version: textArg('Version'),
      params: {
        type: 'boolean',
        description: 'Insert the run params (params_code) too'
      }
    }),
    label: 'Use Model Version in Notebook',
    caption: 'Insert a cell that loads the model version below the active cell',
    execute: async args => {
      const [backend, name, version] = [
        str(args, 'backend', 'default'),
        str(args, 'name'),
        str(args, 'version')
      ];
      try {
        const page = await getVersion(backend, name, version, settings);
        return insertCodeBelow(
          app,
          notebooks,
          snippetCode(page.use_snippet, args.params === true)
        );
      } catch (error) {
        notifyError(
          `Cannot use ${name} version ${version} in a notebook`,
          error
        );
      }
    }
  });

  if (palette) {
    for (const command of [
      RegistryCommandIDs.openRegistry,
      RegistryCommandIDs.createModel
    ]) {
      palette.addItem({ command, category: PALETTE_CATEGORY });
    }
  }
  if (restorer) {
    void restorer.restore(tracker, {
      command: RegistryCommandIDs.openRegistry,
      name: () => 'registry'
    });
  }
}

/** The compare / promote / registry plugin. */
export const registryPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab_mlops:registry',
  description:
    'Compare runs, promote them to model versions, browse the model registry.',
  autoStart: true,
  optional: [INotebookTracker, ICommandPalette, ILayoutRestorer],
  activate
};

/** Every plugin of this file, for `src/index.ts`'s default export. */
export const mlopsPlugins: JupyterFrontEndPlugin<void>[] = [registryPlugin];
