import { ServerConnection } from '@jupyterlab/services';

import { getMetricHistory } from '../api/endpoints';
import { IMetricHistory, MetricAxis } from '../api/types';
import { MlopsApiError, asApiError } from '../common/errors';
import { ISeriesShape, RecentRuns } from './recentRuns';

/** Options of {@link RunHistories}. */
export interface IRunHistoriesOptions {
  backend: string;
  runId: string;
  serverSettings: ServerConnection.ISettings;
  /** Called when a series, its error or its loading state changes. */
  changed: () => void;
  /** Series shown lately: painted at once while asked again. */
  recent?: RecentRuns | null;
}

/** A chart's series as last asked for. */
interface IHistoryState extends ISeriesShape {
  history: IMetricHistory | null;
  error: MlopsApiError | null;
  pending: boolean;
}

/** Points a chart may ask for. */
const MIN_POINTS = 2;
const MAX_POINTS = 10000;

/**
 * The metric series a run page's charts show, one per metric, each asked for
 * the chart's width and x axis. A series shown lately is painted at once while
 * it is asked again; an answer that fails shows its error, not the remembered
 * series.
 */
export class RunHistories {
  constructor(options: IRunHistoriesOptions) {
    this._backend = options.backend;
    this._runId = options.runId;
    this._serverSettings = options.serverSettings;
    this._changed = options.changed;
    this._recent = options.recent ?? null;
  }

  /** The last series of a metric, or null. */
  history(key: string): IMetricHistory | null {
    return this._states.get(key)?.history ?? null;
  }

  error(key: string): MlopsApiError | null {
    return this._states.get(key)?.error ?? null;
  }

  /**
   * Fetch a metric's series for a chart `maxPoints` wide, unless it is
   * already loaded with the same shape (or on its way).
   */
  async request(key: string, maxPoints: number, x: MetricAxis): Promise<void> {
    maxPoints = Math.max(
      MIN_POINTS,
      Math.min(MAX_POINTS, Math.round(maxPoints))
    );
    const state = this._states.get(key);
    if (
      state &&
      (state.pending || state.history || state.error) &&
      state.maxPoints === maxPoints &&
      state.x === x
    ) {
      return;
    }
    await this._fetch({ key, maxPoints, x });
  }

  /** Fetch every series asked for again (the run logged more). */
  async refresh(): Promise<void> {
    await Promise.all(
      Array.from(this._states.values()).map(({ key, maxPoints, x }) =>
        this._fetch({ key, maxPoints, x })
      )
    );
  }

  private async _fetch(shape: ISeriesShape): Promise<void> {
    const previous = this._states.get(shape.key);
    const sameShape =
      previous?.maxPoints === shape.maxPoints && previous?.x === shape.x;
    const remembered = sameShape
      ? null
      : (this._recent?.series(this._backend, this._runId, shape) ?? null);
    const state: IHistoryState = {
      ...shape,
      history: remembered ?? previous?.history ?? null,
      error: null,
      pending: true
    };
    this._states.set(shape.key, state);
    if (remembered) {
      this._changed();
    }
    try {
      const history = await getMetricHistory(
        this._backend,
        this._runId,
        shape.key,
        { maxPoints: shape.maxPoints, x: shape.x },
        this._serverSettings
      );
      state.history = history;
      this._recent?.setSeries(this._backend, this._runId, shape, history);
    } catch (error) {
      state.error = asApiError(error);
      if (remembered) {
        state.history = null;
        this._recent?.deleteSeries(this._backend, this._runId, shape);
      }
    }
    state.pending = false;
    this._changed();
  }

  private _backend: string;
  private _changed: () => void;
  private _recent: RecentRuns | null;
  private _runId: string;
  private _serverSettings: ServerConnection.ISettings;
  private _states = new Map<string, IHistoryState>();
}
