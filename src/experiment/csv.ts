import { IRunRow } from '../api/types';
import { toCsv } from '../common/csv';
import { cellValue, parseColumn } from '../models/columns';

const PREFIX = { params: 'param', metrics: 'metric', tags: 'tag' } as const;

/**
 * The candidates shown as CSV, one row per run: the attributes (as the
 * compare export names them), then the table's data columns.
 */
export function candidatesCsv(
  backend: string,
  rows: readonly IRunRow[],
  columns: readonly string[]
): string {
  const header = [
    'backend',
    'run_id',
    'run_name',
    'experiment_id',
    'status',
    'start_time',
    'end_time',
    'user',
    ...columns.map(id => {
      const ref = parseColumn(id);
      return ref ? `${PREFIX[ref.kind]}:${ref.key}` : id;
    })
  ];
  const body = rows.map(row => [
    backend,
    row.run_id,
    row.run_name,
    row.experiment_id,
    row.status,
    row.start_time,
    row.end_time,
    row.user_name ?? row.user_id,
    ...columns.map(id => cellValue(row, id))
  ]);
  return toCsv([header, ...body]);
}

/** `<experiment>-candidates-<yyyy-mm-dd>.csv`, safe as a file name. */
export function candidatesCsvName(
  experiment: string,
  now: Date = new Date()
): string {
  const safe =
    experiment.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'experiment';
  return `${safe}-candidates-${now.toISOString().slice(0, 10)}.csv`;
}
