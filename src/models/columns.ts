import { CELL_NUMBER, formatNumber } from '../common/format';
import { IAvailableColumns, IRunRow, MetricValue } from '../api/types';

/** Kind of a data column of the candidates table. */
export type ColumnKind = 'params' | 'metrics' | 'tags';

/** A column key split into its kind and MLflow key. */
export interface IColumnRef {
  kind: ColumnKind;
  key: string;
}

const KIND_ALIASES: Record<string, ColumnKind> = {
  params: 'params',
  param: 'params',
  metrics: 'metrics',
  metric: 'metrics',
  tags: 'tags',
  tag: 'tags'
};

/** `metrics.loss` → `{kind: 'metrics', key: 'loss'}`; null when not a data column. */
export function parseColumn(column: string): IColumnRef | null {
  const dot = column.indexOf('.');
  if (dot <= 0) {
    return null;
  }
  const kind = KIND_ALIASES[column.slice(0, dot)];
  let key = column.slice(dot + 1);
  if (key.length > 1 && key.startsWith('`') && key.endsWith('`')) {
    key = key.slice(1, -1);
  }
  return kind && key ? { kind, key } : null;
}

/** `{kind, key}` → `metrics.loss` (the form the server normalizes to). */
export function columnId(kind: ColumnKind, key: string): string {
  return `${kind}.${key}`;
}

/** MLflow identifier of a column for `order_by` (back-quoted when needed). */
export function orderIdentifier(column: string): string {
  const ref = parseColumn(column);
  if (!ref) {
    return column; // an attribute, e.g. `attributes.start_time`
  }
  const key = /^[A-Za-z0-9_.\-/]+$/.test(ref.key) ? ref.key : `\`${ref.key}\``;
  return `${ref.kind}.${key}`;
}

/** All column ids of an `available_columns` answer. */
export function allColumns(available: IAvailableColumns): string[] {
  return [
    ...available.metrics.map(k => columnId('metrics', k)),
    ...available.params.map(k => columnId('params', k)),
    ...available.tags.map(k => columnId('tags', k))
  ];
}

/** Whether a column is among the available ones. */
export function isAvailable(
  column: string,
  available: IAvailableColumns
): boolean {
  const ref = parseColumn(column);
  return !!ref && available[ref.kind].includes(ref.key);
}

/** Union of two `available_columns` (sorted keys). */
export function mergeAvailable(
  a: IAvailableColumns,
  b: IAvailableColumns | undefined
): IAvailableColumns {
  if (!b) {
    return a;
  }
  const merge = (x: string[], y: string[] = []): string[] =>
    Array.from(new Set([...x, ...y])).sort();
  return {
    params: merge(a.params, b.params),
    metrics: merge(a.metrics, b.metrics),
    tags: merge(a.tags, b.tags)
  };
}

/** The raw value of a data column in a row, or undefined. */
export function cellValue(
  row: IRunRow,
  column: string
): string | MetricValue | undefined {
  const ref = parseColumn(column);
  if (!ref) {
    return undefined;
  }
  return row[ref.kind]?.[ref.key];
}

/** A metric value for display: 4 significant digits, non-finite as is. */
export function formatMetric(value: MetricValue | undefined): string {
  return formatNumber(value, CELL_NUMBER);
}

/** An empty `available_columns`. */
export const NO_COLUMNS: IAvailableColumns = {
  params: [],
  metrics: [],
  tags: []
};
