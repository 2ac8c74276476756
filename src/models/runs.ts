import { ServerConnection } from '@jupyterlab/services';

import {
  deleteRuns,
  IDeletedRuns,
  IRunsChanged,
  listDeletedRuns,
  restoreRuns
} from '../api/edits';
import { IListRunsOptions, listRuns } from '../api/endpoints';
import {
  IAvailableColumns,
  IRunRow,
  IRunsEmulation,
  IRunsPage
} from '../api/types';
import { mergeAvailable, NO_COLUMNS } from './columns';
import { LIVE_STATUSES } from './common';
import { LiveChanges } from './live';
import { nextPageSize, PagedListModel } from './paging';
import {
  anyNews,
  appendRows,
  ISort,
  mergeChanged,
  mergeFresh,
  newestTime,
  orderBy
} from './rows';
import { RunColumns } from './runColumns';
import { Bin } from './bin';
import { IRecentView, RecentRows, ShownView } from './recentRows';
import { ILiveRuns, RunsLive } from './runsLive';
import { RunsSelection } from './selection';
import { isInvalidInput, MlopsApiError } from '../common/errors';
import { DEFAULT_PAGE_SIZE } from './settings';

/** Options of {@link RunsModel}. */
export interface IRunsModelOptions {
  backend: string;
  experimentId: string;
  experimentName: string;
  serverSettings: ServerConnection.ISettings;
  pageSize?: number;
  /** Columns from the settings; an empty list picks a few metrics and params. */
  defaultColumns?: readonly string[];
  /** Interval (ms) of the incremental poll while the table is visible (the settings' refreshInterval). */
  pollInterval?: number;
  onOutage?: () => void;
  /** The server's change events: a change of this experiment's runs polls at once. */
  live?: LiveChanges | null;
  /** Rows of pages closed lately: shown at once when this page opens, until its first answer. */
  recent?: RecentRows | null;
}

/**
 * The candidates table of one experiment: chosen columns, sort, filter,
 * page-token paging, selection, and an incremental poll while visible (only
 * the runs that changed are fetched and merged; a change event from a
 * kernel polls at once). Failures never drop the rows already loaded.
 * A view asked for again (the page opened again, a sort or filter used
 * before) shows the rows it had at once, with the progress bar, until the
 * answer replaces them.
 */
export class RunsModel extends PagedListModel<IRunsPage> {
  constructor(options: IRunsModelOptions) {
    super(options.onOutage);
    this.backend = options.backend;
    this.experimentId = options.experimentId;
    this.experimentName = options.experimentName;
    this._serverSettings = options.serverSettings;
    this._pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this._columns = new RunColumns(options.defaultColumns ?? []);
    this.selection = new RunsSelection(this.backend);
    this.bin = new Bin(() =>
      listDeletedRuns(this.backend, this.experimentId, this._serverSettings)
    );
    this._live = new RunsLive(this._liveRuns(), {
      interval: options.pollInterval ?? 10000,
      live: options.live ?? null
    });
    this._shown = new ShownView(options.recent ?? null);
  }

  readonly backend: string;
  readonly experimentId: string;
  readonly experimentName: string;
  /** Checked runs (kept across reloads). */
  readonly selection: RunsSelection;
  /** Delete and restore, the deleted runs. */
  readonly bin: Bin<IDeletedRuns>;

  /** Delete runs: their rows go at once. Throws the server's error. */
  async deleteRuns(runIds: readonly string[]): Promise<IRunsChanged> {
    const done = await deleteRuns(
      this.backend,
      this.experimentId,
      runIds,
      this._serverSettings
    );
    this._shown.forget(this.backend, this.experimentId);
    this.bin.refresh();
    this._dropRows(done.runs.map(r => r.run_id));
    return done;
  }

  /** Restore deleted runs, then reload the rows. Throws the server's error. */
  async restoreRuns(runIds: readonly string[]): Promise<IRunsChanged> {
    const done = await restoreRuns(
      this.backend,
      this.experimentId,
      runIds,
      this._serverSettings
    );
    this._shown.forget(this.backend, this.experimentId);
    this.bin.refresh();
    void this.reload();
    return done;
  }

  get rows(): readonly IRunRow[] {
    return this._rows;
  }
  /** The filter of the rows shown. */
  get filter(): string {
    return this._filter;
  }
  /** MLflow's message for a rejected filter, or null. */
  get filterError(): MlopsApiError | null {
    return this._filterError;
  }
  get sort(): ISort | null {
    return this._sort;
  }
  get columns(): readonly string[] {
    return this._columns.shown;
  }
  get availableColumns(): IAvailableColumns {
    return this._available;
  }
  /** What the server did itself because the backend cannot (GitLab). */
  get emulated(): IRunsEmulation | null {
    return this._emulated;
  }
  /** GitLab: its "newest first" is the upload order (see `IRunsPage.order_note`). */
  get orderNote(): string | null {
    return this._orderNote;
  }
  /** Matching runs, when the server knows (emulated paging). */
  get total(): number | null {
    return this._total;
  }
  /** Whether a loaded run can still change. */
  get hasLive(): boolean {
    return this._rows.some(r => LIVE_STATUSES.has(r.status));
  }
  /** Whether the table is shown (it polls only then; shown again, at once). */
  get isVisible(): boolean {
    return this._live.isVisible;
  }
  set isVisible(value: boolean) {
    this._live.isVisible = value;
  }

  /** Something may have changed where no event tells (a cell finished): poll soon. */
  wake(): void {
    this._live.wake();
  }

  /** Interval (ms) of the incremental poll (the settings' refreshInterval). */
  set pollInterval(interval: number) {
    this._live.interval = interval;
  }

  /** (Re)load the first page with the current columns, sort and filter. */
  async reload(): Promise<void> {
    await this._loadFirst(this._filter);
  }

  /** Apply a filter; a 400 keeps the rows and sets {@link filterError}. */
  async applyFilter(filter: string): Promise<boolean> {
    return this._loadFirst(filter.trim());
  }

  /** Sort by a column: same column flips the direction, `null` resets. */
  async setSort(sort: ISort | null): Promise<void> {
    this._sort = sort;
    await this._loadFirst(this._filter);
  }

  /** Show these columns (reloads: values come with the rows). */
  async setColumns(columns: readonly string[]): Promise<void> {
    this._columns.choose(columns);
    await this._loadFirst(this._filter);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._remember();
    this._live.dispose();
    this.selection.dispose();
    this.bin.dispose();
    super.dispose();
  }

  protected fetchPage(pageToken: string): Promise<IRunsPage> {
    const size = nextPageSize(this._pageSize, this._rows.length);
    return this._fetch(this._filter, pageToken, undefined, size);
  }

  protected appendPage(page: IRunsPage): void {
    this._rows = appendRows(this._rows, page.runs);
    this._takePage(page);
  }

  private async _loadFirst(filter: string): Promise<boolean> {
    const view = this._view(filter);
    const remembered = this._shown.recall(view);
    if (remembered) {
      this._showPage(remembered);
    }
    const taken = await this.loadFirstPage({
      fetch: async current => {
        const page = await this._fetch(filter, null);
        if (!current()) {
          return null;
        }
        this._columns.settle(
          mergeAvailable(NO_COLUMNS, page.available_columns),
          page.columns
        );
        return page;
      },
      take: page => {
        this._rows = page.runs;
        this._filter = filter;
        this._filterError = null;
        this._takePage(page);
        this._shown.confirm(view, page);
      },
      fail: error => {
        if (this._shown.reject(view)) {
          this._rows = [];
        }
        if (isInvalidInput(error) && filter !== this._filter) {
          this._filterError = error;
        } else {
          this._error = error;
        }
        this._phase =
          this._rows.length || this._filterError ? 'ready' : 'error';
      }
    });
    if (taken) {
      this._live.loaded();
    }
    return taken;
  }

  private _fetch(
    filter: string,
    pageToken: string | null,
    since?: number,
    maxResults = this._pageSize
  ): Promise<IRunsPage> {
    const options: IListRunsOptions = {
      columns: this._columns.shown,
      filter,
      orderBy: orderBy(this._sort),
      maxResults,
      pageToken,
      since,
      autoColumns: !this._columns.settled && !pageToken
    };
    return listRuns(
      this.backend,
      this.experimentId,
      options,
      this._serverSettings
    );
  }

  /** What a first page of `filter` is asked for, with the current sort and columns. */
  private _view(filter: string): IRecentView {
    return {
      backend: this.backend,
      experimentId: this.experimentId,
      defaultColumns: this._columns.defaults,
      filter,
      sort: this._sort,
      columns: this._columns.chosen
    };
  }

  /** Rows remembered for the view asked for, shown while its request runs. */
  private _showPage(page: IRunsPage): void {
    this._columns.settle(
      mergeAvailable(NO_COLUMNS, page.available_columns),
      page.columns
    );
    this._rows = page.runs;
    this._takePage(page);
  }

  /** On close: the first rows as last shown (live changes merged), for the next visit. */
  private _remember(): void {
    if (this.phase !== 'ready' || !this._rows.length) {
      return;
    }
    this._shown.keep(this._view(this._filter), () => ({
      experiment_id: this.experimentId,
      runs: this._rows.slice(0, this._pageSize),
      columns: [...this._columns.shown],
      available_columns: this._available,
      next_page_token: null,
      total: this._total,
      emulated: this._emulated ?? { filter: false, order: false, reason: null },
      order_note: this._orderNote
    }));
  }

  private _takePage(page: IRunsPage): void {
    this._available = mergeAvailable(this._available, page.available_columns);
    this._orderNote = page.order_note ?? null;
    this._emulated =
      page.emulated && (page.emulated.filter || page.emulated.order)
        ? page.emulated
        : null;
    this._total = page.total ?? null;
  }

  /**
   * Poll: only the runs that started or ended since the newest time loaded
   * (or are live), merged into the rows; with no rows, the first page.
   */
  private async _pollChanged(): Promise<boolean> {
    if (this.phase !== 'ready') {
      return true; // a first load is on its way (or failed: the user reloads)
    }
    const generation = this.generation;
    const since = newestTime([
      ...this._rows.map(r => r.start_time),
      ...this._rows.map(r => r.end_time)
    ]);
    let page: IRunsPage;
    try {
      page = await this._fetch(this._filter, null, since ?? undefined);
    } catch (error) {
      this._error = this.record(error);
      this.emit();
      throw error;
    }
    if (generation !== this.generation || this.isDisposed) {
      return true;
    }
    const news = anyNews(this._rows, page.runs, r => r.run_id);
    this._error = null;
    this._rows =
      since === null
        ? mergeFresh(this._rows, page.runs)
        : mergeChanged(this._rows, page.runs);
    this._available = mergeAvailable(this._available, page.available_columns);
    this.emit();
    if (this._columns.settle(this._available, page.columns)) {
      // The first params and metrics arrived live: the rows loaded before need the chosen columns' values.
      await this._loadFirst(this._filter);
    }
    return news;
  }

  /** This table as {@link RunsLive} keeps it live. */
  private _liveRuns(): ILiveRuns {
    return {
      backend: this.backend,
      experimentId: this.experimentId,
      isReady: () => this.phase === 'ready' && !this.isDisposed,
      pollChanged: () => this._pollChanged(),
      dropRows: ids => this._dropRows(ids),
      renameRow: (id, name) => {
        this._rows = this._rows.map(r =>
          r.run_id === id ? { ...r, run_name: name ?? r.run_name } : r
        );
        this.emit();
      },
      reload: () => this.reload(),
      refreshBin: () => this.bin.refresh()
    };
  }

  /** Rows of deleted runs go (and leave the selection). */
  private _dropRows(runIds: readonly string[]): void {
    const gone = new Set(runIds);
    if (!this._rows.some(r => gone.has(r.run_id))) {
      return;
    }
    this._rows = this._rows.filter(r => !gone.has(r.run_id));
    runIds.forEach(id => this.selection.toggle(id, false));
    this.emit();
  }

  private _available: IAvailableColumns = NO_COLUMNS;
  private _columns: RunColumns;
  private _emulated: IRunsEmulation | null = null;
  private _orderNote: string | null = null;
  private _filter = '';
  private _filterError: MlopsApiError | null = null;
  private _live: RunsLive;
  private _pageSize: number;
  private _shown: ShownView;
  private _rows: IRunRow[] = [];
  private _serverSettings: ServerConnection.ISettings;
  private _sort: ISort | null = null;
  private _total: number | null = null;
}
