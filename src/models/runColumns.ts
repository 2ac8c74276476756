import { IAvailableColumns } from '../api/types';
import { isAvailable } from './columns';

/**
 * The columns of a table once the experiment's keys are known: the server's
 * answer to `auto_columns` (the asked ones, or its choice when the experiment
 * had none of them), without default columns (from the settings) the
 * experiment does not have.
 */
export function settleColumns(
  answered: readonly string[],
  fromSettings: boolean,
  available: IAvailableColumns
): string[] {
  return fromSettings
    ? answered.filter(c => isAvailable(c, available))
    : [...answered];
}

/**
 * The columns a candidates table shows: the settings' ones at first, settled
 * once by the first answer that has keys to choose from (the server picks a
 * few when there are none), then the user's choice.
 */
export class RunColumns {
  constructor(defaults: readonly string[]) {
    this.defaults = [...defaults];
    this._shown = [...defaults];
    this._fromSettings = this._shown.length > 0;
  }

  /** The settings' columns the table started with. */
  readonly defaults: readonly string[];

  get shown(): readonly string[] {
    return this._shown;
  }
  /** The columns the user chose; null while they are the picked ones. */
  get chosen(): readonly string[] | null {
    return this._chosen ? this._shown : null;
  }
  /** Whether the next first page asks the server to choose (`auto_columns`). */
  get settled(): boolean {
    return this._settled;
  }

  /** The user's choice. */
  choose(columns: readonly string[]): void {
    this._shown = [...columns];
    this._fromSettings = false;
    this._chosen = true;
  }

  /**
   * Settle on the columns of the first answer that has any keys to choose
   * from (see {@link settleColumns}): an experiment opened empty gets its
   * columns when its first params and metrics arrive. Whether they changed.
   */
  settle(available: IAvailableColumns, answered: readonly string[]): boolean {
    if (this._settled) {
      return false;
    }
    if (!available.params.length && !available.metrics.length) {
      return false;
    }
    this._settled = true;
    const settled = settleColumns(answered, this._fromSettings, available);
    const changed = settled.join('\n') !== this._shown.join('\n');
    this._shown = settled;
    return changed;
  }

  private _shown: string[];
  private _fromSettings: boolean;
  private _chosen = false;
  private _settled = false;
}
