/**
 * Parallel coordinates over chosen params and metrics, in hand-written SVG.
 * Why SVG and not a library: at most 50 lines over a few axes is tiny for
 * SVG; it takes JupyterLab's CSS variables (both themes) and renders names
 * as text; uPlot has no parallel coordinates and the libraries that do
 * (d3-parcoords & co.) are large for this.
 */
import * as React from 'react';

import { ICompareRun } from '../api/compare';
import { runColor } from './colors';
import { IAxis, polylinePath } from './parallel';
import { useElementWidth } from '../common/hooks';

const HEIGHT = 300;
const PAD = { top: 34, bottom: 24, left: 56, right: 56 };
const MIN_GAP = 110;

function shorten(text: string, max = 18): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Props of {@link ParallelCoords}. */
export interface IParallelCoordsProps {
  runs: ICompareRun[];
  axes: IAxis[];
}

/** The plot; each run is a coloured polyline through its values. */
export function ParallelCoords(props: IParallelCoordsProps): JSX.Element {
  const [ref, available] = useElementWidth<HTMLDivElement>(600);
  const [hover, setHover] = React.useState<number | null>(null);
  const { axes, runs } = props;
  if (axes.length < 2) {
    return (
      <div ref={ref} className="jp-mlops-Compare-empty">
        Choose at least two params or metrics.
      </div>
    );
  }
  const width = Math.max(
    available,
    PAD.left + PAD.right + MIN_GAP * (axes.length - 1)
  );
  const gap = (width - PAD.left - PAD.right) / (axes.length - 1);
  const x = (j: number) => PAD.left + j * gap;
  const y = (pos: number) =>
    PAD.top + (1 - pos) * (HEIGHT - PAD.top - PAD.bottom);
  return (
    <div ref={ref} className="jp-mlops-PlotScroll">
      <svg
        className="jp-mlops-Parallel"
        width={width}
        height={HEIGHT}
        role="img"
        aria-label={`Parallel coordinates of ${runs.length} runs over ${axes.map(a => a.key).join(', ')}`}
      >
        {runs.map((run, i) => {
          const points = axes.map((a, j) => {
            const p = a.positions[i];
            return p === null || p === undefined ? null : { x: x(j), y: y(p) };
          });
          const dimmed = hover !== null && hover !== i;
          return (
            <g
              key={`${run.backend}:${run.run_id}`}
              className={`jp-mlops-ParallelRun${dimmed ? ' jp-mlops-mod-dimmed' : ''}`}
              onMouseEnter={() => setHover(i)}
              onMouseLeave={() => setHover(null)}
            >
              <title>{run.label}</title>
              <path
                className="jp-mlops-ParallelLine"
                d={polylinePath(points)}
                stroke={runColor(i)}
              />
              {points.map((p, j) =>
                p ? (
                  <circle
                    key={j}
                    className="jp-mlops-ParallelDot"
                    cx={p.x}
                    cy={p.y}
                    r={3}
                    fill={runColor(i)}
                  />
                ) : null
              )}
            </g>
          );
        })}
        {/* Axes after the lines, so that their labels stay on top. */}
        {axes.map((axis, j) => (
          <g key={`${axis.kind}:${axis.key}`} className="jp-mlops-Axis">
            <line x1={x(j)} x2={x(j)} y1={y(0)} y2={y(1)} />
            <text
              className="jp-mlops-AxisTitle"
              x={x(j)}
              y={14}
              textAnchor="middle"
            >
              <title>{`${axis.kind} ${axis.key}`}</title>
              {shorten(axis.key)}
            </text>
            <text
              className="jp-mlops-AxisKind"
              x={x(j)}
              y={26}
              textAnchor="middle"
            >
              {axis.kind}
            </text>
            {axis.ticks.map((t, k) => (
              <g key={k}>
                <line x1={x(j) - 3} x2={x(j) + 3} y1={y(t.pos)} y2={y(t.pos)} />
                <text
                  className="jp-mlops-TickLabel"
                  x={x(j) - 6}
                  y={y(t.pos) + 3}
                  textAnchor="end"
                >
                  {shorten(t.label, 10)}
                </text>
              </g>
            ))}
          </g>
        ))}
      </svg>
    </div>
  );
}
