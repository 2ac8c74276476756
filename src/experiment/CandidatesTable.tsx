import {
  caretDownIcon,
  caretRightIcon,
  caretUpIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { IRunRow } from '../api/types';
import { ISort } from '../models/rows';
import { RunsSelection } from '../models/selection';
import { observeSize, useSignals } from '../common/hooks';
import { ITableColumn, nextSort, SELECT_WIDTH } from './tableColumns';
import { ROW_HEIGHT, useRowKeys, useSidewaysOverflow } from './tableHooks';

export { ROW_HEIGHT } from './tableHooks';
/** Rows rendered above and below the viewport. */
const OVERSCAN = 8;

/** Props of {@link CandidatesTable}. */
export interface ICandidatesTableProps {
  rows: readonly IRunRow[];
  columns: readonly ITableColumn[];
  sort: ISort;
  selection: RunsSelection;
  onSort: (sort: ISort | null) => void;
  /** Open a run's detail; `preview`: in the reused preview tab (a single click). */
  onOpen: (row: IRunRow, preview: boolean) => void;
  /**
   * Whether a next page can be asked for now (there is one, and no page is
   * loading): a table already scrolled to its end asks as soon as it can.
   */
  canLoadMore: boolean;
  /** Called when the viewport is near the last loaded row and {@link canLoadMore}. */
  onNearEnd: () => void;
  /** Rendered after the last row (loading more, errors, end of list). */
  footer?: React.ReactNode;
}

function HeaderCell(props: {
  column: ITableColumn;
  sort: ISort;
  left?: number;
  onSort: (sort: ISort | null) => void;
}): JSX.Element {
  const { column, sort } = props;
  const active = column.sortKey !== null && sort.column === column.sortKey;
  const Icon = sort.desc ? caretDownIcon : caretUpIcon;
  const label = (
    <>
      <span className="jp-mlops-Table-label">{column.label}</span>
      {column.kind && (
        <span className="jp-mlops-Table-kind">{column.kind}</span>
      )}
    </>
  );
  return (
    <div
      role="columnheader"
      className={`jp-mlops-Table-cell jp-mlops-Table-head${
        column.numeric ? ' jp-mod-numeric' : ''
      }${column.sticky ? ' jp-mod-sticky' : ''}${active ? ' jp-mod-sorted' : ''}`}
      style={{ width: column.width, left: props.left }}
      aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : 'none'}
      data-column={column.id}
      title={column.title}
    >
      {column.sortKey ? (
        <button
          className="jp-mlops-Table-sort"
          onClick={() => props.onSort(nextSort(sort, column))}
        >
          <span className="jp-mlops-Table-labels">{label}</span>
          {active && <Icon.react tag="span" className="jp-mlops-Table-caret" />}
        </button>
      ) : (
        <span className="jp-mlops-Table-static">
          <span className="jp-mlops-Table-labels">{label}</span>
        </span>
      )}
    </div>
  );
}

/** A row re-renders only when its run, place, columns or checkbox change. */
const Row = React.memo(function Row(props: {
  row: IRunRow;
  index: number;
  columns: readonly ITableColumn[];
  selected: boolean;
  selection: RunsSelection;
  onOpen: (row: IRunRow, preview: boolean) => void;
  onMove: (index: number, key: string) => boolean;
}): JSX.Element {
  const { row, columns } = props;
  const open = (preview: boolean): void => props.onOpen(row, preview);
  return (
    <div
      role="row"
      className={`jp-mlops-Table-row${props.selected ? ' jp-mod-selected' : ''}`}
      style={{ top: props.index * ROW_HEIGHT }}
      data-run={row.run_id}
      data-index={props.index}
      aria-rowindex={props.index + 2}
      aria-selected={props.selected}
      tabIndex={0}
      // A click must not scroll the wide row into view sideways (focus does).
      onMouseDown={event => event.preventDefault()}
      onClick={() => open(true)}
      onDoubleClick={() => open(false)}
      onKeyDown={event => {
        if (event.key === 'Enter') {
          open(false);
        } else if (event.key === ' ') {
          event.preventDefault();
          props.selection.toggle(row.run_id);
        } else if (props.onMove(props.index, event.key)) {
          event.preventDefault();
        }
      }}
    >
      <div
        role="gridcell"
        className="jp-mlops-Table-cell jp-mlops-Table-select jp-mod-sticky"
        style={{ width: SELECT_WIDTH, left: 0 }}
        onClick={event => event.stopPropagation()}
      >
        <input
          type="checkbox"
          checked={props.selected}
          aria-label={`Select ${row.run_name ?? row.run_id}`}
          onChange={() => props.selection.toggle(row.run_id)}
        />
      </div>
      {columns.map(column => (
        <div
          role="gridcell"
          key={column.id}
          className={`jp-mlops-Table-cell${column.numeric ? ' jp-mod-numeric' : ''}${
            column.sticky ? ' jp-mod-sticky jp-mlops-Table-name' : ''
          }`}
          style={{
            width: column.width,
            left: column.sticky ? SELECT_WIDTH : undefined
          }}
          title={column.text(row)}
          data-column={column.id}
        >
          {column.render(row)}
        </div>
      ))}
    </div>
  );
});

/**
 * The candidates as a virtualized grid: fixed-height rows, only those in
 * view (plus a few) are in the DOM, so 10,000 rows scroll like 50. The
 * header stays on top; the checkbox and name columns stay on the left.
 */
export function CandidatesTable(props: ICandidatesTableProps): JSX.Element {
  const { rows, columns, selection } = props;
  useSignals(selection.changed);
  const scroller = React.useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = React.useState({ top: 0, height: 400 });

  React.useLayoutEffect(() => {
    const node = scroller.current;
    if (!node) {
      return;
    }
    return observeSize(node, () =>
      setViewport({ top: node.scrollTop, height: node.clientHeight || 400 })
    );
  }, []);

  const frame = React.useRef(0);
  const onScroll = (): void => {
    measureOverflow();
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => {
      const node = scroller.current;
      if (node) {
        setViewport({ top: node.scrollTop, height: node.clientHeight });
      }
    });
  };
  React.useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const { overflow, measureOverflow, scrollRight } = useSidewaysOverflow(
    scroller,
    columns
  );
  const moveFocus = useRowKeys(scroller, rows.length, setViewport);

  const first = Math.max(0, Math.floor(viewport.top / ROW_HEIGHT) - OVERSCAN);
  const visible = Math.ceil(viewport.height / ROW_HEIGHT);
  const last = Math.min(rows.length, first + visible + 2 * OVERSCAN);

  // Ask for the next page a screen ahead of the end, also when the end was
  // reached before a next page could be asked for (rows remembered from a
  // last visit are shown while the first page loads): no scroll comes then.
  React.useEffect(() => {
    if (props.canLoadMore && rows.length > 0 && last >= rows.length - visible) {
      props.onNearEnd();
    }
  }, [last, rows.length, visible, props.canLoadMore]);

  const width =
    SELECT_WIDTH + columns.reduce((sum, column) => sum + column.width, 0);
  const ids = React.useMemo(() => rows.map(r => r.run_id), [rows]);
  const checked = rows.length > 0 && ids.every(id => selection.has(id));
  const some = !checked && ids.some(id => selection.has(id));

  return (
    <div
      className="jp-mlops-TableFrame"
      data-overflow-left={overflow.left}
      data-overflow-right={overflow.right}
    >
      <div
        className="jp-mlops-Table"
        role="grid"
        aria-rowcount={rows.length + 1}
        aria-colcount={columns.length + 1}
        ref={scroller}
        onScroll={onScroll}
      >
        <div className="jp-mlops-Table-header" role="row" style={{ width }}>
          <div
            role="columnheader"
            className="jp-mlops-Table-cell jp-mlops-Table-head jp-mlops-Table-select jp-mod-sticky"
            style={{ width: SELECT_WIDTH, left: 0 }}
          >
            <input
              type="checkbox"
              checked={checked}
              ref={el => {
                if (el) {
                  el.indeterminate = some;
                }
              }}
              aria-label="Select all loaded runs"
              title="Select all loaded runs"
              onChange={() => selection.toggleAll(ids)}
            />
          </div>
          {columns.map(column => (
            <HeaderCell
              key={column.id}
              column={column}
              sort={props.sort}
              left={column.sticky ? SELECT_WIDTH : undefined}
              onSort={props.onSort}
            />
          ))}
        </div>
        <div
          className="jp-mlops-Table-body"
          role="rowgroup"
          style={{ height: rows.length * ROW_HEIGHT, width }}
        >
          {rows.slice(first, last).map((row, i) => (
            <Row
              key={row.run_id}
              row={row}
              index={first + i}
              columns={columns}
              selected={selection.has(row.run_id)}
              selection={selection}
              onOpen={props.onOpen}
              onMove={moveFocus}
            />
          ))}
        </div>
        {props.footer && (
          <div className="jp-mlops-Table-footer">{props.footer}</div>
        )}
      </div>
      {overflow.right && (
        <button
          className="jp-mlops-Table-cue"
          style={{ right: overflow.scrollbar }}
          title="More columns: scroll right (Shift+wheel or this button)"
          aria-label="Scroll right to more columns"
          onClick={scrollRight}
        >
          <caretRightIcon.react tag="span" elementSize="normal" />
        </button>
      )}
    </div>
  );
}
