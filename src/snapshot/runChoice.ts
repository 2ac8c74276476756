/** Choosing the other run of a diff: pure helpers of the run picker. */
import { hasSnapshot, type ISnapshotRunRef } from '../api/snapshot';
import type { IRunRow } from '../api/types';

/** A run offered in the picker: its name first, start time and short id beside it. */
export interface IRunChoice {
  /** The run name ('(unnamed)' when it has none). */
  name: string;
  /** "12/6/2026, 11:02:00 PM · 1a2b3c4d": when it started, and the short id. */
  secondary: string;
  ref: ISnapshotRunRef;
  start_time: number | null;
}

/** The runs of `rows` that have a snapshot, the current one (`exclude`) left out. */
export function runChoices(
  backend: string,
  rows: IRunRow[],
  exclude: string
): IRunChoice[] {
  return rows
    .filter(row => row.run_id !== exclude && hasSnapshot(row.tags ?? {}))
    .map(row => {
      const when = row.start_time
        ? new Date(row.start_time).toLocaleString()
        : '';
      return {
        name: row.run_name || '(unnamed)',
        secondary: [when, row.run_id.slice(0, 8)].filter(Boolean).join(' · '),
        ref: { backend, run_id: row.run_id },
        start_time: row.start_time
      };
    });
}

/**
 * A run typed by hand: `<backend>:<run_id>` or `<run_id>` (of
 * `defaultBackend`); null when empty.
 */
export function parseRunText(
  text: string,
  defaultBackend: string
): ISnapshotRunRef | null {
  const value = text.trim();
  if (!value) {
    return null;
  }
  const cut = value.lastIndexOf(':');
  return cut > 0
    ? { backend: value.slice(0, cut), run_id: value.slice(cut + 1) }
    : { backend: defaultBackend, run_id: value };
}

/** Order two runs oldest first (the diff shows a → b). */
export function oldestFirst(
  a: ISnapshotRunRef & { start_time?: number | null },
  b: ISnapshotRunRef & { start_time?: number | null }
): [ISnapshotRunRef, ISnapshotRunRef] {
  const ta = a.start_time ?? 0;
  const tb = b.start_time ?? 0;
  const strip = (r: ISnapshotRunRef) => ({
    backend: r.backend,
    run_id: r.run_id
  });
  return tb < ta ? [strip(b), strip(a)] : [strip(a), strip(b)];
}
