import * as React from 'react';
import uPlot from 'uplot';

import { AXIS_NUMBER, formatNumber } from '../format';
import { IChartTheme, readChartTheme, useThemeVersion } from './theme';

/** One line: x and y of the same length; a null y is a gap. */
export interface ILineSeries {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number | null>;
  /** CSS colour; the theme's series colours are cycled otherwise. */
  color?: string;
}

/** What the x values are. */
export type XKind = 'step' | 'time' | 'number';

/** How a series is drawn: a line, dots only (scatter) or both. */
export type SeriesMode = 'lines' | 'points' | 'both';

/** Props of {@link LineChart}. */
export interface ILineChartProps {
  series: readonly ILineSeries[];
  /** `time`: ms since the epoch, shown as dates. Default `step`. */
  xKind?: XKind;
  xLabel?: string;
  yLabel?: string;
  /** Height of the plotting area (CSS px). Default 180. */
  height?: number;
  /** Accessible name of the chart. */
  title?: string;
  /** Show the legend (values under the cursor). Default true. */
  legend?: boolean;
  /** Logarithmic y axis (non-positive values are left out by uPlot). */
  logY?: boolean;
  /** Lines (default), points only (a scatter) or both. */
  mode?: SeriesMode;
  /** Diameter of the points (CSS px) in `points` and `both` modes. Default 6. */
  pointSize?: number;
  /** The x value under the cursor as the legend shows it (e.g. a run name). */
  xFormat?: (x: number) => string;
  className?: string;
}

/** Series that share one x array can skip uPlot.join (the common case). */
function alignedData(series: readonly ILineSeries[]): uPlot.AlignedData {
  const x = series[0].x;
  if (series.every(s => s.x === x)) {
    return [x as number[], ...series.map(s => s.y as (number | null)[])];
  }
  return uPlot.join(
    series.map(
      s => [s.x as number[], s.y as (number | null)[]] as uPlot.AlignedData
    )
  );
}

/** The data's x range with a 3% margin (a lone point gets ±1). */
function paddedRange(
  _u: uPlot,
  min: number | null,
  max: number | null
): uPlot.Range.MinMax {
  if (min === null || max === null) {
    return [min, max];
  }
  const pad = max > min ? (max - min) * 0.03 : 1;
  return [min - pad, max + pad];
}

function formatAxis(value: number | null): string {
  return formatNumber(value, AXIS_NUMBER);
}

function buildOptions(
  props: ILineChartProps,
  theme: IChartTheme,
  width: number
): uPlot.Options {
  const xKind = props.xKind ?? 'step';
  const axis = (label?: string): uPlot.Axis => ({
    stroke: theme.text,
    font: theme.font,
    labelFont: theme.font,
    label,
    labelSize: label ? 14 : 0,
    labelGap: 0,
    gap: 3,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.axis, width: 1, size: 4 }
  });
  // The legend names the x values; an x label is only worth it without one.
  const showLegend = props.legend ?? true;
  const mode = props.mode ?? 'lines';
  const xFormat = props.xFormat;
  return {
    width,
    height: props.height ?? 180,
    ms: 1,
    legend: { show: showLegend, live: true },
    cursor: { points: { size: 6 }, drag: { x: true, y: false } },
    scales: {
      // Points are drawn whole: a margin around the first and last x.
      x:
        mode === 'lines'
          ? { time: xKind === 'time' }
          : { time: xKind === 'time', range: paddedRange },
      y: props.logY ? { distr: 3 } : {}
    },
    axes: [
      {
        ...axis(showLegend ? undefined : props.xLabel),
        size: xKind === 'time' ? 40 : 26
      },
      {
        ...axis(props.yLabel),
        size: 50,
        values: (_u, v) => v.map(formatAxis)
      }
    ],
    series: [
      {
        label: props.xLabel ?? (xKind === 'time' ? 'Time' : 'Step'),
        ...(xFormat
          ? {
              value: (_u: uPlot, v: number | null) =>
                v === null ? '' : xFormat(v)
            }
          : {})
      },
      ...props.series.map((s, i) => {
        const color = s.color ?? theme.series[i % theme.series.length];
        return {
          label: s.label,
          stroke: color,
          width: 1.5,
          spanGaps: true,
          // Points only: no path between them (a scatter).
          ...(mode === 'points' ? { paths: () => null } : {}),
          points:
            mode === 'lines'
              ? { show: false }
              : {
                  show: true,
                  size: props.pointSize ?? 6,
                  stroke: color,
                  fill: color
                },
          value: (_u: uPlot, v: number | null) => formatAxis(v)
        };
      })
    ]
  };
}

/**
 * A line chart on uPlot (canvas; fast with long series): theme colours from
 * JupyterLab's CSS variables, resizes with its container, legend with the
 * values under the cursor, drag to zoom (double-click resets).
 */
export function LineChart(props: ILineChartProps): JSX.Element {
  const host = React.useRef<HTMLDivElement>(null);
  const plot = React.useRef<uPlot | null>(null);
  const themeVersion = useThemeVersion();
  const {
    series,
    xKind,
    xLabel,
    yLabel,
    height,
    legend,
    logY,
    mode,
    pointSize,
    xFormat
  } = props;
  const empty = series.length === 0 || series.every(s => s.x.length === 0);

  // (Re)create the chart when its shape or the theme changes.
  React.useEffect(() => {
    const node = host.current;
    if (!node || empty) {
      return;
    }
    const width = Math.max(node.clientWidth, 120);
    const chart = new uPlot(
      buildOptions(props, readChartTheme(node), width),
      alignedData(series),
      node
    );
    plot.current = chart;
    let observer: ResizeObserver | undefined;
    if (typeof ResizeObserver !== 'undefined') {
      observer = new ResizeObserver(() => {
        const w = node.clientWidth;
        if (w > 0 && Math.abs(w - chart.width) > 1) {
          chart.setSize({ width: w, height: chart.height });
        }
      });
      observer.observe(node);
    }
    return () => {
      observer?.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // `props` is read through the listed fields.
  }, [
    series,
    xKind,
    xLabel,
    yLabel,
    height,
    legend,
    logY,
    mode,
    pointSize,
    xFormat,
    themeVersion,
    empty
  ]);

  return (
    <div
      className={`jp-mlops-LineChart ${props.className ?? ''}`}
      role="img"
      aria-label={props.title}
      data-series={series.length}
      data-mode={mode ?? 'lines'}
    >
      {empty ? (
        <div className="jp-mlops-LineChart-empty">No data points</div>
      ) : (
        <div ref={host} className="jp-mlops-LineChart-plot" />
      )}
    </div>
  );
}
