import { IRunsPage } from '../api/types';

/** How long the rows of a closed experiment page are shown again at once (ms). */
export const RECENT_MAX_AGE = 10 * 60_000;
/** Experiment pages remembered. */
export const RECENT_MAX_ENTRIES = 16;

/** The identity of an experiment page's default view: backend, experiment and the settings' columns. */
export function recentKey(
  backend: string,
  experimentId: string,
  defaultColumns: readonly string[]
): string {
  return JSON.stringify([backend, experimentId, defaultColumns]);
}

/**
 * The first rows of experiment pages closed lately (their default view: no
 * filter, no sort, the columns picked for them), so that a page opened again
 * paints them at once while its first request runs, and replaces them with
 * the answer (stale-while-revalidate). One per application; bounded, oldest
 * dropped first; an entry older than {@link RECENT_MAX_AGE} is never shown.
 */
export class RecentRows {
  constructor(private readonly _now: () => number = Date.now) {}

  /** The page remembered for `key`, or null (none, or too old). */
  get(key: string): IRunsPage | null {
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

  /** Remember `page` (its rows as last shown) for `key`. */
  set(key: string, page: IRunsPage): void {
    this._entries.delete(key);
    this._entries.set(key, { page, at: this._now() });
    while (this._entries.size > RECENT_MAX_ENTRIES) {
      this._entries.delete(this._entries.keys().next().value as string);
    }
  }

  /** Forget `key` (its page could not be loaded again). */
  delete(key: string): void {
    this._entries.delete(key);
  }

  private _entries = new Map<string, { page: IRunsPage; at: number }>();
}
