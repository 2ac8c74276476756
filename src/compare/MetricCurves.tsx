/**
 * Metric curves: one chart per metric key, the runs overlaid (the shared
 * uPlot LineChart), with one legend of run names and colours for all charts.
 * The server has already downsampled every series (LTTB / min-max). A metric
 * every run logged once is a bar per run (MetricBars); in a chart, the runs
 * that logged it once are listed with their values under it.
 */
import * as React from 'react';

import { ICompareResult, ICompareSeries } from '../api/compare';
import { ILineSeries, LineChart, XKind } from '../common/charts/LineChart';
import { formatNumber } from '../common/format';
import {
  isSingleValueSeries,
  ISingleValue,
  singleValues
} from '../models/compare';
import { RunLabel } from './CompareTables';
import { extraRunColor } from './colors';
import { MetricBars } from './MetricBars';

const X_LABEL: Record<ICompareResult['x'], string> = {
  step: 'Step',
  time: 'Time',
  relative: 'Seconds since start'
};

const X_KIND: Record<ICompareResult['x'], XKind> = {
  step: 'step',
  time: 'time',
  relative: 'number'
};

/** uPlot legends stay readable up to this many runs; beyond, the shared legend only. */
const CHART_LEGEND_MAX = 8;

/** Every run of the compare, in run order (empty where a run lacks the metric). */
export function lineSeries(
  result: ICompareResult,
  series: ICompareSeries
): ILineSeries[] {
  return result.runs.map((run, i) => {
    const s = series.runs.find(
      r => r.backend === run.backend && r.run_id === run.run_id
    );
    return {
      label: run.run_name || run.label,
      x: s ? s.x : [],
      y: s ? s.y : [],
      color: extraRunColor(i)
    };
  });
}

/** "shipped of total" note: what the server sent against what the backend holds. */
export function samplingNote(series: ICompareSeries): string {
  const shipped = series.runs.reduce((n, r) => n + r.shipped, 0);
  const total = series.runs.reduce((n, r) => n + r.total, 0);
  const methods = Array.from(
    new Set(series.runs.filter(r => r.method !== 'none').map(r => r.method))
  );
  const latestOnly = series.runs.filter(r => r.source === 'latest').length;
  const suffix = latestOnly
    ? `; ${latestOnly} ${latestOnly === 1 ? 'run' : 'runs'}: the latest value only (no metrics/get-history on this GitLab)`
    : '';
  if (shipped >= total || methods.length === 0) {
    return `${total.toLocaleString()} points${suffix}`;
  }
  return `${shipped.toLocaleString()} of ${total.toLocaleString()} points (${methods.join(', ')})${suffix}`;
}

/** Under a chart: the runs that logged the metric once (a point, not a line). */
function OnceNote(props: { values: ISingleValue[] }): JSX.Element | null {
  if (props.values.length === 0) {
    return null;
  }
  return (
    <span className="jp-mlops-CurveNote" data-testid="logged-once">
      Logged once:{' '}
      {props.values
        .map(v => `${v.label} = ${formatNumber(v.value)}`)
        .join(', ')}
    </span>
  );
}

/** The shared legend and the grid of charts. */
export function MetricCurves(props: { result: ICompareResult }): JSX.Element {
  const { result } = props;
  const charts = React.useMemo(
    () =>
      result.series.map(s => {
        const single = isSingleValueSeries(s);
        return {
          key: s.key,
          single,
          values: singleValues(result, s, single),
          lines: lineSeries(result, s),
          note: samplingNote(s)
        };
      }),
    [result]
  );
  if (charts.length === 0) {
    return (
      <p className="jp-mlops-Compare-empty">
        These runs have no metric history.
      </p>
    );
  }
  return (
    <div className="jp-mlops-CurvesArea">
      <ul className="jp-mlops-Legend" aria-label="Runs">
        {result.runs.map((run, i) => (
          <li key={`${run.backend}:${run.run_id}`}>
            <RunLabel run={run} index={i} />
          </li>
        ))}
      </ul>
      <div className="jp-mlops-Curves">
        {charts.map(c => (
          <div className="jp-mlops-CurveCard" key={c.key} data-metric={c.key}>
            <h4 className="jp-mlops-CurveTitle" title={c.key}>
              {c.key}
            </h4>
            {c.single ? (
              <>
                <MetricBars metric={c.key} values={c.values} />
                <span className="jp-mlops-CurveNote">logged once per run</span>
              </>
            ) : (
              <>
                <LineChart
                  series={c.lines}
                  xKind={X_KIND[result.x]}
                  xLabel={X_LABEL[result.x]}
                  title={`${c.key} of ${result.runs.length} runs`}
                  legend={result.runs.length <= CHART_LEGEND_MAX}
                  height={200}
                />
                <OnceNote values={c.values} />
                <span className="jp-mlops-CurveNote">{c.note}</span>
              </>
            )}
          </div>
        ))}
      </div>
      {result.series_omitted.length > 0 && (
        <p className="jp-mlops-Hint">
          Not charted (at most 12 metrics): {result.series_omitted.join(', ')}
        </p>
      )}
    </div>
  );
}
