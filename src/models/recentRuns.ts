import { IMetricHistory, IRunDetail, MetricAxis } from '../api/types';
import { Recent } from './recent';

/** Series remembered: a run page's charts, about 20 per run. */
export const RECENT_MAX_SERIES = 160;

/**
 * The run pages seen lately, the run and its charts' series, so that a page
 * opened again paints them at once while they are asked again, and the
 * answers replace them (stale-while-revalidate, as {@link RecentRows}). One
 * per application; a run's entries are forgotten together.
 */
export class RecentRuns {
  constructor(now: () => number = Date.now) {
    this._runs = new Recent<IRunDetail>(now);
    this._series = new Recent<IMetricHistory>(now, RECENT_MAX_SERIES);
  }

  /** The run as last shown, or null (none, or too old). */
  run(backend: string, runId: string): IRunDetail | null {
    return this._runs.get(runScope(backend, runId));
  }

  setRun(backend: string, runId: string, detail: IRunDetail): void {
    this._runs.set(runScope(backend, runId), detail);
  }

  /** A chart's series as last shown for that size and axis, or null. */
  series(
    backend: string,
    runId: string,
    shape: ISeriesShape
  ): IMetricHistory | null {
    return this._series.get(seriesKey(backend, runId, shape));
  }

  setSeries(
    backend: string,
    runId: string,
    shape: ISeriesShape,
    history: IMetricHistory
  ): void {
    this._series.set(
      seriesKey(backend, runId, shape),
      history,
      runScope(backend, runId)
    );
  }

  /** Forget one series (it could not be loaded again). */
  deleteSeries(backend: string, runId: string, shape: ISeriesShape): void {
    this._series.delete(seriesKey(backend, runId, shape));
  }

  /** Forget a run and its series (it is gone, or its load failed). */
  forget(backend: string, runId: string): void {
    this._runs.delete(runScope(backend, runId));
    this._series.forget(runScope(backend, runId));
  }

  private _runs: Recent<IRunDetail>;
  private _series: Recent<IMetricHistory>;
}

/** What a chart asks for: a metric, points for its width, an x axis. */
export interface ISeriesShape {
  key: string;
  maxPoints: number;
  x: MetricAxis;
}

function runScope(backend: string, runId: string): string {
  return JSON.stringify([backend, runId]);
}

function seriesKey(
  backend: string,
  runId: string,
  shape: ISeriesShape
): string {
  return JSON.stringify([backend, runId, shape.key, shape.maxPoints, shape.x]);
}
