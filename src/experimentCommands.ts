/**
 * Commands of the experiment pages: open one (by name or id), compare or
 * promote the candidates checked on the current one.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { InputDialog } from '@jupyterlab/apputils';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { getExperimentSummary } from './api/endpoints';
import { asApiError } from './common/errors';
import { toast } from './common/notify';
import { describedBy } from './common/commandArgs';
import { MAX_COMPARE, SELECTION_COMMANDS } from './experiment/CandidatesView';
import { ExperimentPageOpener } from './experiment/opener';
import { MlopsModel } from './models/mlops';
import { RunsSelection } from './models/selection';

/** Command ids of the experiment pages' selection. */
export const SelectionCommandIDs = {
  compareSelected: 'mlops:compare-selected',
  promoteSelected: 'mlops:promote-selected'
} as const;

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

/**
 * Open an experiment's page: `{backend, experiment_id, name}` opens it
 * directly (restored tabs); `{name}` alone looks it up (prompted when missing).
 */
export async function openExperiment(
  model: MlopsModel,
  pages: ExperimentPageOpener,
  args: ReadonlyPartialJSONObject
): Promise<boolean> {
  const id = stringArg(args, 'experiment_id');
  const backend = stringArg(args, 'backend');
  if (id && backend) {
    // Tabs are titled by name: look it up when the caller has only the id.
    let known = stringArg(args, 'name');
    if (!known && !pages.find(backend, id)) {
      try {
        known = (
          await getExperimentSummary(backend, id, false, model.serverSettings)
        ).name;
      } catch {
        known = id;
      }
    }
    await pages.open({ backend, experiment_id: id, name: known || id });
    return true;
  }
  const name =
    stringArg(args, 'name') ||
    (await prompt('Open Experiment', 'Experiment name'));
  if (!name) {
    return false;
  }
  if (backend) {
    model.selectBackend(backend);
  }
  const experiments = model.experiments;
  if (!experiments) {
    toast.error(
      `Cannot open “${name}”: the ${model.backend?.name ?? 'MLOps'} backend is not available.`,
      { autoClose: 8000 }
    );
    return false;
  }
  try {
    const row = await experiments.findByName(name);
    if (!row) {
      toast.warning(
        `No experiment named “${name}” in backend ${experiments.backend}.`,
        {
          autoClose: 8000
        }
      );
      return false;
    }
    await pages.open({
      backend: experiments.backend,
      experiment_id: row.experiment_id,
      name: row.name
    });
    return true;
  } catch (error) {
    toast.error(`Cannot open “${name}”: ${asApiError(error).message}`, {
      autoClose: 8000
    });
    return false;
  }
}

/** The checked candidates of the current experiment page, or null. */
function currentSelection(pages: ExperimentPageOpener): RunsSelection | null {
  const page = pages.tracker.currentWidget;
  return page && !page.isDisposed ? page.content.runs.selection : null;
}

/** Re-evaluate the selection commands when the current page or its selection changes. */
function followSelection(
  app: JupyterFrontEnd,
  pages: ExperimentPageOpener
): void {
  let watched: RunsSelection | null = null;
  const notify = (): void => {
    app.commands.notifyCommandChanged(SelectionCommandIDs.compareSelected);
    app.commands.notifyCommandChanged(SelectionCommandIDs.promoteSelected);
  };
  const follow = (): void => {
    watched?.changed.disconnect(notify);
    watched = currentSelection(pages);
    watched?.changed.connect(notify);
    notify();
  };
  pages.tracker.currentChanged.connect(follow);
  pages.tracker.widgetAdded.connect(follow);
  follow();
}

/** Register the selection commands (they follow the current experiment page). */
export function addExperimentCommands(
  app: JupyterFrontEnd,
  model: MlopsModel,
  pages: ExperimentPageOpener
): void {
  app.commands.addCommand(SelectionCommandIDs.compareSelected, {
    describedBy: describedBy(),
    label: () => {
      const n = currentSelection(pages)?.size ?? 0;
      return n >= 2
        ? `Compare ${n} Selected Candidates`
        : 'Compare Selected Candidates';
    },
    caption: `Compare the 2 to ${MAX_COMPARE} candidates checked on the current experiment page`,
    isEnabled: () => {
      const n = currentSelection(pages)?.size ?? 0;
      return n >= 2 && n <= MAX_COMPARE;
    },
    execute: () => {
      const selection = currentSelection(pages);
      if (!selection || selection.size < 2) {
        toast.info(
          'Check 2 to 50 candidates on an experiment page, then compare them.',
          { autoClose: 6000 }
        );
        return;
      }
      return app.commands.execute(SELECTION_COMMANDS.compare, {
        runs: selection.refs.map(r => ({
          backend: r.backend,
          run_id: r.run_id
        }))
      });
    }
  });
  app.commands.addCommand(SelectionCommandIDs.promoteSelected, {
    describedBy: describedBy(),
    label: 'Promote Selected Candidate…',
    caption:
      'Register the one candidate checked on the current experiment page as a model version',
    isEnabled: () => currentSelection(pages)?.size === 1,
    execute: () => {
      const selection = currentSelection(pages);
      if (!selection || selection.size !== 1) {
        toast.info(
          'Check one candidate on an experiment page, then promote it.',
          { autoClose: 6000 }
        );
        return;
      }
      return app.commands.execute(SELECTION_COMMANDS.promote, {
        backend: selection.backend,
        run_id: selection.ids[0]
      });
    }
  });
  followSelection(app, pages);
}
