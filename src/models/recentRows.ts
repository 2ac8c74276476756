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
