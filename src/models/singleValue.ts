/**
 * A metric logged once (a final `auc`) is a value, not a curve: the run
 * detail shows it as a number and compare as a bar per run. One predicate
 * for both.
 */

/** A history, as the detail and compare answers carry it. */
export interface IHistoryShape {
  /** Points the backend holds. */
  total: number;
  /** Points shipped (an array of rows or of x values). */
  points: ArrayLike<unknown>;
}

/** Whether a history is a single value (nothing to draw a line through). */
export function isSingleValue(history: IHistoryShape | null): boolean {
  return !!history && history.total <= 1 && history.points.length <= 1;
}
