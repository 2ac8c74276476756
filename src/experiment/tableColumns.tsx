import * as React from 'react';

import { IRunRow } from '../api/types';
import { cellValue, formatMetric, parseColumn } from '../models/columns';
import { ISort } from '../models/rows';
import { formatDuration, formatTime, runDuration } from '../common/format';
import { StatusBadge } from '../common/StatusBadge';

/** One column of the candidates table. */
export interface ITableColumn {
  /** Unique id: an attribute name or a data column (`metrics.loss`). */
  id: string;
  label: string;
  /** Tooltip of the header. */
  title: string;
  width: number;
  /** The `order_by` column, or null when the server cannot sort by it. */
  sortKey: string | null;
  /** Direction of the first click on the header. */
  firstDesc: boolean;
  numeric: boolean;
  /** `param`, `metric` or `tag` for data columns (shown under the label). */
  kind?: string;
  /** Stays in view when the table scrolls sideways. */
  sticky?: boolean;
  render: (row: IRunRow) => React.ReactNode;
  /** Text for the cell's tooltip. */
  text: (row: IRunRow) => string;
}

/** Width of the checkbox column (CSS px). */
export const SELECT_WIDTH = 30;

/** Name and status lead; the data columns follow. */
const LEADING: ITableColumn[] = [
  {
    id: 'run_name',
    label: 'Name',
    title: 'Run name (sort by name)',
    width: 136,
    sortKey: 'attributes.run_name',
    firstDesc: false,
    numeric: false,
    sticky: true,
    render: row => row.run_name || row.run_id.slice(0, 8),
    text: row => `${row.run_name ?? ''}\n${row.run_id}`.trim()
  },
  {
    id: 'status',
    label: 'Status',
    title: 'Run status',
    width: 86,
    sortKey: 'attributes.status',
    firstDesc: false,
    numeric: false,
    render: row => <StatusBadge status={row.status} compact />,
    text: row => row.status
  }
];

/** Times and user come after the data columns. */
const TRAILING: ITableColumn[] = [
  {
    id: 'start_time',
    label: 'Created',
    title: 'Start time',
    width: 150,
    sortKey: 'attributes.start_time',
    firstDesc: true,
    numeric: false,
    render: row => formatTime(row.start_time),
    text: row => formatTime(row.start_time)
  },
  {
    id: 'duration',
    label: 'Duration',
    title: 'End time − start time',
    width: 96,
    sortKey: null,
    firstDesc: true,
    numeric: true,
    render: row => formatDuration(runDuration(row.start_time, row.end_time)),
    text: row => formatDuration(runDuration(row.start_time, row.end_time))
  },
  {
    id: 'user_id',
    label: 'User',
    title: 'Who started the run',
    width: 90,
    sortKey: 'attributes.user_id',
    firstDesc: false,
    numeric: false,
    render: row => row.user_name ?? row.user_id ?? '',
    text: row => row.user_name ?? row.user_id ?? ''
  }
];

const KIND_LABEL = { params: 'Parameter', metrics: 'Metric', tags: 'Tag' };

/** The table's columns: the attributes, then the chosen data columns. */
export function tableColumns(dataColumns: readonly string[]): ITableColumn[] {
  const data = dataColumns.map((id): ITableColumn => {
    const ref = parseColumn(id);
    const kind = ref?.kind ?? 'params';
    const key = ref?.key ?? id;
    const numeric = kind === 'metrics';
    const show = (row: IRunRow): string => {
      const value = cellValue(row, id);
      return numeric
        ? formatMetric(value as Parameters<typeof formatMetric>[0])
        : value === undefined
          ? ''
          : String(value);
    };
    return {
      id,
      label: key,
      title: `${KIND_LABEL[kind]} ${key}`,
      width: numeric ? 96 : 104,
      sortKey: id,
      firstDesc: numeric,
      numeric,
      kind: KIND_LABEL[kind].toLowerCase(),
      render: show,
      text: row => {
        const value = cellValue(row, id);
        return value === undefined ? '' : String(value);
      }
    };
  });
  return [...LEADING, ...data, ...TRAILING];
}

/** The sort after a click on a header. */
export function nextSort(current: ISort, column: ITableColumn): ISort | null {
  if (!column.sortKey) {
    return current;
  }
  if (current.column === column.sortKey) {
    return { column: column.sortKey, desc: !current.desc };
  }
  return { column: column.sortKey, desc: column.firstDesc };
}
