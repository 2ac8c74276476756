/**
 * Pure helpers of the compare tables: which rows show, transposition,
 * value formatting, best-value marks.
 */
import { ICompareMetric, ICompareParam, ICompareRun } from '../api/compare';

/** A cell value as the tables show it. */
export type Cell = string | number | null;

/** A table as rows of cells, with its header row. */
export interface IGrid {
  header: string[];
  rows: { key: string; cells: Cell[]; best?: number | null }[];
}

/** Whether values differ across runs (a missing value differs from a present one). */
export function differs(values: Cell[]): boolean {
  return (
    new Set(values.map(v => (v === null ? '\u0000null' : String(v)))).size > 1
  );
}

/** The params to show: all, or only those whose values differ. */
export function visibleParams(
  params: ICompareParam[],
  onlyDifferences: boolean
): ICompareParam[] {
  return onlyDifferences
    ? params.filter(p => p.differs ?? differs(p.values))
    : params;
}

/** Params as a grid: one row per param, one column per run. */
export function paramsGrid(
  runs: ICompareRun[],
  params: ICompareParam[]
): IGrid {
  return {
    header: ['Param', ...runs.map(r => r.label)],
    rows: params.map(p => ({ key: p.key, cells: p.values }))
  };
}

/** Latest metrics as a grid, each row with the index of its best run. */
export function metricsGrid(
  runs: ICompareRun[],
  metrics: ICompareMetric[]
): IGrid {
  return {
    header: ['Metric', ...runs.map(r => r.label)],
    rows: metrics.map(m => ({ key: m.key, cells: m.values, best: m.best }))
  };
}

/**
 * Swap rows and columns: one row per run, one column per key. The best marks
 * follow their cells (`bestCells[row]` = the columns that hold a best value).
 */
export function transpose(
  grid: IGrid,
  corner = 'Run'
): {
  header: string[];
  rows: { key: string; cells: Cell[]; bestColumns: number[] }[];
} {
  const runLabels = grid.header.slice(1);
  return {
    header: [corner, ...grid.rows.map(r => r.key)],
    rows: runLabels.map((label, i) => ({
      key: label,
      cells: grid.rows.map(r => r.cells[i] ?? null),
      bestColumns: grid.rows
        .map((r, j) => (r.best === i ? j : -1))
        .filter(j => j >= 0)
    }))
  };
}

/** A file name for a CSV export: `compare-<n>-runs-<yyyy-mm-dd>.csv`. */
export function csvFileName(runCount: number, now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10);
  return `compare-${runCount}-runs-${day}.csv`;
}
