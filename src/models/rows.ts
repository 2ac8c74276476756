import { IRunRow } from '../api/types';
import { orderIdentifier } from './columns';

/** Sort order of the table: a column id (`attributes.start_time`, `metrics.loss`). */
export interface ISort {
  column: string;
  desc: boolean;
}

/** The server's default order, shown when the user chose none. */
export const DEFAULT_SORT: ISort = {
  column: 'attributes.start_time',
  desc: true
};

/** `order_by` values of a sort (undefined: the server's default). */
export function orderBy(sort: ISort | null): string[] | undefined {
  return sort
    ? [`${orderIdentifier(sort.column)} ${sort.desc ? 'DESC' : 'ASC'}`]
    : undefined;
}

/** `rows` then the runs of `more` not already among them. */
export function appendRows(
  rows: readonly IRunRow[],
  more: readonly IRunRow[]
): IRunRow[] {
  const known = new Set(rows.map(r => r.run_id));
  return [...rows, ...more.filter(r => !known.has(r.run_id))];
}

/**
 * Merge a fresh first page into the loaded rows: known runs are updated in
 * place; new runs that come before the first known one go on top.
 */
export function mergeFresh(
  rows: readonly IRunRow[],
  fresh: readonly IRunRow[]
): IRunRow[] {
  const byId = new Map(fresh.map(r => [r.run_id, r]));
  const known = new Set(rows.map(r => r.run_id));
  const firstKnown = fresh.findIndex(r => known.has(r.run_id));
  const added = fresh
    .slice(0, firstKnown < 0 ? fresh.length : firstKnown)
    .filter(r => !known.has(r.run_id));
  return [...added, ...rows.map(r => byId.get(r.run_id) ?? r)];
}

/**
 * Merge the runs an incremental poll says changed into the loaded rows:
 * known runs are updated in place; the others go on top, newest first.
 */
export function mergeChanged(
  rows: readonly IRunRow[],
  changed: readonly IRunRow[]
): IRunRow[] {
  const byId = new Map(changed.map(r => [r.run_id, r]));
  const known = new Set(rows.map(r => r.run_id));
  const added = changed
    .filter(r => !known.has(r.run_id))
    .sort((a, b) => (b.start_time ?? 0) - (a.start_time ?? 0));
  return [...added, ...rows.map(r => byId.get(r.run_id) ?? r)];
}

/**
 * Whether a poll's answer tells anything new: a row not loaded yet, or one
 * that differs from the loaded one (the poll answers `>=` its cursor, so the
 * newest row comes back unchanged every time).
 */
export function anyNews<T>(
  rows: readonly T[],
  answer: readonly T[],
  id: (row: T) => string
): boolean {
  const loaded = new Map(rows.map(r => [id(r), JSON.stringify(r)]));
  return answer.some(r => loaded.get(id(r)) !== JSON.stringify(r));
}

/**
 * The cursor of the next incremental poll: the newest of these times (ms),
 * or null when there is none. The server answers what changed at or after
 * it (`>=`), so a change of the same millisecond is never lost; what comes
 * twice is merged by id.
 */
export function newestTime(
  times: Iterable<number | null | undefined>
): number | null {
  let newest: number | null = null;
  for (const t of times) {
    if (typeof t === 'number' && (newest === null || t > newest)) {
      newest = t;
    }
  }
  return newest;
}
