/** Shown in place of a page whose subject (a run, an experiment) was deleted: Restore, or why it cannot be. */
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { notifyError } from './notify';

/** What {@link DeletedBanner} renders. */
export interface IDeletedBannerProps {
  /** `data-deleted` of the banner: "run", "experiment". */
  kind: string;
  /** The heading, e.g. `Experiment “x”` (text; " was deleted." follows). */
  subject: string;
  /** True where the backend deleted for good (GitLab): no Restore. */
  permanent: boolean;
  /** What stays, shown before Restore (e.g. "Its runs are kept."). */
  kept: string;
  /** Restores; its error is shown as a notification. */
  onRestore(): Promise<unknown>;
}

export function DeletedBanner(props: IDeletedBannerProps): JSX.Element {
  const [busy, setBusy] = React.useState(false);
  const restore = async (): Promise<void> => {
    setBusy(true);
    try {
      await props.onRestore();
    } catch (error) {
      notifyError(`Restoring ${props.subject} failed`, error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div
      className="jp-mlops-DeletedBanner"
      role="status"
      data-deleted={props.kind}
    >
      <h2>
        {props.subject} was deleted
        {props.permanent ? ' for good' : ''}.
      </h2>
      {props.permanent ? (
        <p>GitLab deletes for good: it cannot be restored.</p>
      ) : (
        <p>
          {props.kept}{' '}
          <Button
            className="jp-mod-styled jp-mod-accept"
            disabled={busy}
            onClick={() => void restore()}
          >
            Restore
          </Button>
        </p>
      )}
    </div>
  );
}
