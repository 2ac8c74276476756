/** A metric against a param (or another metric): one dot per run, in SVG. */
import * as React from 'react';

import { ICompareRun } from '../api/compare';
import { runColor } from './colors';
import { IAxis } from './parallel';
import { useElementWidth } from '../common/hooks';

const HEIGHT = 300;
const PAD = { top: 12, bottom: 44, left: 88, right: 20 };

/** Props of {@link ScatterPlot}. */
export interface IScatterPlotProps {
  runs: ICompareRun[];
  xAxis: IAxis;
  yAxis: IAxis;
}

function shorten(text: string, max = 12): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The scatter plot with its axes and tick labels. */
export function ScatterPlot(props: IScatterPlotProps): JSX.Element {
  const [ref, measured] = useElementWidth<HTMLDivElement>(600);
  const width = Math.max(360, Math.min(measured, 720));
  const { xAxis, yAxis, runs } = props;
  const inner = {
    w: width - PAD.left - PAD.right,
    h: HEIGHT - PAD.top - PAD.bottom
  };
  // Keep dots off the frame: map [0, 1] into [4%, 96%].
  const sx = (p: number) => PAD.left + (0.04 + 0.92 * p) * inner.w;
  const sy = (p: number) => PAD.top + (1 - (0.04 + 0.92 * p)) * inner.h;
  return (
    <div ref={ref} className="jp-mlops-PlotScroll">
      <svg
        className="jp-mlops-Scatter"
        width={width}
        height={HEIGHT}
        role="img"
        aria-label={`${yAxis.key} against ${xAxis.key}`}
      >
        <rect
          className="jp-mlops-PlotFrame"
          x={PAD.left}
          y={PAD.top}
          width={inner.w}
          height={inner.h}
        />
        {xAxis.ticks.map((t, k) => (
          <g key={`x${k}`} className="jp-mlops-Axis">
            <line
              x1={sx(t.pos)}
              x2={sx(t.pos)}
              y1={PAD.top}
              y2={PAD.top + inner.h}
              className="jp-mlops-Grid"
            />
            <text
              className="jp-mlops-TickLabel"
              x={sx(t.pos)}
              y={PAD.top + inner.h + 14}
              textAnchor="middle"
            >
              {shorten(t.label)}
            </text>
          </g>
        ))}
        {yAxis.ticks.map((t, k) => (
          <g key={`y${k}`} className="jp-mlops-Axis">
            <line
              x1={PAD.left}
              x2={PAD.left + inner.w}
              y1={sy(t.pos)}
              y2={sy(t.pos)}
              className="jp-mlops-Grid"
            />
            <text
              className="jp-mlops-TickLabel"
              x={PAD.left - 6}
              y={sy(t.pos) + 3}
              textAnchor="end"
            >
              {shorten(t.label, 10)}
            </text>
          </g>
        ))}
        <text
          className="jp-mlops-AxisTitle"
          x={PAD.left + inner.w / 2}
          y={HEIGHT - 6}
          textAnchor="middle"
        >
          {`${xAxis.kind} ${xAxis.key}`}
        </text>
        <text
          className="jp-mlops-AxisTitle"
          transform={`translate(12 ${PAD.top + inner.h / 2}) rotate(-90)`}
          textAnchor="middle"
        >
          {`${yAxis.kind} ${yAxis.key}`}
        </text>
        {runs.map((run, i) => {
          const px = xAxis.positions[i];
          const py = yAxis.positions[i];
          if (
            px === null ||
            py === null ||
            px === undefined ||
            py === undefined
          ) {
            return null;
          }
          return (
            <circle
              key={`${run.backend}:${run.run_id}`}
              className="jp-mlops-ScatterDot"
              cx={sx(px)}
              cy={sy(py)}
              r={5}
              fill={runColor(i)}
            >
              <title>{run.label}</title>
            </circle>
          );
        })}
      </svg>
    </div>
  );
}
