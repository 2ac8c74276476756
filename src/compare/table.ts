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

/** Format a metric value: up to 6 significant digits, exponent when tiny/huge. */
export function formatNumber(value: number | string | null): string {
  if (value === null || value === undefined) {
    return '—';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (Number.isInteger(value) && Math.abs(value) < 1e15) {
    return String(value);
  }
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) {
    return value.toExponential(3);
  }
  return String(Number(value.toPrecision(6)));
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

/** The run refs of a compare as a stable key (to notice a changed selection). */
export function runsKey(runs: { backend: string; run_id: string }[]): string {
  return runs.map(r => `${r.backend}:${r.run_id}`).join(',');
}
