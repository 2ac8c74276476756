/** The parallel-coordinates and scatter sections, with their choosers. */
import { HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ICompareResult } from '../api/compare';
import { IAxis, scaleAxis } from './parallel';
import { ParallelCoords } from './ParallelCoords';
import { ScatterPlot } from './ScatterPlot';

/** A dimension id: `param:<key>` or `metric:<key>`. */
type DimId = string;

/** Every dimension of a compare result, scaled. */
export function allAxes(result: ICompareResult): Map<DimId, IAxis> {
  const axes = new Map<DimId, IAxis>();
  for (const p of result.params) {
    axes.set(`param:${p.key}`, scaleAxis(p.key, 'param', p.values));
  }
  for (const m of result.metrics) {
    axes.set(`metric:${m.key}`, scaleAxis(m.key, 'metric', m.values));
  }
  return axes;
}

/** Default dimensions: up to 5 differing params, then up to 3 metrics. */
export function defaultDims(result: ICompareResult): DimId[] {
  const params = result.params.filter(p => p.differs).slice(0, 5);
  const metrics = result.metrics.slice(0, 3);
  return [
    ...params.map(p => `param:${p.key}`),
    ...metrics.map(m => `metric:${m.key}`)
  ];
}

function DimChooser(props: {
  ids: DimId[];
  chosen: DimId[];
  onChange: (chosen: DimId[]) => void;
}): JSX.Element {
  const toggle = (id: DimId) =>
    props.onChange(
      props.chosen.includes(id)
        ? props.chosen.filter(c => c !== id)
        : props.ids.filter(i => i === id || props.chosen.includes(i))
    );
  return (
    <fieldset className="jp-mlops-DimChooser">
      <legend>Axes</legend>
      {props.ids.map(id => {
        const [kind, ...rest] = id.split(':');
        return (
          <label key={id} className="jp-mlops-Check">
            <input
              type="checkbox"
              checked={props.chosen.includes(id)}
              onChange={() => toggle(id)}
            />
            <span className="jp-mlops-DimKind">{kind}</span> {rest.join(':')}
          </label>
        );
      })}
    </fieldset>
  );
}

/** Parallel coordinates over the chosen params and metrics. */
export function ParallelSection(props: {
  result: ICompareResult;
}): JSX.Element {
  const { result } = props;
  const axes = React.useMemo(() => allAxes(result), [result]);
  const [chosen, setChosen] = React.useState<DimId[]>(() =>
    defaultDims(result)
  );
  const shown = chosen.filter(id => axes.has(id)).map(id => axes.get(id)!);
  return (
    <div className="jp-mlops-ExploreRow">
      <DimChooser
        ids={Array.from(axes.keys())}
        chosen={chosen}
        onChange={setChosen}
      />
      <ParallelCoords runs={result.runs} axes={shown} />
    </div>
  );
}

/** A metric (y) against a param or metric (x). */
export function ScatterSection(props: { result: ICompareResult }): JSX.Element {
  const { result } = props;
  const axes = React.useMemo(() => allAxes(result), [result]);
  const metricIds = result.metrics.map(m => `metric:${m.key}`);
  const xIds = Array.from(axes.keys());
  const firstParam =
    result.params.find(p => p.differs)?.key ?? result.params[0]?.key;
  const [yId, setY] = React.useState<DimId>(metricIds[0] ?? '');
  const [xId, setX] = React.useState<DimId>(
    firstParam ? `param:${firstParam}` : (xIds[0] ?? '')
  );
  if (metricIds.length === 0 || xIds.length === 0) {
    return (
      <p className="jp-mlops-Compare-empty">
        These runs have no metrics to plot.
      </p>
    );
  }
  const xAxis = axes.get(xId) ?? axes.get(xIds[0])!;
  const yAxis = axes.get(yId) ?? axes.get(metricIds[0])!;
  return (
    <div>
      <div className="jp-mlops-Controls">
        <label>
          Metric{' '}
          <HTMLSelect
            aria-label="Scatter metric"
            value={yId}
            onChange={e => setY(e.currentTarget.value)}
            options={metricIds.map(id => ({ value: id, label: id.slice(7) }))}
          />
        </label>
        <label>
          against{' '}
          <HTMLSelect
            aria-label="Scatter x axis"
            value={xId}
            onChange={e => setX(e.currentTarget.value)}
            options={xIds.map(id => ({
              value: id,
              label: id.replace(':', ' ')
            }))}
          />
        </label>
      </div>
      <ScatterPlot runs={result.runs} xAxis={xAxis} yAxis={yAxis} />
    </div>
  );
}
