import { IRunsPage } from '../api/types';
import { ISort } from './rows';

/** How long remembered rows are shown again at once (ms). */
export const RECENT_MAX_AGE = 10 * 60_000;
/** Views remembered (each at most one page of rows). */
export const RECENT_MAX_ENTRIES = 64;

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
  constructor(private readonly _now: () => number = Date.now) {}

  /** The page remembered for `view`, or null (none, or too old). */
  get(view: IRecentView): IRunsPage | null {
    const key = recentKey(view);
    const entry = this._entries.get(key);
    if (!entry) {
      return null;
    }
    if (this._now() - entry.at > RECENT_MAX_AGE) {
      this._entries.delete(key);
      return null;
    }
    return entry.page;
  }

  /** Remember `page` (its rows as last shown) for `view`. */
  set(view: IRecentView, page: IRunsPage): void {
    const key = recentKey(view);
    this._entries.delete(key);
    const scope = scopeOf(view.backend, view.experimentId);
    this._entries.set(key, { page, at: this._now(), scope });
    while (this._entries.size > RECENT_MAX_ENTRIES) {
      this._entries.delete(this._entries.keys().next().value as string);
    }
  }

  /** Forget `view` (it could not be loaded again). */
  delete(view: IRecentView): void {
    this._entries.delete(recentKey(view));
  }

  /** Forget every view of an experiment (its runs changed). */
  forget(backend: string, experimentId: string): void {
    const scope = scopeOf(backend, experimentId);
    for (const [key, entry] of [...this._entries]) {
      if (entry.scope === scope) {
        this._entries.delete(key);
      }
    }
  }

  private _entries = new Map<
    string,
    { page: IRunsPage; at: number; scope: string }
  >();
}
