/**
 * The experiment page's rename and delete (with Undo on MLflow), and the
 * banner of a page whose experiment was deleted (restore, on MLflow).
 */
import { InputDialog } from '@jupyterlab/apputils';
import {
  deleteIcon,
  editIcon,
  ToolbarButtonComponent
} from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  deleteExperiment,
  editExperiment,
  IExperimentChanged,
  restoreExperiment
} from '../api/edits';
import { confirmDelete, notifyDeleted } from '../common/deleteDialog';
import { notifyError, toast } from '../common/notify';
import { actionTitle, IEditSupport, nameProblem } from '../models/edits';
import { MlopsModel } from '../models/mlops';
import { DeletedBanner } from '../common/DeletedBanner';

/** What the actions change: the page's experiment and its state. */
export interface IExperimentTarget {
  readonly mlops: MlopsModel;
  readonly experiment: { backend: string; experiment_id: string; name: string };
  /** The experiment got this name. */
  renamed(name: string): void;
  /** The experiment was deleted (null: restored). */
  setDeleted(done: IExperimentChanged | null): void;
}

/** The sidebar's list when it shows this backend (it follows at once). */
export function listOf(target: IExperimentTarget) {
  const list = target.mlops.experiments;
  return list?.backend === target.experiment.backend ? list : null;
}

/** Ask for a new name, then rename. */
export async function renameExperiment(
  target: IExperimentTarget
): Promise<void> {
  const { experiment } = target;
  const answer = await InputDialog.getText({
    title: `Rename experiment “${experiment.name}”`,
    label: 'New name',
    text: experiment.name,
    okLabel: 'Rename'
  });
  const name = answer.value?.trim();
  if (!answer.button.accept || !name || name === experiment.name) {
    return;
  }
  const problem = nameProblem(name, 'experiment');
  if (problem) {
    toast.error(problem);
    return;
  }
  try {
    const list = listOf(target);
    const row = list
      ? await list.edit(experiment.experiment_id, { name })
      : await editExperiment(
          experiment.backend,
          experiment.experiment_id,
          { name },
          target.mlops.serverSettings
        );
    target.renamed(row.name);
  } catch (error) {
    notifyError(`Renaming experiment “${experiment.name}” failed`, error);
  }
}

/** Restore a deleted experiment (throws the server's error). */
export async function restoreTarget(target: IExperimentTarget): Promise<void> {
  const { experiment } = target;
  const list = listOf(target);
  if (list) {
    await list.restore(experiment.experiment_id);
  } else {
    await restoreExperiment(
      experiment.backend,
      experiment.experiment_id,
      target.mlops.serverSettings
    );
  }
  target.setDeleted(null);
}

/** Ask, delete, and offer Undo where the backend can restore. */
export async function deleteTarget(
  target: IExperimentTarget,
  support: IEditSupport
): Promise<void> {
  const { experiment } = target;
  const label = `experiment “${experiment.name}”`;
  const confirmed = await confirmDelete({
    title: `Delete ${label}?`,
    lost: 'all its runs, with their parameters, metrics, tags and files',
    permanent: support.permanentDelete,
    restoreHint: '“Show deleted” of the MLOps sidebar'
  });
  if (!confirmed) {
    return;
  }
  try {
    const list = listOf(target);
    const done = list
      ? await list.remove(experiment.experiment_id)
      : await deleteExperiment(
          experiment.backend,
          experiment.experiment_id,
          target.mlops.serverSettings
        );
    target.setDeleted(done);
    notifyDeleted(
      `Deleted ${label}${done.permanent ? ' for good' : ''}.`,
      done.permanent ? null : () => restoreTarget(target)
    );
  } catch (error) {
    notifyError(`Deleting ${label} failed`, error);
  }
}

/** Rename and delete buttons of the page header. */
export function ExperimentHeaderActions(props: {
  target: IExperimentTarget;
  support: IEditSupport;
}): JSX.Element {
  const { target, support } = props;
  return (
    <span className="jp-mlops-ExperimentPage-actions">
      <ToolbarButtonComponent
        className="jp-mlops-RenameButton"
        icon={editIcon}
        tooltip={actionTitle(support.rename, 'Rename the experiment')}
        enabled={!support.rename}
        onClick={() => void renameExperiment(target)}
      />
      <ToolbarButtonComponent
        className="jp-mlops-DeleteButton"
        icon={deleteIcon}
        tooltip={actionTitle(support.write, 'Delete the experiment')}
        enabled={!support.write}
        onClick={() => void deleteTarget(target, support)}
      />
    </span>
  );
}

/** Shown instead of the candidates once the experiment is deleted. */
export function DeletedExperimentBanner(props: {
  target: IExperimentTarget;
  done: IExperimentChanged;
}): JSX.Element {
  return (
    <DeletedBanner
      kind="experiment"
      subject={`Experiment “${props.done.name}”`}
      permanent={props.done.permanent}
      kept="Its runs are kept."
      onRestore={() => restoreTarget(props.target)}
    />
  );
}
