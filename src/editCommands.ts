/**
 * Commands that edit runs and experiments (palette, and the sidebar's context
 * menu on an experiment): rename, delete (Undo on MLflow), delete the checked
 * candidates, show the deleted experiments. Each acts on its arguments, else
 * on the current run or experiment page.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, InputDialog } from '@jupyterlab/apputils';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { describedBy, textArg } from './common/commandArgs';
import { notifyError, toast } from './common/notify';
import { deleteRun } from './detail/RunActions';
import { RunDetailOpener } from './detail/opener';
import {
  deleteTarget,
  IExperimentTarget,
  renameExperiment
} from './experiment/ExperimentActions';
import { ExperimentPageOpener } from './experiment/opener';
import { deleteSelected } from './experiment/RunsBinView';
import { editSupport, IEditSupport, nameProblem } from './models/edits';
import { MlopsModel } from './models/mlops';

/** Command ids of editing. */
export const EditCommandIDs = {
  renameRun: 'mlops:rename-run',
  deleteRun: 'mlops:delete-run',
  deleteSelectedRuns: 'mlops:delete-selected-runs',
  renameExperiment: 'mlops:rename-experiment',
  deleteExperiment: 'mlops:delete-experiment',
  showDeletedExperiments: 'mlops:show-deleted-experiments'
} as const;

/** The sidebar's experiment rows (the context menu's selector). */
const EXPERIMENT_ROW = '.jp-mlops-ExperimentItem';

const EXPERIMENT_ARGS = describedBy({
  backend: textArg('Backend name (default: the current page or the sidebar)'),
  experiment_id: textArg('Experiment id (default: the current page)')
});

function text(args: ReadonlyPartialJSONObject, key: string): string {
  const value = args[key];
  return typeof value === 'string' ? value.trim() : '';
}

/** Register the editing commands, the palette items and the sidebar's context menu. */
export function addEditCommands(
  app: JupyterFrontEnd,
  model: MlopsModel,
  options: {
    runs: RunDetailOpener;
    experiments: ExperimentPageOpener;
    palette?: ICommandPalette | null;
  }
): void {
  const { runs, experiments } = options;
  const supportOf = (backend: string): IEditSupport =>
    editSupport(model.status?.backends.find(b => b.name === backend));
  const currentRun = () => {
    const page = runs.tracker.currentWidget?.content;
    return page && page.model.detail && !page.model.deleted ? page.model : null;
  };

  /** The experiment of the arguments, of a right-clicked sidebar row, or of the current page. */
  const experimentTarget = (
    args: ReadonlyPartialJSONObject
  ): IExperimentTarget | null => {
    let backend = text(args, 'backend');
    let id = text(args, 'experiment_id');
    if (!id) {
      const row = app.contextMenuHitTest(node => node.matches(EXPERIMENT_ROW));
      if (row?.dataset.id && model.experiments) {
        id = row.dataset.id;
        backend = model.experiments.backend;
      }
    }
    if (!id) {
      return experiments.tracker.currentWidget?.content ?? null;
    }
    backend = backend || model.experiments?.backend || '';
    const page = experiments.find(backend, id);
    if (page) {
      return page.content;
    }
    const row = model.experiments?.experiments.find(
      e => e.experiment_id === id
    );
    return {
      mlops: model,
      experiment: { backend, experiment_id: id, name: row?.name ?? id },
      renamed: () => undefined,
      setDeleted: () => undefined
    };
  };
  const blockedFor = (target: IExperimentTarget | null): string | null =>
    target ? supportOf(target.experiment.backend).write : 'no experiment';

  app.commands.addCommand(EditCommandIDs.renameRun, {
    label: 'Rename Run…',
    caption: 'Rename the run of the current run page',
    describedBy: describedBy(),
    isEnabled: () => {
      const run = currentRun();
      return !!run && !supportOf(run.backend).rename;
    },
    execute: async () => {
      const run = currentRun();
      if (!run?.detail) {
        return;
      }
      const old = run.detail.info.run_name ?? '';
      const answer = await InputDialog.getText({
        title: 'Rename run',
        label: 'New name',
        text: old,
        okLabel: 'Rename'
      });
      const name = answer.value?.trim() ?? '';
      if (!answer.button.accept || !name || name === old) {
        return;
      }
      const problem = nameProblem(name, 'run');
      if (problem) {
        toast.error(problem);
        return;
      }
      try {
        await run.edit({ run_name: name });
      } catch (error) {
        notifyError('Renaming the run failed', error);
      }
    }
  });
  app.commands.addCommand(EditCommandIDs.deleteRun, {
    label: 'Delete Run…',
    caption: 'Delete the run of the current run page (MLflow: Undo, restore)',
    describedBy: describedBy(),
    isEnabled: () => {
      const run = currentRun();
      return !!run && !supportOf(run.backend).write;
    },
    execute: () => {
      const run = currentRun();
      if (run?.detail) {
        return deleteRun(run, run.detail, supportOf(run.backend));
      }
    }
  });
  app.commands.addCommand(EditCommandIDs.deleteSelectedRuns, {
    label: 'Delete Selected Candidates…',
    caption: 'Delete the candidates checked on the current experiment page',
    describedBy: describedBy(),
    isEnabled: () =>
      (experiments.tracker.currentWidget?.content.runs.selection.size ?? 0) > 0,
    execute: () => {
      const runsModel = experiments.tracker.currentWidget?.content.runs;
      if (runsModel) {
        return deleteSelected(runsModel, supportOf(runsModel.backend));
      }
    }
  });
  app.commands.addCommand(EditCommandIDs.renameExperiment, {
    label: 'Rename Experiment…',
    caption: 'Rename an experiment (MLflow; GitLab cannot)',
    describedBy: EXPERIMENT_ARGS,
    isEnabled: args => {
      const target = experimentTarget(args);
      return !!target && !supportOf(target.experiment.backend).rename;
    },
    execute: args => {
      const target = experimentTarget(args);
      return target ? renameExperiment(target) : undefined;
    }
  });
  app.commands.addCommand(EditCommandIDs.deleteExperiment, {
    label: 'Delete Experiment…',
    caption: 'Delete an experiment and its runs (MLflow: Undo, restore)',
    describedBy: EXPERIMENT_ARGS,
    isEnabled: args => !blockedFor(experimentTarget(args)),
    execute: args => {
      const target = experimentTarget(args);
      return target
        ? deleteTarget(target, supportOf(target.experiment.backend))
        : undefined;
    }
  });
  app.commands.addCommand(EditCommandIDs.showDeletedExperiments, {
    label: 'Show Deleted Experiments',
    caption: 'List the deleted experiments in the MLOps sidebar (restore them)',
    describedBy: describedBy(),
    isToggled: () => !!model.experiments?.bin.shown,
    isEnabled: () =>
      !!model.experiments &&
      !supportOf(model.experiments.backend).permanentDelete,
    execute: () => {
      const list = model.experiments;
      if (list) {
        void list.bin.show(!list.bin.shown);
      }
    }
  });
  app.contextMenu.addItem({
    command: EditCommandIDs.renameExperiment,
    selector: EXPERIMENT_ROW,
    rank: 10
  });
  app.contextMenu.addItem({
    command: EditCommandIDs.deleteExperiment,
    selector: EXPERIMENT_ROW,
    rank: 11
  });
  app.contextMenu.addItem({
    command: EditCommandIDs.showDeletedExperiments,
    selector: EXPERIMENT_ROW,
    rank: 12
  });
  for (const command of Object.values(EditCommandIDs)) {
    options.palette?.addItem({ command, category: 'MLOps' });
  }
}
