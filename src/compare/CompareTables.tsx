/** Params and latest-metrics tables, normal or transposed (one row per run). */
import * as React from 'react';

import { ICompareRun } from '../api/compare';
import { runColor } from './colors';
import { Cell, IGrid, transpose } from './table';
import { formatNumber } from '../common/format';

/** A run label with its colour (as in the charts). */
export function RunLabel(props: {
  run: ICompareRun;
  index: number;
}): JSX.Element {
  return (
    <span
      className="jp-mlops-RunLabel"
      title={`${props.run.run_name || props.run.label}\nrun ID ${props.run.run_id} (backend ${props.run.backend})`}
    >
      <span
        className="jp-mlops-RunSwatch"
        style={{ background: runColor(props.index) }}
        aria-hidden="true"
      />
      {props.run.label}
    </span>
  );
}

function cellText(value: Cell, numeric: boolean): string {
  if (value === null) {
    return '—';
  }
  return numeric ? formatNumber(value) : String(value);
}

/** Props of {@link CompareTable}. */
export interface ICompareTableProps {
  grid: IGrid;
  runs: ICompareRun[];
  transposed: boolean;
  /** Metric values: formatted as numbers, best marked. */
  numeric?: boolean;
  /** Shown when there is no row. */
  empty: string;
  /** Label of the key column. */
  keyLabel: string;
  testId: string;
}

/** One compare table. Keys and values are always rendered as text. */
export function CompareTable(props: ICompareTableProps): JSX.Element {
  const { grid, runs, numeric = false } = props;
  if (grid.rows.length === 0) {
    return <p className="jp-mlops-Compare-empty">{props.empty}</p>;
  }
  const bestMark = (isBest: boolean) =>
    isBest ? (
      <span className="jp-mlops-BestMark" title="Best value" aria-label="best">
        ★
      </span>
    ) : null;

  if (props.transposed) {
    const t = transpose(grid, 'Run');
    return (
      <div className="jp-mlops-TableScroll">
        <table className="jp-mlops-CompareTable" data-testid={props.testId}>
          <thead>
            <tr>
              {t.header.map((h, j) => (
                <th key={j} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {t.rows.map((row, i) => (
              <tr key={i}>
                <th scope="row">
                  <RunLabel run={runs[i]} index={i} />
                </th>
                {row.cells.map((c, j) => {
                  const best = numeric && row.bestColumns.includes(j);
                  return (
                    <td key={j} className={best ? 'jp-mlops-mod-best' : ''}>
                      {cellText(c, numeric)}
                      {bestMark(best)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }
  return (
    <div className="jp-mlops-TableScroll">
      <table className="jp-mlops-CompareTable" data-testid={props.testId}>
        <thead>
          <tr>
            <th scope="col">{props.keyLabel}</th>
            {runs.map((r, i) => (
              <th key={i} scope="col">
                <RunLabel run={r} index={i} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.rows.map(row => (
            <tr key={row.key}>
              <th scope="row">{row.key}</th>
              {row.cells.map((c, i) => {
                const best = numeric && row.best === i;
                return (
                  <td key={i} className={best ? 'jp-mlops-mod-best' : ''}>
                    {cellText(c, numeric)}
                    {bestMark(best)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
