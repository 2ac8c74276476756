import { Button, closeIcon, downloadIcon } from '@jupyterlab/ui-components';
import { JupyterFrontEnd } from '@jupyterlab/application';
import * as React from 'react';

import { IRunRow } from '../api/types';
import { writeTitle } from '../models/capabilities';
import { editSupport, IEditSupport } from '../models/edits';
import { DEFAULT_SORT } from '../models/rows';
import { RunsModel } from '../models/runs';
import { CandidatesTable } from './CandidatesTable';
import { ColumnChooser } from './ColumnChooser';
import { candidatesCsv, candidatesCsvName } from './csv';
import { downloadBlob } from '../common/download';
import { ErrorBox, Loading, Note, ProgressBar } from '../common/Feedback';
import { FilterBox } from './FilterBox';
import {
  DeletedRunsPanel,
  DeleteSelectedButton,
  ShowDeletedButton
} from './RunsBinView';
import { formatCount, plural } from '../common/format';
import { useSignals } from '../common/hooks';
import { tableColumns } from './tableColumns';

/** Commands of other plugins that the selection bar runs. */
export const SELECTION_COMMANDS = {
  compare: 'mlops:compare',
  promote: 'mlops:promote'
} as const;

/** Most runs the compare view takes. */
export const MAX_COMPARE = 50;

/** Props of {@link CandidatesView}. */
export interface ICandidatesViewProps {
  model: RunsModel;
  commands: JupyterFrontEnd['commands'];
  /** "1,234 runs" when the experiments list knows, else ''. */
  countText: string;
  /** Open a run's detail (`preview`: in the reused preview tab). */
  onOpenRun: (backend: string, runId: string, preview: boolean) => void;
  onSaveDefaultColumns?: (columns: string[]) => void;
  /** Why the backend's credentials cannot write (promote is then off), or null. */
  writeBlocked?: string | null;
  /** What the backend lets the user edit (delete, restore). */
  support?: IEditSupport;
}

function SelectionBar(props: {
  model: RunsModel;
  commands: JupyterFrontEnd['commands'];
  writeBlocked?: string | null;
  support: IEditSupport;
}): JSX.Element {
  const { model, commands } = props;
  const writeBlocked = props.writeBlocked ?? null;
  const { selection } = model;
  useSignals(selection.changed, commands.commandChanged);
  const n = selection.size;
  const canCompare =
    commands.hasCommand(SELECTION_COMMANDS.compare) &&
    n >= 2 &&
    n <= MAX_COMPARE;
  const canPromote =
    commands.hasCommand(SELECTION_COMMANDS.promote) && n === 1 && !writeBlocked;
  return (
    <div className="jp-mlops-SelectionBar" data-selected={n}>
      {n > 0 && (
        <span className="jp-mlops-SelectionBar-count">
          {n} selected
          <button
            className="jp-mlops-IconButton"
            title="Clear the selection"
            aria-label="Clear the selection"
            onClick={() => selection.clear()}
          >
            <closeIcon.react tag="span" elementSize="small" />
          </button>
        </span>
      )}
      <span className="jp-mlops-Spacer" />
      <Button
        small
        className="jp-mod-styled jp-mod-accept jp-mlops-CompareButton"
        disabled={!canCompare}
        title={
          !commands.hasCommand(SELECTION_COMMANDS.compare)
            ? 'Compare is not available'
            : `Compare 2 to ${MAX_COMPARE} selected runs`
        }
        onClick={() =>
          void commands.execute(SELECTION_COMMANDS.compare, {
            runs: selection.refs.map(r => ({
              backend: r.backend,
              run_id: r.run_id
            }))
          })
        }
      >
        Compare
      </Button>
      <Button
        small
        minimal
        className="jp-mlops-PromoteButton"
        disabled={!canPromote}
        data-write-blocked={writeBlocked ? 'true' : undefined}
        title={
          !commands.hasCommand(SELECTION_COMMANDS.promote)
            ? 'Promote is not available'
            : writeTitle(
                writeBlocked,
                'Promote the selected run to a model version'
              )
        }
        onClick={() =>
          void commands.execute(SELECTION_COMMANDS.promote, {
            backend: model.backend,
            run_id: selection.ids[0]
          })
        }
      >
        Promote
      </Button>
      <DeleteSelectedButton model={model} support={props.support} />
    </div>
  );
}

/** Download the rows shown (loaded, filtered, in their order) as CSV. */
function exportCsv(model: RunsModel): void {
  const text = candidatesCsv(model.backend, model.rows, model.columns);
  downloadBlob(
    new Blob([text], { type: 'text/csv;charset=utf-8' }),
    candidatesCsvName(model.experimentName)
  );
}

/** The candidates (runs) of one experiment, in a virtualized table. */
export function CandidatesView(props: ICandidatesViewProps): JSX.Element {
  const { model } = props;
  useSignals(model.changed);
  const support = props.support ?? editSupport(null);
  const [choosing, setChoosing] = React.useState(false);
  const columns = React.useMemo(
    () => tableColumns(model.columns),
    [model.columns]
  );
  const rows = model.rows;
  const { onOpenRun } = props;
  const open = React.useCallback(
    (row: IRunRow, preview: boolean): void =>
      onOpenRun(model.backend, row.run_id, preview),
    [onOpenRun, model]
  );

  let count = props.countText;
  if (model.filter && model.total !== null) {
    count = `${formatCount(model.total)} ${plural(model.total, 'match', 'matches')}`;
  } else if (model.filter) {
    count = 'filtered';
  }

  let footer: React.ReactNode = null;
  if (model.loadingMore) {
    footer = <Loading text="Loading more runs…" />;
  } else if (model.moreError) {
    footer = (
      <ErrorBox
        compact
        title="Cannot load more runs"
        error={model.moreError}
        onRetry={() => void model.loadMore()}
      />
    );
  } else if (rows.length > 0 && !model.hasMore) {
    footer = (
      <div className="jp-mlops-Table-end">
        {formatCount(rows.length)} {plural(rows.length, 'run')}
      </div>
    );
  }

  let body: React.ReactNode;
  if (model.phase === 'error' && model.error && rows.length === 0) {
    body = (
      <ErrorBox
        title="Cannot list the runs"
        error={model.error}
        onRetry={() => void model.reload()}
      />
    );
  } else if (
    rows.length === 0 &&
    (model.phase === 'loading' || model.phase === 'idle')
  ) {
    body = <Loading text="Loading runs…" />;
  } else if (rows.length === 0) {
    body = (
      <div
        className="jp-mlops-NoMatch"
        data-empty={model.filter ? 'filter' : 'runs'}
      >
        {model.filter
          ? 'No run matches this filter.'
          : 'No runs in this experiment yet: runs logged from a notebook (%%mlops run, mlflow.start_run) appear here.'}
      </div>
    );
  } else {
    body = (
      <CandidatesTable
        rows={rows}
        columns={columns}
        sort={model.sort ?? DEFAULT_SORT}
        selection={model.selection}
        onSort={sort => void model.setSort(sort)}
        onOpen={open}
        canLoadMore={
          model.hasMore &&
          model.phase === 'ready' &&
          !model.loadingMore &&
          !model.moreError
        }
        onNearEnd={() => void model.loadMore()}
        footer={footer}
      />
    );
  }

  return (
    <div
      className="jp-mlops-CandidatesView"
      data-experiment={model.experimentId}
    >
      <FilterBox
        applied={model.filter}
        error={model.filterError}
        busy={model.phase === 'loading'}
        onApply={filter => void model.applyFilter(filter)}
      />
      <div className="jp-mlops-Toolbar">
        <Button
          small
          minimal
          className={`jp-mlops-ColumnsButton${choosing ? ' jp-mod-active' : ''}`}
          aria-expanded={choosing}
          onClick={() => setChoosing(!choosing)}
          title="Choose the param, metric and tag columns"
        >
          Columns ({model.columns.length})
        </Button>
        <Button
          small
          minimal
          className="jp-mlops-CsvButton"
          disabled={rows.length === 0}
          onClick={() => exportCsv(model)}
          title={`Download the ${formatCount(rows.length)} ${plural(rows.length, 'row')} shown as CSV${
            model.hasMore ? ' (scroll down to load more rows first)' : ''
          }`}
        >
          <downloadIcon.react tag="span" elementSize="small" />
          CSV
        </Button>
        <ShowDeletedButton model={model} support={support} />
        <span className="jp-mlops-CandidatesView-count">{count}</span>
        <SelectionBar
          model={model}
          commands={props.commands}
          writeBlocked={props.writeBlocked}
          support={support}
        />
      </div>
      {choosing && (
        <ColumnChooser
          available={model.availableColumns}
          columns={model.columns}
          onApply={cols => {
            setChoosing(false);
            void model.setColumns(cols);
          }}
          onSaveDefault={
            props.onSaveDefaultColumns
              ? cols => {
                  setChoosing(false);
                  props.onSaveDefaultColumns!(cols);
                  void model.setColumns(cols);
                }
              : undefined
          }
          onClose={() => setChoosing(false)}
        />
      )}
      <ProgressBar active={model.phase === 'loading' && rows.length > 0} />
      {model.error && rows.length > 0 && (
        <ErrorBox
          compact
          title="Cannot refresh the runs"
          error={model.error}
          onRetry={() => void model.reload()}
        />
      )}
      {model.orderNote && !model.emulated && (
        <Note kind="emulated" title={model.orderNote}>
          Newest first by upload time (GitLab).
        </Note>
      )}
      {model.emulated && (
        <Note kind="emulated" title={model.emulated.reason ?? undefined}>
          {model.emulated.filter && model.emulated.order
            ? 'Filtered and sorted'
            : model.emulated.filter
              ? 'Filtered'
              : 'Sorted'}{' '}
          by the extension: the backend cannot.
        </Note>
      )}
      <DeletedRunsPanel model={model} support={support} />
      <div className="jp-mlops-CandidatesView-body">{body}</div>
    </div>
  );
}
