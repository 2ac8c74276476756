/**
 * Deleting the selected candidates and the experiment's deleted runs ("Show
 * deleted"), each restorable on MLflow. GitLab deletes for good: the
 * confirmation says so and there is no deleted list.
 */
import { Button, deleteIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IRunsChanged } from '../api/edits';
import { confirmDelete, notifyDeleted } from '../common/deleteDialog';
import { DeletedPanel } from '../common/DeletedPanel';
import { formatRelative, plural } from '../common/format';
import { useSignals } from '../common/hooks';
import { notifyError, toast } from '../common/notify';
import { StatusBadge } from '../common/StatusBadge';
import { actionTitle, IEditSupport } from '../models/edits';
import { RunsModel } from '../models/runs';
import { binToggle } from '../models/bin';

/** "run “a”" or "3 runs". */
function runsLabel(model: RunsModel, ids: readonly string[]): string {
  if (ids.length === 1) {
    const row = model.rows.find(r => r.run_id === ids[0]);
    return `run “${row?.run_name || ids[0].slice(0, 8)}”`;
  }
  return `${ids.length} ${plural(ids.length, 'run')}`;
}

/** Say what was deleted (and what the backend refused). */
function reportDeleted(
  model: RunsModel,
  label: string,
  done: IRunsChanged
): void {
  const ids = done.runs.map(r => r.run_id);
  notifyDeleted(
    `Deleted ${label}${done.permanent ? ' for good' : ''}.`,
    done.permanent ? null : () => model.restoreRuns(ids)
  );
  if (done.failed.length) {
    toast.warning(
      `${done.failed.length} ${plural(done.failed.length, 'run')} not deleted: ${done.failed[0].message}`,
      { details: done.failed.map(f => `${f.run_id}: ${f.message}`).join('\n') }
    );
  }
}

/** Ask, then delete the selected runs. */
export async function deleteSelected(
  model: RunsModel,
  support: IEditSupport
): Promise<void> {
  const ids = model.selection.ids;
  if (!ids.length) {
    return;
  }
  const label = runsLabel(model, ids);
  const confirmed = await confirmDelete({
    title: `Delete ${label}?`,
    lost: `${ids.length === 1 ? 'its' : 'their'} parameters, metrics, tags and files`,
    permanent: support.permanentDelete,
    restoreHint: '“Show deleted” of this experiment'
  });
  if (!confirmed) {
    return;
  }
  try {
    reportDeleted(model, label, await model.deleteRuns(ids));
  } catch (error) {
    notifyError(`Deleting ${label} failed`, error);
  }
}

/** The selection bar's "Delete" button. */
export function DeleteSelectedButton(props: {
  model: RunsModel;
  support: IEditSupport;
}): JSX.Element {
  const n = props.model.selection.size;
  return (
    <Button
      small
      minimal
      className="jp-mlops-DeleteRunsButton"
      disabled={n === 0 || !!props.support.write}
      title={actionTitle(
        props.support.write,
        n
          ? `Delete the ${n} selected ${plural(n, 'run')}`
          : 'Select runs to delete'
      )}
      onClick={() => void deleteSelected(props.model, props.support)}
    >
      <deleteIcon.react tag="span" elementSize="small" />
      Delete
    </Button>
  );
}

/** The toolbar's "Show deleted" toggle. */
export function ShowDeletedButton(props: {
  model: RunsModel;
  support: IEditSupport;
}): JSX.Element {
  const { bin } = props.model;
  useSignals(bin.changed);
  const { shown, off, title, toggle } = binToggle(bin, props.support, 'runs');
  return (
    <Button
      small
      minimal
      className={`jp-mlops-ShowDeletedButton${shown ? ' jp-mod-active' : ''}`}
      aria-pressed={shown}
      disabled={!!off}
      title={title}
      onClick={toggle}
    >
      {shown ? 'Hide deleted' : 'Show deleted'}
    </Button>
  );
}

/** The deleted runs, each restorable, with "Restore all". */
export function DeletedRunsPanel(props: {
  model: RunsModel;
  support: IEditSupport;
}): JSX.Element | null {
  const { model, support } = props;
  const { bin } = model;
  useSignals(bin.changed);
  const [busy, setBusy] = React.useState(false);
  if (!bin.shown) {
    return null;
  }
  const restore = async (ids: string[], label: string): Promise<void> => {
    setBusy(true);
    try {
      await model.restoreRuns(ids);
      toast.success(`Restored ${label}.`, { autoClose: 4000 });
    } catch (error) {
      notifyError(`Restoring ${label} failed`, error);
    } finally {
      setBusy(false);
    }
  };
  const runs = bin.deleted?.runs ?? [];
  const restoreAll = runs.length > 1 && (
    <Button
      small
      minimal
      disabled={busy || !!support.restore}
      title={actionTitle(support.restore, 'Restore every deleted run')}
      onClick={() =>
        void restore(
          runs.map(r => r.run_id),
          `${runs.length} runs`
        )
      }
    >
      Restore all
    </Button>
  );
  return (
    <DeletedPanel
      bin={bin}
      noun="runs"
      emptyText="No deleted runs in this experiment."
      count={runs.length}
      kind="runs"
      actions={restoreAll || undefined}
    >
      <ul className="jp-mlops-DeletedList" aria-label="Deleted runs">
        {runs.map(r => {
          const label = `run “${r.run_name || r.run_id.slice(0, 8)}”`;
          return (
            <li key={r.run_id} data-run={r.run_id}>
              <span className="jp-mlops-DeletedList-name" title={r.run_id}>
                {r.run_name || r.run_id.slice(0, 8)}
              </span>
              <StatusBadge status={r.status} />
              {r.start_time !== null && (
                <span className="jp-mlops-Muted">
                  started {formatRelative(r.start_time)}
                </span>
              )}
              <span className="jp-mlops-Spacer" />
              <Button
                small
                minimal
                disabled={busy || !!support.restore}
                title={actionTitle(support.restore, `Restore ${label}`)}
                onClick={() => void restore([r.run_id], label)}
              >
                Restore
              </Button>
            </li>
          );
        })}
      </ul>
    </DeletedPanel>
  );
}
