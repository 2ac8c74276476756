/** How long a remembered view is shown again at once (ms). */
export const RECENT_MAX_AGE = 10 * 60_000;
/** Views remembered per kind. */
export const RECENT_MAX_ENTRIES = 64;

/**
 * What views showed lately, so that a view opened again paints it at once
 * while its request runs, and the answer replaces it
 * (stale-while-revalidate). Bounded, oldest dropped first; never given past
 * {@link RECENT_MAX_AGE}; entries of a scope (an experiment, a run) can be
 * forgotten together when it changes.
 */
export class Recent<T> {
  constructor(
    private readonly _now: () => number = Date.now,
    private readonly _maxEntries = RECENT_MAX_ENTRIES
  ) {}

  /** What `key` showed, or null (nothing, or too old). */
  get(key: string): T | null {
    const entry = this._entries.get(key);
    if (!entry) {
      return null;
    }
    if (this._now() - entry.at > RECENT_MAX_AGE) {
      this._entries.delete(key);
      return null;
    }
    return entry.value;
  }

  /** Remember `value` for `key` (in `scope`, see {@link forget}). */
  set(key: string, value: T, scope: string = key): void {
    this._entries.delete(key);
    this._entries.set(key, { value, at: this._now(), scope });
    while (this._entries.size > this._maxEntries) {
      this._entries.delete(this._entries.keys().next().value as string);
    }
  }

  /** Forget `key` (it could not be loaded again). */
  delete(key: string): void {
    this._entries.delete(key);
  }

  /** Forget every entry of `scope`. */
  forget(scope: string): void {
    for (const [key, entry] of [...this._entries]) {
      if (entry.scope === scope) {
        this._entries.delete(key);
      }
    }
  }

  private _entries = new Map<string, { value: T; at: number; scope: string }>();
}
