/**
 * The "show deleted" panel of a list (an experiment's runs, a backend's
 * experiments): a heading with the count, the bin's state (loading, error,
 * unsupported on this backend, empty) or the restorable items.
 */
import * as React from 'react';

import { MlopsApiError } from './errors';
import { ErrorBox, Loading, Note } from './Feedback';

/** What a list of deleted items says besides its items. */
export interface IDeletedAnswer {
  /** False where the backend keeps no deleted items (GitLab deletes for good). */
  supported: boolean;
  /** More items were deleted than listed. */
  truncated: boolean;
  /** Why nothing is listed (shown when unsupported). */
  note: string | null;
}

/** The part of a bin model the panel reads. */
export interface IDeletedSource {
  readonly phase: 'idle' | 'loading' | 'ready' | 'error';
  readonly error: MlopsApiError | null;
  readonly deleted: IDeletedAnswer | null;
  load(): Promise<void>;
}

/** What {@link DeletedPanel} renders. */
export interface IDeletedPanelProps {
  bin: IDeletedSource;
  /** Plural noun of the items: "runs", "experiments". */
  noun: string;
  /** Shown when the bin is empty. */
  emptyText: string;
  /** How many items are listed. */
  count: number;
  /** `data-deleted` of the panel (tests and styles find it). */
  kind?: string;
  /** Extra controls in the heading (e.g. "Restore all"). */
  actions?: React.ReactNode;
  /** The list of items, rendered when there are some. */
  children: React.ReactNode;
}

export function DeletedPanel(props: IDeletedPanelProps): JSX.Element {
  const { bin, noun, count } = props;
  let body: React.ReactNode;
  if (bin.phase === 'error' && bin.error) {
    body = (
      <ErrorBox
        compact
        title={`Cannot list the deleted ${noun}`}
        error={bin.error}
        onRetry={() => void bin.load()}
      />
    );
  } else if (!bin.deleted) {
    body = <Loading text={`Loading the deleted ${noun}…`} />;
  } else if (!bin.deleted.supported) {
    body = <Note kind="info">{bin.deleted.note}</Note>;
  } else if (!count) {
    body = <p className="jp-mlops-Muted">{props.emptyText}</p>;
  } else {
    body = props.children;
  }
  const label = `Deleted ${noun}`;
  return (
    <section
      className="jp-mlops-DeletedPanel"
      aria-label={label}
      data-deleted={props.kind}
    >
      <header className="jp-mlops-DeletedPanel-head">
        <h3>
          {label}
          {count ? ` (${count}${bin.deleted?.truncated ? '+' : ''})` : ''}
        </h3>
        {props.actions && (
          <>
            <span className="jp-mlops-Spacer" />
            {props.actions}
          </>
        )}
      </header>
      {body}
    </section>
  );
}
