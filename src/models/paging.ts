import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { asApiError, isOutage, MlopsApiError } from '../common/errors';
import { LoadPhase } from './common';

/** What every page of a token-paged route carries. */
export interface IPageToken {
  next_page_token: string | null;
}

/** How {@link PagedListModel.loadFirstPage} gets and takes the first page. */
export interface IFirstLoad<TPage> {
  /** Fetch the first page; `current()` is false once a newer load started. */
  fetch: (current: () => boolean) => Promise<TPage | null>;
  /** Replace the rows with the page's. */
  take: (page: TPage) => void;
  /** Record a failure (default: {@link PagedListModel.error}, phase `error`). */
  fail?: (error: MlopsApiError) => void;
}

/** The largest page asked for while scrolling far (one request stays well under the backend timeout). */
export const MAX_NEXT_PAGE = 500;

/**
 * Size of the next page of a list that has `loaded` rows: as many again as
 * are loaded (at least the page size, at most {@link MAX_NEXT_PAGE}), so
 * scrolling to row 5,000 takes a dozen requests instead of a hundred.
 */
export function nextPageSize(pageSize: number, loaded: number): number {
  return Math.max(pageSize, Math.min(loaded, MAX_NEXT_PAGE));
}

/**
 * The paging lifecycle shared by the experiments list and the candidates
 * table: a first page that replaces the rows, "load more" that appends the
 * next, a generation that drops stale answers, and outages reported to the
 * owner (the banner refreshes) while the rows on screen are kept.
 */
export abstract class PagedListModel<
  TPage extends IPageToken
> implements IDisposable {
  constructor(onOutage?: () => void) {
    this._onOutage = onOutage;
  }

  /** Emitted on any change of the rows or the state. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get phase(): LoadPhase {
    return this._phase;
  }
  /** Failure of the last first-page load (the rows may still be shown). */
  get error(): MlopsApiError | null {
    return this._error;
  }
  /** Failure of the last "load more"; the rows are kept. */
  get moreError(): MlopsApiError | null {
    return this._moreError;
  }
  get loadingMore(): boolean {
    return this._loadingMore;
  }
  get hasMore(): boolean {
    return this._nextPageToken !== null;
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Load the next page, if any; a failure keeps the rows. */
  async loadMore(): Promise<void> {
    if (this._nextPageToken === null || this._loadingMore) {
      return;
    }
    const generation = this._generation;
    this._loadingMore = true;
    this._moreError = null;
    this.emit();
    try {
      const page = await this.fetchPage(this._nextPageToken);
      if (generation === this._generation && !this._isDisposed) {
        this._nextPageToken = page.next_page_token;
        this.appendPage(page);
      }
    } catch (error) {
      if (generation === this._generation) {
        this._moreError = this.record(error);
      }
    }
    this._loadingMore = false;
    this.emit();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  /** Fetch the page after `pageToken`. */
  protected abstract fetchPage(pageToken: string): Promise<TPage>;

  /** Add a next page's rows. */
  protected abstract appendPage(page: TPage): void;

  /** Start a new generation and load the first page; true when it was taken. */
  protected async loadFirstPage(load: IFirstLoad<TPage>): Promise<boolean> {
    const generation = ++this._generation;
    const current = () => generation === this._generation && !this._isDisposed;
    this._phase = 'loading';
    this._error = null;
    this._moreError = null;
    this._loadingMore = false;
    this.emit();
    try {
      const page = await load.fetch(current);
      if (!page || !current()) {
        return false;
      }
      this._nextPageToken = page.next_page_token;
      load.take(page);
      this._phase = 'ready';
      this.emit();
      return true;
    } catch (error) {
      if (!current()) {
        return false;
      }
      const apiError = this.record(error);
      if (load.fail) {
        load.fail(apiError);
      } else {
        this._error = apiError;
        this._phase = 'error';
      }
      this.emit();
      return false;
    }
  }

  /** The current generation (a newer first load makes older answers stale). */
  protected get generation(): number {
    return this._generation;
  }

  /** As a {@link MlopsApiError}; an outage is reported to the owner. */
  protected record(error: unknown): MlopsApiError {
    const apiError = asApiError(error);
    if (isOutage(apiError)) {
      this._onOutage?.();
    }
    return apiError;
  }

  protected emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  protected _error: MlopsApiError | null = null;
  protected _phase: LoadPhase = 'idle';
  private _changed = new Signal<this, void>(this);
  private _generation = 0;
  private _isDisposed = false;
  private _loadingMore = false;
  private _moreError: MlopsApiError | null = null;
  private _nextPageToken: string | null = null;
  private _onOutage?: () => void;
}
