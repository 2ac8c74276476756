/**
 * A metric every compared run logged once (a final `auc`): a bar per run
 * with its value, never a chart of single points. Plain elements: the value
 * is the point, the bar only helps to compare.
 */
import * as React from 'react';

import { formatNumber } from '../common/format';
import { ISingleValue } from '../models/compare';
import { runColor } from './colors';

/** Bar lengths as fractions of the widest |value| (0 for a missing or non-finite one). */
export function barFractions(values: ISingleValue[]): number[] {
  const finite = values.map(v =>
    typeof v.value === 'number' && Number.isFinite(v.value)
      ? Math.abs(v.value)
      : 0
  );
  const max = Math.max(0, ...finite);
  return finite.map(v => (max > 0 ? v / max : 0));
}

/** Props of {@link MetricBars}. */
export interface IMetricBarsProps {
  metric: string;
  values: ISingleValue[];
}

/** One row per run: its name, a bar and the value. */
export function MetricBars(props: IMetricBarsProps): JSX.Element {
  const fractions = barFractions(props.values);
  return (
    <table
      className="jp-mlops-MetricBars"
      aria-label={`${props.metric}, logged once per run`}
    >
      <tbody>
        {props.values.map((v, i) => (
          <tr key={v.index} data-run-index={v.index}>
            <th scope="row" className="jp-mlops-MetricBars-run" title={v.label}>
              <span
                className="jp-mlops-RunSwatch"
                style={{ background: runColor(v.index) }}
                aria-hidden="true"
              />
              {v.label}
            </th>
            <td className="jp-mlops-MetricBars-barCell">
              <span
                className="jp-mlops-MetricBars-bar"
                style={{
                  width: `${(fractions[i] * 100).toFixed(1)}%`,
                  background: runColor(v.index)
                }}
                aria-hidden="true"
              />
            </td>
            <td
              className="jp-mlops-MetricBars-value"
              title={v.step === null ? undefined : `logged at step ${v.step}`}
            >
              {v.value === null ? '—' : formatNumber(v.value)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
