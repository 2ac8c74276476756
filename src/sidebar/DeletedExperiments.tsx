/** The sidebar's "Show deleted" toggle and the deleted experiments, each restorable (MLflow). */
import {
  Button,
  deleteIcon,
  ToolbarButtonComponent
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { DeletedPanel } from '../common/DeletedPanel';
import { formatRelative } from '../common/format';
import { useSignals } from '../common/hooks';
import { notifyError, toast } from '../common/notify';
import { actionTitle, IEditSupport } from '../models/edits';
import { ExperimentsModel } from '../models/experiments';
import { binToggle } from '../models/bin';

/** The toggle beside the search box. */
export function ShowDeletedToggle(props: {
  model: ExperimentsModel;
  support: IEditSupport;
}): JSX.Element {
  const { bin } = props.model;
  useSignals(bin.changed);
  const { shown, off, title, toggle } = binToggle(
    bin,
    props.support,
    'experiments'
  );
  return (
    <ToolbarButtonComponent
      className="jp-mlops-ShowDeletedButton"
      icon={deleteIcon}
      pressed={shown}
      aria-pressed={shown}
      enabled={!off}
      tooltip={title}
      onClick={toggle}
    />
  );
}

/** The deleted experiments with a Restore button each. */
export function DeletedExperimentsPanel(props: {
  model: ExperimentsModel;
  support: IEditSupport;
}): JSX.Element | null {
  const { model, support } = props;
  const { bin } = model;
  useSignals(bin.changed);
  const [busy, setBusy] = React.useState<string | null>(null);
  if (!bin.shown) {
    return null;
  }
  const restore = async (id: string, name: string): Promise<void> => {
    setBusy(id);
    try {
      await model.restore(id);
      toast.success(`Restored experiment “${name}”.`, { autoClose: 4000 });
    } catch (error) {
      notifyError(`Restoring experiment “${name}” failed`, error);
    } finally {
      setBusy(null);
    }
  };
  const rows = bin.deleted?.experiments ?? [];
  return (
    <DeletedPanel
      bin={bin}
      noun="experiments"
      emptyText="No deleted experiments."
      count={rows.length}
      kind="experiments"
    >
      <ul className="jp-mlops-DeletedList" aria-label="Deleted experiments">
        {rows.map(e => (
          <li key={e.experiment_id} data-id={e.experiment_id}>
            <span
              className="jp-mlops-DeletedList-name"
              title={
                e.last_update_time !== null
                  ? `${e.name}\ndeleted ${formatRelative(e.last_update_time)}`
                  : e.name
              }
            >
              {e.name}
            </span>
            <span className="jp-mlops-Spacer" />
            <Button
              small
              minimal
              disabled={busy !== null || !!support.restore}
              title={actionTitle(
                support.restore,
                `Restore experiment “${e.name}” with its runs`
              )}
              onClick={() => void restore(e.experiment_id, e.name)}
            >
              Restore
            </Button>
          </li>
        ))}
      </ul>
    </DeletedPanel>
  );
}
