import { ServerConnection } from '@jupyterlab/services';

import {
  deleteExperiment,
  editExperiment,
  IDeletedExperiments,
  IExperimentChanged,
  IExperimentEditRequest,
  listDeletedExperiments,
  restoreExperiment
} from '../api/edits';
import { listExperiments } from '../api/endpoints';
import {
  IExperimentRow,
  IExperimentSummary,
  IExperimentsPage
} from '../api/types';
import { MlopsApiError } from '../common/errors';
import { Bin } from './bin';
import { ChangePoll } from './changePoll';
import { IChange, LiveChanges } from './live';
import { PagedListModel } from './paging';
import { anyNews, newestTime } from './rows';
import { DEFAULT_PAGE_SIZE } from './settings';
import { SummaryCounts } from './summaries';

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
  /** Interval (ms) of the incremental poll while visible (the settings' refreshInterval). */
  pollInterval?: number;
  /** The server's change events: a change on this backend polls at once. */
  live?: LiveChanges | null;
}

/** Experiments whose run activity one poll checks (the server's cap). */
const MAX_SINCE_IDS = 100;

/**
 * Experiments of one backend: a name search, pages, and the counts of the
 * rows on screen, fetched lazily (counting runs is costly on the server).
 * While visible, an incremental poll merges the experiments that changed and
 * recounts those whose runs changed; a kernel's change event polls at once.
 */
export class ExperimentsModel extends PagedListModel<IExperimentsPage> {
  constructor(options: IExperimentsModelOptions) {
    super(options.onOutage);
    this.backend = options.backend;
    this._serverSettings = options.serverSettings;
    this._pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this._counts = new SummaryCounts({
      backend: this.backend,
      serverSettings: this._serverSettings,
      recountDelay: options.recountDelay ?? 2000,
      record: error => this.record(error),
      changed: () => this.emit()
    });
    this._poll = new ChangePoll({
      interval: options.pollInterval ?? 10000,
      factory: () => this._pollChanged(),
      name: 'jupyterlab_mlops:experiments',
      standby: () => !this._isVisible || 'when-hidden'
    });
    this._live = options.live ?? null;
    this._live?.changed.connect(this._onChange, this);
    this.bin = new Bin(() =>
      listDeletedExperiments(this.backend, this._serverSettings)
    );
  }

  /** Backend name. */
  readonly backend: string;
  /** The deleted experiments. */
  readonly bin: Bin<IDeletedExperiments>;

  /** Rename, describe or tag an experiment; its row follows. Throws the server's error. */
  async edit(
    experimentId: string,
    request: IExperimentEditRequest
  ): Promise<IExperimentRow> {
    const row = await editExperiment(
      this.backend,
      experimentId,
      request,
      this._serverSettings
    );
    this._patch(row.experiment_id, row);
    return row;
  }

  /** Delete an experiment (soft on MLflow); its row goes. Throws the server's error. */
  async remove(experimentId: string): Promise<IExperimentChanged> {
    const done = await deleteExperiment(
      this.backend,
      experimentId,
      this._serverSettings
    );
    this._drop(experimentId);
    this.bin.refresh();
    return done;
  }

  /** Restore a deleted experiment; the list reloads. Throws the server's error. */
  async restore(experimentId: string): Promise<IExperimentChanged> {
    const done = await restoreExperiment(
      this.backend,
      experimentId,
      this._serverSettings
    );
    this.bin.refresh();
    void this.load();
    return done;
  }

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
    return this._counts.summary(experimentId);
  }

  /** Why the counts of an experiment could not be fetched, or null. */
  summaryError(experimentId: string): MlopsApiError | null {
    return this._counts.error(experimentId);
  }

  /** Whether a view shows the list; the poll stands by otherwise. */
  get isVisible(): boolean {
    return this._isVisible;
  }
  set isVisible(value: boolean) {
    this._isVisible = value;
    if (value && this.phase === 'ready' && !this.isDisposed) {
      void this._poll.refresh();
    }
  }

  /** Something may have changed where no event tells (a cell finished): poll soon (see {@link ChangePoll.wake}). */
  wake(): void {
    if (this.phase === 'ready' && !this.isDisposed) {
      this._poll.wake();
    }
  }

  /** Interval (ms) of the incremental poll (the settings' refreshInterval). */
  set pollInterval(interval: number) {
    if (!this.isDisposed) {
      this._poll.interval = interval;
    }
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
    const taken = await this.loadFirstPage({
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
        this._counts.take(page.experiments);
      }
    });
    if (taken && !this.isDisposed) {
      void this._poll.start();
      if (this._pending) {
        this._pending = false;
        void this._poll.refresh();
      }
    }
  }

  /**
   * Reload the list; the counts of the rows on screen are fetched again
   * (`recount`: the server counts again instead of using its cache).
   */
  async refresh(recount = false): Promise<void> {
    this._counts.staleAll(recount);
    await this.load();
  }

  /** Fetch the counts of these experiments unless known or on their way. */
  requestSummaries(experimentIds: readonly string[]): void {
    this._counts.request(experimentIds);
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
    this._counts.dispose();
    this.bin.dispose();
    this._live?.changed.disconnect(this._onChange, this);
    this._poll.dispose();
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
    this._counts.take(added);
  }

  /**
   * Poll: experiments created or updated since the newest time the list
   * shows are merged in (new ones on top); those whose runs changed are
   * counted again.
   */
  private async _pollChanged(): Promise<boolean> {
    if (this.phase !== 'ready') {
      return true; // a first load is on its way (or failed: the status poll retries)
    }
    const generation = this.generation;
    const rows = this._experiments;
    const since = newestTime([
      ...rows.map(e => e.creation_time),
      ...rows.map(e => e.last_update_time)
    ]);
    const runsSince = newestTime(
      rows.map(e => this.summary(e.experiment_id)?.last_activity)
    );
    let page: IExperimentsPage;
    try {
      page = await listExperiments(
        this.backend,
        {
          search: this._search,
          maxResults: this._pageSize,
          since: since ?? 0,
          runsSince: runsSince ?? undefined,
          ids: rows.slice(0, MAX_SINCE_IDS).map(e => e.experiment_id)
        },
        this._serverSettings
      );
    } catch (error) {
      this.record(error);
      throw error;
    }
    if (generation !== this.generation || this.isDisposed) {
      return true;
    }
    const recount = page.recount ?? [];
    const news =
      recount.length > 0 ||
      anyNews(this._experiments, page.experiments, e => e.experiment_id);
    this._mergeChanged(page.experiments, recount);
    return news;
  }

  /** Merge a poll's answer: known rows updated, new ones on top, counts asked again. */
  private _mergeChanged(
    changed: readonly IExperimentRow[],
    recount: readonly string[]
  ): void {
    const byId = new Map(changed.map(e => [e.experiment_id, e]));
    const known = new Set(this._experiments.map(e => e.experiment_id));
    const added = changed.filter(
      e => !known.has(e.experiment_id) && e.lifecycle_stage !== 'deleted'
    );
    const again = new Set([...recount, ...added.map(e => e.experiment_id)]);
    if (!added.length && !again.size && !changed.length) {
      return;
    }
    this._experiments = [
      ...added,
      ...this._experiments.map(e => byId.get(e.experiment_id) ?? e)
    ];
    this._counts.take(changed);
    for (const id of again) {
      this._counts.countAgain(id);
    }
    this.emit();
  }

  /** A kernel changed something on this backend: poll now (when visible). */
  private _onChange(_: LiveChanges, change: IChange): void {
    if (
      change.backend !== this.backend ||
      change.change === 'updated' || // logged data: no new run, no new count
      this.isDisposed
    ) {
      return;
    }
    if (this.phase !== 'ready') {
      this._pending = true;
      return;
    }
    if (change.kind === 'experiment' && this._followEdit(change)) {
      return;
    }
    if (change.kind === 'run' && change.change === 'edited') {
      return; // a renamed or tagged run: no new run, no new count
    }
    if (
      change.kind === 'run' &&
      this._experiments.some(e => e.experiment_id === change.experiment_id)
    ) {
      this._counts.countAgain(change.experiment_id);
    }
    void this._poll.refresh();
  }

  /** An experiment edited, deleted or restored elsewhere: follow it (true when handled). */
  private _followEdit(change: IChange): boolean {
    const id = change.experiment_id;
    if (change.change === 'deleted') {
      this._drop(id);
    } else if (change.change === 'edited' && change.name) {
      this._patch(id, { name: change.name });
    } else if (change.change === 'restored') {
      void this.load();
    } else {
      return false;
    }
    this.bin.refresh();
    return true;
  }

  private _patch(experimentId: string, fields: Partial<IExperimentRow>): void {
    this._experiments = this._experiments.map(e =>
      e.experiment_id === experimentId
        ? { ...e, ...fields, summary: e.summary }
        : e
    );
    this.emit();
  }

  private _drop(experimentId: string): void {
    const rows = this._experiments.filter(
      e => e.experiment_id !== experimentId
    );
    if (rows.length !== this._experiments.length) {
      this._experiments = rows;
      this.emit();
    }
  }

  private _counts: SummaryCounts;
  private _emulatedReason: string | null = null;
  private _experiments: IExperimentRow[] = [];
  private _isVisible = false;
  private _live: LiveChanges | null;
  private _pageSize: number;
  private _pending = false;
  private _poll: ChangePoll;
  private _search = '';
  private _serverSettings: ServerConnection.ISettings;
}
