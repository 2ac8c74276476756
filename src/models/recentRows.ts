import { IRunsPage } from '../api/types';
import { Recent } from './recent';
import { ISort } from './rows';

export { RECENT_MAX_AGE, RECENT_MAX_ENTRIES } from './recent';

/** One view of an experiment's candidates: what its first page was asked for. */
export interface IRecentView {
  backend: string;
  experimentId: string;
  /** The settings' columns the page started with. */
  defaultColumns: readonly string[];
  filter: string;
  sort: ISort | null;
  /** Columns the user chose; null while they are the ones picked for the page. */
  columns: readonly string[] | null;
}

/** The identity of a view. */
export function recentKey(view: IRecentView): string {
  return JSON.stringify([
    view.backend,
    view.experimentId,
    view.defaultColumns,
    view.filter,
    view.sort,
    view.columns
  ]);
}

function scopeOf(backend: string, experimentId: string): string {
  return JSON.stringify([backend, experimentId]);
}

/**
 * The first rows of the views of experiment pages seen lately, so that a view
 * asked for again (a page opened again, a sort or filter used before) paints
 * them at once while its request runs, and the answer replaces them
 * (stale-while-revalidate). One per application; bounded, oldest dropped
 * first; never shown past {@link RECENT_MAX_AGE}; an experiment's views are
 * forgotten when its runs change.
 */
export class RecentRows {
  constructor(now: () => number = Date.now) {
    this._pages = new Recent<IRunsPage>(now);
  }

  /** The page remembered for `view`, or null (none, or too old). */
  get(view: IRecentView): IRunsPage | null {
    return this._pages.get(recentKey(view));
  }

  /** Remember `page` (its rows as last shown) for `view`. */
  set(view: IRecentView, page: IRunsPage): void {
    this._pages.set(
      recentKey(view),
      page,
      scopeOf(view.backend, view.experimentId)
    );
  }

  /** Forget `view` (it could not be loaded again). */
  delete(view: IRecentView): void {
    this._pages.delete(recentKey(view));
  }

  /** Forget every view of an experiment (its runs changed). */
  forget(backend: string, experimentId: string): void {
    this._pages.forget(scopeOf(backend, experimentId));
  }

  private _pages: Recent<IRunsPage>;
}

/**
 * Which view a candidates table shows rows of, and whether they are the rows
 * it had when last seen ({@link RecentRows}), not yet confirmed by an answer.
 */
export class ShownView {
  constructor(private readonly _recent: RecentRows | null) {}

  /** The rows shown are remembered ones, not yet confirmed. */
  get fromRecent(): boolean {
    return this._fromRecent;
  }

  /** The rows `view` had when last seen, when it is not the view shown: shown until its answer. */
  recall(view: IRecentView): IRunsPage | null {
    if (recentKey(view) === this._key) {
      return null;
    }
    const page = this._recent?.get(view);
    if (!page || !page.runs.length) {
      return null;
    }
    this._fromRecent = true;
    this._key = recentKey(view);
    return page;
  }

  /** `view` answered `page`: its rows are shown, and remembered. */
  confirm(view: IRecentView, page: IRunsPage): void {
    this._fromRecent = false;
    this._key = recentKey(view);
    this._recent?.set(view, page);
  }

  /**
   * `view`'s answer failed: whether the rows shown were remembered ones (they
   * must go: the error shows, not rows that may be gone; they are forgotten).
   */
  reject(view: IRecentView): boolean {
    if (!this._fromRecent) {
      return false;
    }
    this._fromRecent = false;
    this._key = null;
    this._recent?.delete(view);
    return true;
  }

  /** On close: remember the rows shown, when they are `view`'s confirmed rows. */
  keep(view: IRecentView, page: () => IRunsPage): void {
    // not remembered rows, nor the rows of a sort or filter that failed since
    if (this._recent && !this._fromRecent && recentKey(view) === this._key) {
      this._recent.set(view, page());
    }
  }

  /** Forget every view of an experiment (its runs changed). */
  forget(backend: string, experimentId: string): void {
    this._recent?.forget(backend, experimentId);
  }

  private _fromRecent = false;
  private _key: string | null = null;
}
