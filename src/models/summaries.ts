import { ServerConnection } from '@jupyterlab/services';

import { getExperimentSummary } from '../api/endpoints';
import { IExperimentRow, IExperimentSummary } from '../api/types';
import { MlopsApiError } from '../common/errors';

/** Options of {@link SummaryCounts}. */
export interface ISummaryCountsOptions {
  backend: string;
  serverSettings: ServerConnection.ISettings;
  /** Delay before asking again for a count that is still going on (ms). */
  recountDelay: number;
  /** As a {@link MlopsApiError} (an outage is reported by the owner). */
  record: (error: unknown) => MlopsApiError;
  /** Called when a count or its state changed. */
  changed: () => void;
}

/** What the list knows about one experiment's counts. */
interface ISummaryState {
  summary: IExperimentSummary | null;
  pending: boolean;
  /** Fetched for the current list (a refresh clears it, keeping the value). */
  fresh: boolean;
  error: MlopsApiError | null;
}

/** Summaries fetched at the same time. */
const SUMMARY_CONCURRENCY = 4;

/**
 * The run counts of the experiments list, fetched lazily (counting runs is
 * costly on the server), a few at a time, asked again while the server is
 * still counting, and counted again when the experiment's runs changed.
 */
export class SummaryCounts {
  constructor(options: ISummaryCountsOptions) {
    this._options = options;
  }

  /** The counts of an experiment, when known. */
  summary(experimentId: string): IExperimentSummary | null {
    return this._summaries.get(experimentId)?.summary ?? null;
  }

  /** Why the counts of an experiment could not be fetched, or null. */
  error(experimentId: string): MlopsApiError | null {
    return this._summaries.get(experimentId)?.error ?? null;
  }

  /** Keep the counts that came with these rows. */
  take(rows: readonly IExperimentRow[]): void {
    for (const row of rows) {
      if (row.summary) {
        this._summaries.set(row.experiment_id, {
          summary: row.summary,
          pending: false,
          fresh:
            !this._recount.has(row.experiment_id) &&
            row.summary.run_count_exact,
          error: null
        });
      }
    }
  }

  /** Fetch every count again when asked (`recount`: the server counts again). */
  staleAll(recount: boolean): void {
    for (const [id, state] of this._summaries) {
      state.fresh = false;
      if (recount) {
        this._recount.add(id);
      }
    }
  }

  /** Fetch the counts of these experiments unless known or on their way. */
  request(experimentIds: readonly string[]): void {
    for (const id of experimentIds) {
      const state = this._summaries.get(id);
      if (state && (state.pending || state.fresh)) {
        continue;
      }
      this._summaries.set(id, {
        summary: state?.summary ?? null,
        pending: true,
        fresh: false,
        error: null
      });
      this._queue.push(id);
    }
    this._pump();
  }

  /** Count an experiment's runs again (after the count on its way, if any). */
  countAgain(id: string): void {
    const state = this._summaries.get(id);
    this._recount.add(id);
    if (state?.pending) {
      this._again.add(id); // that answer may predate the change
      return;
    }
    if (state) {
      state.fresh = false;
    }
    this.request([id]);
  }

  dispose(): void {
    this._isDisposed = true;
    for (const timer of this._timers) {
      clearTimeout(timer);
    }
    this._timers.clear();
  }

  private _pump(): void {
    while (this._active < SUMMARY_CONCURRENCY && this._queue.length) {
      const id = this._queue.shift()!;
      this._active++;
      void this._fetch(id).finally(() => {
        this._active--;
        this._pump();
      });
    }
  }

  private async _fetch(id: string): Promise<void> {
    const state = this._summaries.get(id)!;
    const { backend, serverSettings, recountDelay } = this._options;
    try {
      const row = await getExperimentSummary(
        backend,
        id,
        this._recount.delete(id),
        serverSettings
      );
      state.summary = row.summary;
      state.error = null;
      state.fresh = !!row.summary?.run_count_exact;
      if (!state.fresh && !this._isDisposed) {
        // Still counting on the server: ask again in a moment.
        const timer = setTimeout(() => {
          this._timers.delete(timer);
          if (!this._isDisposed) {
            this.request([id]);
          }
        }, recountDelay);
        this._timers.add(timer);
      }
    } catch (error) {
      state.error = this._options.record(error);
      state.fresh = true; // do not hammer a failing route; refresh retries
    }
    state.pending = false;
    if (this._isDisposed) {
      return;
    }
    if (this._again.delete(id)) {
      this.countAgain(id);
    }
    this._options.changed();
  }

  private _active = 0;
  private _again = new Set<string>();
  private _isDisposed = false;
  private _options: ISummaryCountsOptions;
  private _queue: string[] = [];
  private _recount = new Set<string>();
  private _summaries = new Map<string, ISummaryState>();
  private _timers = new Set<ReturnType<typeof setTimeout>>();
}
