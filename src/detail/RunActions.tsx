/** The run page's title with its rename form, its delete button, and the banner of a deleted run. */
import {
  deleteIcon,
  editIcon,
  InputGroup,
  ToolbarButtonComponent
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { IRunDetail } from '../api/types';
import { confirmDelete, notifyDeleted } from '../common/deleteDialog';
import { FormButtons } from '../common/FormButtons';
import { notifyError } from '../common/notify';
import { RunDetailModel } from '../models/detail';
import { actionTitle, IEditSupport, nameProblem } from '../models/edits';
import { runLabel } from './EditSections';
import { DeletedBanner } from '../common/DeletedBanner';

/** The run's name as the page title; the pencil turns it into a form. */
export function RunTitle(props: {
  model: RunDetailModel;
  detail: IRunDetail;
  support: IEditSupport;
}): JSX.Element {
  const { info } = props.detail;
  const [draft, setDraft] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  if (draft !== null) {
    const problem = nameProblem(draft, 'run');
    const save = async (): Promise<void> => {
      if (problem || draft.trim() === info.run_name) {
        setDraft(problem ? draft : null);
        return;
      }
      setBusy(true);
      try {
        await props.model.edit({ run_name: draft.trim() });
        setDraft(null);
      } catch (error) {
        notifyError('Renaming the run failed', error);
      } finally {
        setBusy(false);
      }
    };
    return (
      <form
        className="jp-mlops-RenameForm"
        onSubmit={event => {
          event.preventDefault();
          void save();
        }}
        onKeyDown={event => event.key === 'Escape' && setDraft(null)}
      >
        <InputGroup
          aria-label="Run name"
          value={draft}
          autoFocus
          onChange={e => setDraft(e.currentTarget.value)}
        />
        <FormButtons
          label="Rename"
          disabled={!!problem || busy}
          title={problem ?? 'Save the name'}
          onCancel={() => setDraft(null)}
        />
      </form>
    );
  }
  return (
    <>
      <h1
        className="jp-mlops-Detail-title"
        title={`${info.run_name ?? 'Run'} (ID ${info.run_id})`}
      >
        {info.run_name || info.run_id}
      </h1>
      <ToolbarButtonComponent
        className="jp-mlops-RenameButton"
        icon={editIcon}
        tooltip={actionTitle(props.support.rename, 'Rename the run')}
        enabled={!props.support.rename}
        onClick={() => setDraft(info.run_name ?? '')}
      />
    </>
  );
}

/** Ask, delete, and offer Undo where the backend can restore. */
export async function deleteRun(
  model: RunDetailModel,
  detail: IRunDetail,
  support: IEditSupport
): Promise<void> {
  const label = runLabel(detail);
  const confirmed = await confirmDelete({
    title: `Delete ${label}?`,
    lost: 'its parameters, metrics, tags and files',
    permanent: support.permanentDelete,
    restoreHint: '“Show deleted” on the experiment page'
  });
  if (!confirmed) {
    return;
  }
  try {
    const done = await model.remove();
    notifyDeleted(
      `Deleted ${label}${done.permanent ? ' for good' : ''}.`,
      done.permanent ? null : () => model.restore()
    );
  } catch (error) {
    notifyError(`Deleting ${label} failed`, error);
  }
}

/** The header's delete button. */
export function DeleteRunButton(props: {
  model: RunDetailModel;
  detail: IRunDetail;
  support: IEditSupport;
}): JSX.Element {
  return (
    <ToolbarButtonComponent
      className="jp-mlops-DeleteButton"
      icon={deleteIcon}
      tooltip={actionTitle(props.support.write, 'Delete the run')}
      enabled={!props.support.write}
      onClick={() => void deleteRun(props.model, props.detail, props.support)}
    />
  );
}

/** Shown instead of the run once deleted from this page: restore (MLflow) or what happened. */
export function DeletedRunBanner(props: {
  model: RunDetailModel;
  detail: IRunDetail | null;
}): JSX.Element {
  const name = props.detail ? runLabel(props.detail) : 'this run';
  return (
    <DeletedBanner
      kind="run"
      subject={name[0].toUpperCase() + name.slice(1)}
      permanent={props.model.deleted!.permanent}
      kept="It is kept with everything it had."
      onRestore={() => props.model.restore()}
    />
  );
}
