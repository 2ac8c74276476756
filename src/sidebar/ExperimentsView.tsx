import { InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IExperimentRow } from '../api/types';
import { IEditSupport } from '../models/edits';
import { ExperimentsModel } from '../models/experiments';
import {
  DeletedExperimentsPanel,
  ShowDeletedToggle
} from './DeletedExperiments';
import { EmptyState } from './EmptyState';
import { ErrorBox, Loading, Note, ProgressBar } from '../common/Feedback';
import { formatCount, formatRelative, plural } from '../common/format';
import { useDebounced, useSignals } from '../common/hooks';
import { listKeyHandler } from './listKeys';

/** MLflow's "Default" experiment, which every MLflow server has. */
const DEFAULT_EXPERIMENT_ID = '0';

/**
 * Call `onVisible` with the `data-id` of the rows scrolled into view of
 * `root` (rows are the elements matching `selector`).
 */
function useVisibleRows(
  root: React.RefObject<HTMLElement>,
  selector: string,
  deps: unknown[],
  onVisible: (ids: string[]) => void
): void {
  React.useEffect(() => {
    const node = root.current;
    if (!node) {
      return;
    }
    const rows = Array.from(node.querySelectorAll<HTMLElement>(selector));
    if (typeof IntersectionObserver === 'undefined') {
      onVisible(rows.map(r => r.dataset.id!).filter(Boolean));
      return;
    }
    const observer = new IntersectionObserver(
      entries => {
        const ids = entries
          .filter(e => e.isIntersecting)
          .map(e => (e.target as HTMLElement).dataset.id!)
          .filter(Boolean);
        if (ids.length) {
          onVisible(ids);
        }
      },
      { root: node, rootMargin: '100px 0px' }
    );
    rows.forEach(r => observer.observe(r));
    return () => observer.disconnect();
  }, deps);
}

function ExperimentItem(props: {
  row: IExperimentRow;
  model: ExperimentsModel;
  selected: boolean;
  onOpen: (row: IExperimentRow) => void;
}): JSX.Element {
  const { row, model } = props;
  const summary = model.summary(row.experiment_id);
  const failed = model.summaryError(row.experiment_id);
  const creator = summary?.creator ?? row.creator;
  const activity = summary?.last_activity ?? row.last_update_time;
  let count: string;
  if (summary) {
    count = `${formatCount(summary.run_count, summary.run_count_exact)} ${plural(
      summary.run_count,
      'run'
    )}`;
  } else {
    count = failed ? '? runs' : '';
  }
  return (
    <li
      className={`jp-mlops-ExperimentItem${props.selected ? ' jp-mod-selected' : ''}`}
      data-id={row.experiment_id}
    >
      <button
        className="jp-mlops-ExperimentItem-button"
        aria-current={props.selected ? 'page' : undefined}
        onClick={() => props.onOpen(row)}
        title={row.description ? `${row.name}\n\n${row.description}` : row.name}
      >
        <span className="jp-mlops-ExperimentItem-top">
          <span className="jp-mlops-ExperimentItem-name">{row.name}</span>
          <span
            className={`jp-mlops-ExperimentItem-count${
              summary ? '' : ' jp-mod-pending'
            }`}
            title={failed ? failed.message : undefined}
          >
            {count}
          </span>
        </span>
        <span className="jp-mlops-ExperimentItem-meta">
          {creator && (
            <span className="jp-mlops-ExperimentItem-creator">{creator}</span>
          )}
          {activity && (
            <span
              className="jp-mlops-ExperimentItem-activity"
              title={new Date(activity).toLocaleString()}
            >
              {formatRelative(activity)}
            </span>
          )}
          {row.model_name && (
            <span className="jp-mlops-ExperimentItem-model">
              model {row.model_name}
            </span>
          )}
        </span>
      </button>
    </li>
  );
}

/** Whether the backend only has MLflow's empty "Default" experiment. */
function onlyEmptyDefault(model: ExperimentsModel): boolean | null {
  const rows = model.experiments;
  if (rows.length !== 1 || rows[0].experiment_id !== DEFAULT_EXPERIMENT_ID) {
    return false;
  }
  const summary = model.summary(DEFAULT_EXPERIMENT_ID);
  return summary ? summary.run_count === 0 : null;
}

/** The experiments of a backend: search, lazily counted rows, paging. */
export function ExperimentsView(props: {
  model: ExperimentsModel;
  /** Id of the experiment whose page is current (highlighted), or null. */
  selected?: string | null;
  onOpen: (row: IExperimentRow) => void;
  /** What the backend lets the user edit (the deleted list, restore). */
  support?: IEditSupport;
}): JSX.Element {
  const { model } = props;
  useSignals(model.changed);
  const [search, setSearch] = React.useState(model.search);
  const settled = useDebounced(search, 250);
  React.useEffect(() => {
    void model.setSearch(settled.trim());
  }, [settled, model]);

  const list = React.useRef<HTMLDivElement>(null);
  const rows = model.experiments;
  useVisibleRows(list, '.jp-mlops-ExperimentItem', [rows], ids =>
    model.requestSummaries(ids)
  );
  React.useEffect(() => {
    // A lone experiment may be MLflow's empty "Default": count it to decide
    // between the list and the empty state (it is not rendered meanwhile).
    if (rows.length === 1) {
      model.requestSummaries([rows[0].experiment_id]);
    }
  }, [rows, model]);
  const onScroll = (event: React.UIEvent<HTMLDivElement>): void => {
    const el = event.currentTarget;
    if (el.scrollTop + el.clientHeight > el.scrollHeight - 80) {
      void model.loadMore();
    }
  };

  const empty = !model.search && onlyEmptyDefault(model);
  let body: React.ReactNode;
  if (model.phase === 'error' && rows.length === 0 && model.error) {
    body = (
      <ErrorBox
        title="Cannot list the experiments"
        error={model.error}
        onRetry={() => void model.load()}
      />
    );
  } else if (
    model.phase === 'idle' ||
    (model.phase === 'loading' && !rows.length)
  ) {
    body = <Loading text="Loading experiments…" />;
  } else if (empty === null) {
    body = <Loading text="Loading experiments…" />;
  } else if (empty || (rows.length === 0 && !model.search)) {
    body = <EmptyState />;
  } else if (rows.length === 0) {
    body = (
      <div className="jp-mlops-NoMatch" data-empty="search">
        No experiment matches “<span>{model.search}</span>”.
      </div>
    );
  } else {
    body = (
      <ul
        className="jp-mlops-ExperimentList"
        aria-label="Experiments"
        onKeyDown={listKeyHandler('.jp-mlops-ExperimentItem-button')}
      >
        {rows.map(row => (
          <ExperimentItem
            key={row.experiment_id}
            row={row}
            model={model}
            selected={row.experiment_id === props.selected}
            onOpen={props.onOpen}
          />
        ))}
      </ul>
    );
  }

  return (
    <div className="jp-mlops-ExperimentsView">
      <div className="jp-mlops-ExperimentsView-search">
        <InputGroup
          type="search"
          placeholder="Search experiments"
          aria-label="Search experiments"
          value={search}
          rightIcon="ui-components:search"
          onChange={event => setSearch(event.currentTarget.value)}
        />
        {props.support && (
          <ShowDeletedToggle model={model} support={props.support} />
        )}
      </div>
      {props.support && (
        <DeletedExperimentsPanel model={model} support={props.support} />
      )}
      <ProgressBar active={model.phase === 'loading' && rows.length > 0} />
      {model.error && rows.length > 0 && (
        <ErrorBox
          compact
          title="Cannot refresh the experiments"
          error={model.error}
          onRetry={() => void model.load()}
        />
      )}
      {model.emulatedReason && (
        <Note kind="emulated" title={model.emulatedReason}>
          Searched by the extension: {model.emulatedReason}
        </Note>
      )}
      <div
        className="jp-mlops-ExperimentsView-list"
        ref={list}
        onScroll={onScroll}
      >
        {body}
        {model.loadingMore && <Loading text="Loading more experiments…" />}
        {model.moreError && (
          <ErrorBox
            compact
            title="Cannot load more experiments"
            error={model.moreError}
            onRetry={() => void model.loadMore()}
          />
        )}
      </div>
    </div>
  );
}
