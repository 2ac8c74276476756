import * as React from 'react';

import { ILatestMetric, IMetricHistory, MetricAxis } from '../api/types';
import { ILineSeries, LineChart } from '../common/charts/LineChart';
import { useElementWidth } from '../common/hooks';
import { RunDetailModel } from '../models/detail';
import { isSingleValue } from '../models/singleValue';
import { formatMetric } from '../models/columns';
import { Loading } from '../common/Feedback';
import { Section } from './Section';

/** Points asked per chart: about one per pixel, in steps (fewer refetches). */
export function pointsForWidth(width: number): number {
  return Math.max(100, Math.min(2000, Math.ceil(width / 100) * 100));
}

/** Whether the element has been scrolled into view once. */
function useSeen<T extends HTMLElement>(ref: React.RefObject<T>): boolean {
  const [seen, setSeen] = React.useState(
    typeof IntersectionObserver === 'undefined'
  );
  React.useEffect(() => {
    const node = ref.current;
    if (seen || !node) {
      return;
    }
    // The panel scrolls, not the page: observe within it so that the
    // margin preloads the charts just below the fold.
    const observer = new IntersectionObserver(
      entries => {
        if (entries.some(e => e.isIntersecting)) {
          setSeen(true);
          observer.disconnect();
        }
      },
      { root: node.closest('.jp-mlops-DetailPanel'), rootMargin: '300px 0px' }
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, [ref, seen]);
  return seen;
}

function historySeries(history: IMetricHistory | null): ILineSeries[] {
  if (!history) {
    return [];
  }
  return [
    {
      label: history.key,
      x: history.points.map(p => p[0]),
      y: history.points.map(p => p[1])
    }
  ];
}

/** A metric logged once (a final `auc`): the value itself, not a chart with one point. */
export function SingleValue(props: {
  value: ILatestMetric['value'];
  step: number;
}): JSX.Element {
  return (
    <div className="jp-mlops-MetricCard-single" role="group">
      <span className="jp-mlops-MetricCard-singleValue">
        {formatMetric(props.value)}
      </span>
      <span className="jp-mlops-MetricCard-singleNote">
        logged once, at step {props.step}
      </span>
    </div>
  );
}

/** One metric: its latest value and its history as a line chart (or the value, when logged once). */
export function MetricCard(props: {
  model: RunDetailModel;
  metricKey: string;
  latest: ILatestMetric;
  axis: MetricAxis;
}): JSX.Element {
  const { model, metricKey, axis } = props;
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const seen = useSeen(ref);
  const maxPoints = pointsForWidth(width);
  React.useEffect(() => {
    if (seen && width > 0) {
      void model.requestHistory(metricKey, maxPoints, axis);
    }
  }, [model, metricKey, maxPoints, axis, seen, width]);
  const history = model.history(metricKey);
  const error = model.historyError(metricKey);
  const series = React.useMemo(() => historySeries(history), [history]);
  const shownAxis = history?.x ?? axis;
  let note = '';
  if (history && !isSingleValue(history)) {
    note = `${history.total.toLocaleString()} ${history.total === 1 ? 'point' : 'points'}`;
    if (history.downsampled) {
      note += `, ${history.points.length.toLocaleString()} shown (${history.method})`;
    }
    if (history.skipped) {
      note += `, ${history.skipped} NaN/inf left out`;
    }
    if (history.source === 'latest') {
      note +=
        ': the latest value only (this GitLab has no metrics/get-history, needed for the series)';
    }
  }
  return (
    <figure className="jp-mlops-MetricCard" data-metric={metricKey} ref={ref}>
      <figcaption className="jp-mlops-MetricCard-head">
        <span className="jp-mlops-MetricCard-name" title={metricKey}>
          {metricKey}
        </span>
        <span
          className="jp-mlops-MetricCard-value"
          title={`Latest value, step ${props.latest.step}`}
        >
          {formatMetric(props.latest.value)}
        </span>
      </figcaption>
      {error ? (
        <div className="jp-mlops-MetricCard-error" role="alert">
          {error.message}
        </div>
      ) : isSingleValue(history) ? (
        <SingleValue value={props.latest.value} step={props.latest.step} />
      ) : history ? (
        <LineChart
          series={series}
          xKind={shownAxis === 'time' ? 'time' : 'step'}
          xLabel={shownAxis === 'time' ? 'Time' : 'Step'}
          height={160}
          title={`${metricKey} by ${shownAxis}`}
        />
      ) : (
        <div className="jp-mlops-MetricCard-placeholder">
          <Loading text="Loading history…" />
        </div>
      )}
      <div className="jp-mlops-MetricCard-note">{note}</div>
    </figure>
  );
}

/** Latest metrics and one chart per metric, by step or wall-clock time. */
export function MetricsSection(props: {
  model: RunDetailModel;
  metrics: Record<string, ILatestMetric>;
}): JSX.Element {
  const [axis, setAxis] = React.useState<MetricAxis>('step');
  const keys = Object.keys(props.metrics).sort((a, b) => a.localeCompare(b));
  const tools =
    keys.length > 0 ? (
      <div className="jp-mlops-Segmented" role="group" aria-label="X axis">
        {(['step', 'time'] as MetricAxis[]).map(value => (
          <button
            key={value}
            className={axis === value ? 'jp-mod-active' : ''}
            aria-pressed={axis === value}
            onClick={() => setAxis(value)}
          >
            {value === 'step' ? 'Step' : 'Time'}
          </button>
        ))}
      </div>
    ) : undefined;
  return (
    <Section
      id="metrics"
      title="Performance metrics"
      aside={keys.length || undefined}
      tools={tools}
    >
      {keys.length === 0 ? (
        <p className="jp-mlops-Muted">No metrics logged.</p>
      ) : (
        <div className="jp-mlops-MetricGrid">
          {keys.map(key => (
            <MetricCard
              key={key}
              model={props.model}
              metricKey={key}
              latest={props.metrics[key]}
              axis={axis}
            />
          ))}
        </div>
      )}
    </Section>
  );
}
