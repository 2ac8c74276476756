/** Command arguments of the snapshot commands, read defensively. */
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import type { ISnapshotRunRef } from '../api/snapshot';

/** Backend used when a command gets a bare run id. */
export const DEFAULT_BACKEND = 'default';

/** A run from `{backend, run_id}`, `"backend:run_id"` or `"run_id"`; null when missing. */
export function toRunRef(
  value: unknown,
  defaultBackend = DEFAULT_BACKEND
): ISnapshotRunRef | null {
  if (typeof value === 'string' && value.trim()) {
    const text = value.trim();
    const cut = text.lastIndexOf(':');
    return cut > 0
      ? { backend: text.slice(0, cut), run_id: text.slice(cut + 1) }
      : { backend: defaultBackend, run_id: text };
  }
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    const runId =
      typeof v.run_id === 'string'
        ? v.run_id
        : typeof v.runId === 'string'
          ? v.runId
          : '';
    if (runId) {
      const backend =
        typeof v.backend === 'string' && v.backend ? v.backend : defaultBackend;
      return { backend, run_id: runId };
    }
  }
  return null;
}

/** The run of `{backend, run_id}` args. */
export function runArg(
  args: ReadonlyPartialJSONObject
): ISnapshotRunRef | null {
  return toRunRef(args);
}

/** `{a, b}` (objects or strings), or `{backend, run_id}` alone (then `b` is null: ask). */
export function diffArgs(args: ReadonlyPartialJSONObject): {
  a: ISnapshotRunRef | null;
  b: ISnapshotRunRef | null;
} {
  const a = toRunRef(args.a) ?? toRunRef(args);
  const b = toRunRef(args.b);
  return { a, b };
}
