/** Choosing the other run of a diff: pure helpers of the run picker. */
import type { ISnapshotRunRef } from '../api/snapshot';
import type { IRunRow } from '../api/types';

/** A run offered in the dialog. */
export interface IRunChoice {
  label: string;
  ref: ISnapshotRunRef;
  start_time: number | null;
}

/** Labels "name · 1a2b3c4d · date" for the runs, the current one left out. */
export function runChoices(
  backend: string,
  rows: IRunRow[],
  exclude: string
): IRunChoice[] {
  return rows
    .filter(row => row.run_id !== exclude)
    .map(row => {
      const when = row.start_time
        ? new Date(row.start_time).toLocaleString()
        : '';
      const label = [row.run_name || '(unnamed)', row.run_id.slice(0, 8), when]
        .filter(Boolean)
        .join(' · ');
      return {
        label,
        ref: { backend, run_id: row.run_id },
        start_time: row.start_time
      };
    });
}

/**
 * The run for the dialog's answer: one of the choices, else a typed
 * `<backend>:<run_id>` or `<run_id>` (of `defaultBackend`); null when empty.
 */
export function parseRunChoice(
  text: string,
  choices: IRunChoice[],
  defaultBackend: string
): ISnapshotRunRef | null {
  const value = text.trim();
  if (!value) {
    return null;
  }
  const chosen = choices.find(c => c.label === value);
  if (chosen) {
    return chosen.ref;
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
