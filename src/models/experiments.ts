import { ServerConnection } from '@jupyterlab/services';

import { getExperimentSummary, listExperiments } from '../api/endpoints';
import {
  IExperimentRow,
  IExperimentSummary,
  IExperimentsPage
} from '../api/types';
import { MlopsApiError } from '../common/errors';
import { PagedListModel } from './paging';
import { DEFAULT_PAGE_SIZE } from './settings';

/** Options of {@link ExperimentsModel}. */
export interface IExperimentsModelOptions {
  backend: string;
  serverSettings: ServerConnection.ISettings;
  /** Experiments per page (the server caps it at 1000). */
  pageSize?: number;
  /** Called when a call fails because the backend is down. */
  onOutage?: () => void;
  /** Delay before asking again for a count that is still going on (ms). */
  recountDelay?: number;
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
 * Experiments of one backend: a name search, pages, and the counts of the
 * rows on screen, fetched lazily (counting runs is costly on the server).
 */
export class ExperimentsModel extends PagedListModel<IExperimentsPage> {
  constructor(options: IExperimentsModelOptions) {
    super(options.onOutage);
    this.backend = options.backend;
    this._serverSettings = options.serverSettings;
    this._pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this._recountDelay = options.recountDelay ?? 2000;
  }

  /** Backend name. */
  readonly backend: string;

  get experiments(): readonly IExperimentRow[] {
    return this._experiments;
  }
  get search(): string {
    return this._search;
  }
  /** Why the server searched itself (GitLab), or null. */
  get emulatedReason(): string | null {
    return this._emulatedReason;
  }
  /** The counts of an experiment, when known. */
  summary(experimentId: string): IExperimentSummary | null {
    return this._summaries.get(experimentId)?.summary ?? null;
  }

  /** Why the counts of an experiment could not be fetched, or null. */
  summaryError(experimentId: string): MlopsApiError | null {
    return this._summaries.get(experimentId)?.error ?? null;
  }

  /** Set the name search and reload the first page. */
  setSearch(search: string): Promise<void> {
    if (search === this._search && this.phase !== 'idle') {
      return Promise.resolve();
    }
    this._search = search;
    return this.load();
  }

  /** (Re)load the first page; the current rows stay until the answer. */
  async load(): Promise<void> {
    await this.loadFirstPage({
      fetch: () =>
        listExperiments(
          this.backend,
          { search: this._search, maxResults: this._pageSize },
          this._serverSettings
        ),
      take: page => {
        this._experiments = page.experiments;
        this._emulatedReason = page.emulated?.search
          ? (page.emulated.reason ??
            'The name search is done by the extension.')
          : null;
        this._takeSummaries(page.experiments);
      }
    });
  }

  /**
   * Reload the list; the counts of the rows on screen are fetched again
   * (`recount`: the server counts again instead of using its cache).
   */
  async refresh(recount = false): Promise<void> {
    for (const [id, state] of this._summaries) {
      state.fresh = false;
      if (recount) {
        this._recount.add(id);
      }
    }
    await this.load();
  }

  /** Fetch the counts of these experiments unless known or on their way. */
  requestSummaries(experimentIds: readonly string[]): void {
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

  /** The experiment with exactly this name (case-insensitive as a fallback). */
  async findByName(name: string): Promise<IExperimentRow | null> {
    const page = await listExperiments(
      this.backend,
      { search: name, maxResults: 1000 },
      this._serverSettings
    );
    return (
      page.experiments.find(e => e.name === name) ??
      page.experiments.find(e => e.name.toLowerCase() === name.toLowerCase()) ??
      null
    );
  }

  dispose(): void {
    for (const timer of this._timers) {
      clearTimeout(timer);
    }
    this._timers.clear();
    super.dispose();
  }

  protected fetchPage(pageToken: string): Promise<IExperimentsPage> {
    return listExperiments(
      this.backend,
      { search: this._search, maxResults: this._pageSize, pageToken },
      this._serverSettings
    );
  }

  protected appendPage(page: IExperimentsPage): void {
    const known = new Set(this._experiments.map(e => e.experiment_id));
    const added = page.experiments.filter(e => !known.has(e.experiment_id));
    this._experiments = [...this._experiments, ...added];
    this._takeSummaries(added);
  }

  private _takeSummaries(rows: readonly IExperimentRow[]): void {
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

  private _pump(): void {
    while (this._active < SUMMARY_CONCURRENCY && this._queue.length) {
      const id = this._queue.shift()!;
      this._active++;
      void this._fetchSummary(id).finally(() => {
        this._active--;
        this._pump();
      });
    }
  }

  private async _fetchSummary(id: string): Promise<void> {
    const state = this._summaries.get(id)!;
    try {
      const row = await getExperimentSummary(
        this.backend,
        id,
        this._recount.delete(id),
        this._serverSettings
      );
      state.summary = row.summary;
      state.error = null;
      state.fresh = !!row.summary?.run_count_exact;
      if (!state.fresh && !this.isDisposed) {
        // Still counting on the server: ask again in a moment.
        const timer = setTimeout(() => {
          this._timers.delete(timer);
          if (!this.isDisposed) {
            this.requestSummaries([id]);
          }
        }, this._recountDelay);
        this._timers.add(timer);
      }
    } catch (error) {
      state.error = this.record(error);
      state.fresh = true; // do not hammer a failing route; refresh retries
    }
    state.pending = false;
    this.emit();
  }

  private _active = 0;
  private _emulatedReason: string | null = null;
  private _experiments: IExperimentRow[] = [];
  private _pageSize: number;
  private _queue: string[] = [];
  private _recount = new Set<string>();
  private _recountDelay: number;
  private _search = '';
  private _serverSettings: ServerConnection.ISettings;
  private _summaries = new Map<string, ISummaryState>();
  private _timers = new Set<ReturnType<typeof setTimeout>>();
}
