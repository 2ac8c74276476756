import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  InputDialog,
  showDialog
} from '@jupyterlab/apputils';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';
import { refreshIcon } from '@jupyterlab/ui-components';

import { getBackendLog } from './api/embedded';
import { embeddedBackend, restartEmbeddedBackend } from './models/status';
import { BannerCommands } from './sidebar/StatusBanner';

import { IOpenRunArgs, OPEN_RUN_COMMAND } from './detail/opener';
import {
  ExperimentPageOpener,
  OPEN_EXPERIMENT_COMMAND
} from './experiment/opener';
import { MlopsModel } from './models/mlops';
import {
  addExperimentCommands,
  openExperiment,
  SelectionCommandIDs
} from './experimentCommands';
import { mlopsIcon } from './common/icons';
import { asApiError } from './common/errors';
import { describedBy } from './common/commandArgs';
import { toast } from './common/notify';

/** Command ids of the extension. */
export const CommandIDs = {
  openSidebar: 'mlops:open-sidebar',
  refresh: 'mlops:refresh',
  openExperiment: OPEN_EXPERIMENT_COMMAND,
  openRun: OPEN_RUN_COMMAND,
  ...SelectionCommandIDs,
  restartEmbedded: BannerCommands.restart,
  showEmbeddedLog: BannerCommands.showLog
} as const;

const PALETTE_CATEGORY = 'MLOps';

/** Commands of other plugins that the palette lists with ours. */
const OTHER_PALETTE_COMMANDS = [
  'mlops:open-registry',
  'mlops:snapshot-diff'
] as const;

/** What the commands need besides the model. */
export interface ICommandsOptions {
  sidebarId: string;
  palette: ICommandPalette | null;
  /** The experiment pages (open, current one and its selection). */
  experiments: ExperimentPageOpener;
  /** Open a candidate's detail. */
  openRun: (args: IOpenRunArgs) => Promise<unknown>;
}

function stringArg(args: ReadonlyPartialJSONObject, key: string): string {
  const value = args[key];
  return typeof value === 'string' ? value.trim() : '';
}

/** Ask for a value in a dialog; '' when cancelled. */
async function prompt(title: string, label: string): Promise<string> {
  const result = await InputDialog.getText({
    title,
    label,
    placeholder: label
  });
  return result.button.accept ? (result.value ?? '').trim() : '';
}

/** Lines of the server log the log dialog shows. */
const LOG_LINES = 400;

/** The embedded backend named in `args`, else the status's embedded one ('' when there is none). */
function embeddedName(
  model: MlopsModel,
  args: ReadonlyPartialJSONObject
): string {
  return (
    stringArg(args, 'backend') || embeddedBackend(model.status)?.name || ''
  );
}

/** Restart the embedded backend; works also after its automatic restart budget is spent. */
async function restartEmbedded(
  model: MlopsModel,
  args: ReadonlyPartialJSONObject
): Promise<boolean> {
  const name = embeddedName(model, args);
  if (!name) {
    toast.warning('There is no embedded MLflow backend to restart.', {
      autoClose: 8000
    });
    return false;
  }
  try {
    await restartEmbeddedBackend(model, name);
    toast.info('Restarting the embedded MLflow backend…', {
      autoClose: 5000
    });
    return true;
  } catch (error) {
    toast.error(
      `Cannot restart the embedded backend: ${asApiError(error).message}`,
      { autoClose: 8000 }
    );
    return false;
  }
}

/** The embedded server's last log lines in a read-only dialog (text, never HTML). */
async function showEmbeddedLog(
  model: MlopsModel,
  args: ReadonlyPartialJSONObject
): Promise<void> {
  const name = embeddedName(model, args);
  try {
    const log = await getBackendLog(name, LOG_LINES, model.serverSettings);
    const body = new Widget();
    body.addClass('jp-mlops-LogDialog');
    const path = document.createElement('div');
    path.className = 'jp-mlops-LogDialog-path';
    path.textContent = log.path;
    const pre = document.createElement('pre');
    pre.className = 'jp-mlops-LogDialog-text';
    pre.textContent = log.text || '(the log is empty)';
    body.node.append(path, pre);
    await showDialog({
      title: `Embedded MLflow server log (last ${log.lines} lines)`,
      body,
      buttons: [Dialog.okButton({ label: 'Close' })]
    });
  } catch (error) {
    toast.error(
      `Cannot read the embedded backend's log: ${asApiError(error).message}`,
      { autoClose: 8000 }
    );
  }
}

/** Register the commands and put them in the palette when there is one. */
export function addCommands(
  app: JupyterFrontEnd,
  model: MlopsModel,
  options: ICommandsOptions
): void {
  const { sidebarId } = options;
  app.commands.addCommand(CommandIDs.openSidebar, {
    describedBy: describedBy(),
    label: 'Open MLOps Sidebar',
    caption: 'Show experiments and models of the MLflow/GitLab backend',
    icon: mlopsIcon,
    execute: () => {
      app.shell.activateById(sidebarId);
    }
  });
  app.commands.addCommand(CommandIDs.refresh, {
    describedBy: describedBy(),
    label: 'Refresh MLOps',
    caption:
      'Ask for the backends’ status and reload the experiments or runs shown',
    icon: refreshIcon,
    execute: () => model.refresh()
  });
  app.commands.addCommand(CommandIDs.openExperiment, {
    label: args =>
      args.name ? `Open Experiment ${args.name}` : 'Open Experiment…',
    caption:
      'Open an experiment’s page (candidates and performance) in the main area',
    describedBy: {
      args: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'Experiment name' },
          experiment_id: {
            type: 'string',
            description: 'Experiment id (opens without a lookup; needs backend)'
          },
          backend: {
            type: 'string',
            description: 'Backend name (default: the one shown)'
          }
        }
      }
    },
    execute: args => openExperiment(model, options.experiments, args)
  });
  addExperimentCommands(app, model, options.experiments);
  app.commands.addCommand(CommandIDs.openRun, {
    label: 'Open Candidate…',
    caption:
      'Open a run (candidate) in full: details, CI, params, metric charts, artifacts',
    describedBy: {
      args: {
        type: 'object',
        properties: {
          backend: { type: 'string', description: 'Backend name' },
          run_id: { type: 'string', description: 'Run id' },
          experiment_name: {
            type: 'string',
            description: 'Shown in the title'
          },
          run_name: { type: 'string', description: 'Tab title until loaded' },
          preview: { type: 'boolean', description: 'In the preview tab' }
        }
      }
    },
    execute: async args => {
      const runId =
        stringArg(args, 'run_id') || (await prompt('Open Candidate', 'Run ID'));
      const backend = stringArg(args, 'backend') || model.backend?.name;
      if (!runId || !backend) {
        return;
      }
      return options.openRun({
        backend,
        run_id: runId,
        experiment_name: stringArg(args, 'experiment_name') || undefined,
        run_name: stringArg(args, 'run_name') || undefined,
        preview: args.preview === true
      });
    }
  });
  const backendArgs = {
    args: {
      type: 'object',
      properties: {
        backend: {
          type: 'string',
          description: 'Backend name (default: the embedded one)'
        }
      }
    }
  };
  app.commands.addCommand(CommandIDs.restartEmbedded, {
    label: 'Restart the embedded backend',
    caption:
      'Stop the embedded MLflow server and start it again, also after its automatic restarts are spent (kernels keep running)',
    describedBy: backendArgs,
    icon: refreshIcon,
    isEnabled: args => !!embeddedName(model, args),
    execute: args => restartEmbedded(model, args)
  });
  app.commands.addCommand(CommandIDs.showEmbeddedLog, {
    label: 'Show the embedded backend log',
    caption: 'The last lines of the embedded MLflow server log',
    describedBy: backendArgs,
    isEnabled: args => !!embeddedName(model, args),
    execute: args => showEmbeddedLog(model, args)
  });
  if (options.palette) {
    for (const command of [
      ...Object.values(CommandIDs),
      ...OTHER_PALETTE_COMMANDS
    ]) {
      options.palette.addItem({ command, category: PALETTE_CATEGORY });
    }
  }
}
