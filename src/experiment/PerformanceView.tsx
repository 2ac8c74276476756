import { refreshIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  IPerformancePoint,
  PerformanceAxis,
  PerformanceModel
} from '../models/performance';
import { ILineSeries, LineChart } from '../common/charts/LineChart';
import { ErrorBox, Loading, ProgressBar } from '../common/Feedback';
import { formatMetric } from '../models/columns';
import { formatCount, formatTime, plural } from '../common/format';
import { useSignals } from '../common/hooks';

/** Most metrics charted at once. */
export const MAX_CHARTED_METRICS = 6;

const AXES: { id: PerformanceAxis; label: string; title: string }[] = [
  { id: 'time', label: 'Over time', title: 'x: the run’s start time' },
  {
    id: 'candidates',
    label: 'Over candidates',
    title: 'x: the candidates in the order they started'
  }
];

/** One metric's chart data: x per the axis, a run per point (for the legend). */
function chartOf(
  points: readonly IPerformancePoint[],
  metric: string,
  axis: PerformanceAxis
): { series: ILineSeries[]; label: (x: number) => string } {
  const timed =
    axis === 'time' ? points.filter(p => p.run.start_time !== null) : points;
  const x = timed.map((p, i) =>
    axis === 'time' ? (p.run.start_time as number) : i + 1
  );
  const names = new Map<number, string>();
  timed.forEach((p, i) => {
    const name = p.run.run_name || p.run.run_id.slice(0, 8);
    const when = formatTime(p.run.start_time);
    names.set(
      x[i],
      axis === 'time' ? `${name} · ${when}` : `#${i + 1} ${name}`
    );
  });
  return {
    series: [{ label: metric, x, y: timed.map(p => p.value) }],
    label: value => names.get(value) ?? String(value)
  };
}

function MetricChart(props: {
  model: PerformanceModel;
  metric: string;
}): JSX.Element {
  const { model, metric } = props;
  const points = React.useMemo(
    () => model.points(metric),
    [model.runs, metric]
  );
  const axis = model.axis;
  const chart = React.useMemo(
    () => chartOf(points, metric, axis),
    [points, metric, axis]
  );
  const best = React.useMemo(() => {
    if (!points.length) {
      return null;
    }
    const values = points.map(p => p.value);
    return { min: Math.min(...values), max: Math.max(...values) };
  }, [points]);
  return (
    <section className="jp-mlops-PerformanceChart" data-metric={metric}>
      <header className="jp-mlops-PerformanceChart-header">
        <h3 className="jp-mlops-PerformanceChart-title">{metric}</h3>
        <span className="jp-mlops-PerformanceChart-meta">
          {points.length > 0 &&
            best &&
            `${formatCount(points.length)} ${plural(points.length, 'candidate')} · min ${formatMetric(
              best.min
            )} · max ${formatMetric(best.max)}`}
        </span>
      </header>
      {points.length === 0 ? (
        <div className="jp-mlops-Performance-empty" data-empty="metric">
          No candidate among the runs read has a value for “{metric}”.
        </div>
      ) : (
        <LineChart
          series={chart.series}
          xKind={axis === 'time' ? 'time' : 'number'}
          xLabel={axis === 'time' ? 'Started' : 'Candidate'}
          xFormat={chart.label}
          mode={axis === 'time' ? 'points' : 'both'}
          pointSize={points.length > 200 ? 3 : 6}
          height={220}
          title={`${metric} per candidate ${axis === 'time' ? 'over time' : 'in start order'}`}
        />
      )}
    </section>
  );
}

function MetricPicker(props: { model: PerformanceModel }): JSX.Element {
  const { model } = props;
  const chosen = new Set(model.metrics);
  const toggle = (key: string): void => {
    const next = chosen.has(key)
      ? model.metrics.filter(m => m !== key)
      : [...model.metrics, key].slice(-MAX_CHARTED_METRICS);
    void model.setMetrics(next);
  };
  return (
    <div
      className="jp-mlops-MetricPicker"
      role="group"
      aria-label="Metrics to chart"
    >
      {model.available.map(key => (
        <button
          key={key}
          className={`jp-mlops-MetricPicker-item${chosen.has(key) ? ' jp-mod-chosen' : ''}`}
          aria-pressed={chosen.has(key)}
          data-metric={key}
          title={
            chosen.has(key)
              ? `Stop charting ${key}`
              : `Chart ${key} too (up to ${MAX_CHARTED_METRICS} at once)`
          }
          onClick={() => toggle(key)}
        >
          {key}
        </button>
      ))}
    </div>
  );
}

/**
 * The Performance tab (as GitLab's experiment page): the latest value of
 * chosen metrics per candidate, over time or over candidates, one chart per
 * metric, for the newest runs.
 */
export function PerformanceView(props: {
  model: PerformanceModel;
}): JSX.Element {
  const { model } = props;
  useSignals(model.changed);
  const runs = model.runs;

  let body: React.ReactNode;
  if (model.phase === 'error' && model.error && runs.length === 0) {
    body = (
      <ErrorBox
        title="Cannot read the runs"
        error={model.error}
        onRetry={() => void model.load()}
      />
    );
  } else if (
    model.phase === 'idle' ||
    (model.phase === 'loading' && !runs.length && !model.available.length)
  ) {
    body = <Loading text="Loading the candidates’ metrics…" />;
  } else if (runs.length === 0) {
    body = (
      <div className="jp-mlops-Performance-empty" data-empty="runs">
        No runs in this experiment yet.
      </div>
    );
  } else if (model.available.length === 0) {
    body = (
      <div className="jp-mlops-Performance-empty" data-empty="metrics">
        The runs of this experiment have no metrics yet.
      </div>
    );
  } else if (model.metrics.length === 0) {
    body = (
      <div className="jp-mlops-Performance-empty" data-empty="choice">
        Choose one or more metrics above.
      </div>
    );
  } else {
    body = (
      <div className="jp-mlops-Performance-charts">
        {model.metrics.map(metric => (
          <MetricChart key={metric} model={model} metric={metric} />
        ))}
      </div>
    );
  }

  const scope = model.truncated
    ? `Latest values of the newest ${formatCount(runs.length)} runs (the experiment has more; older ones are not charted).`
    : `Latest values of ${formatCount(runs.length)} ${plural(runs.length, 'run')}.`;
  return (
    <div className="jp-mlops-Performance" data-phase={model.phase}>
      <div className="jp-mlops-Performance-toolbar">
        <span className="jp-mlops-Performance-label">Metrics</span>
        <MetricPicker model={model} />
      </div>
      <div className="jp-mlops-Performance-toolbar">
        <div
          className="jp-mlops-Segmented"
          role="radiogroup"
          aria-label="x axis"
        >
          {AXES.map(a => (
            <button
              key={a.id}
              role="radio"
              aria-checked={model.axis === a.id}
              className={`jp-mlops-Segmented-item${model.axis === a.id ? ' jp-mod-current' : ''}`}
              data-axis={a.id}
              title={a.title}
              onClick={() => model.setAxis(a.id)}
            >
              {a.label}
            </button>
          ))}
        </div>
        <span
          className="jp-mlops-Performance-scope"
          data-truncated={model.truncated}
        >
          {model.phase === 'ready' || runs.length ? scope : ''}
        </span>
        <ToolbarButtonComponent
          icon={refreshIcon}
          onClick={() => void model.load()}
          tooltip="Read the runs again"
          className="jp-mlops-Performance-refresh"
        />
      </div>
      <ProgressBar active={model.phase === 'loading' && runs.length > 0} />
      {model.error && runs.length > 0 && (
        <ErrorBox
          compact
          title="Cannot refresh the runs"
          error={model.error}
          onRetry={() => void model.load()}
        />
      )}
      {body}
    </div>
  );
}
