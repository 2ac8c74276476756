import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

/** Per-user UI preferences (schema/plugin.json). */
export interface IMlopsSettings {
  /** Runs per page in the candidates table. */
  pageSize: number;
  /** Seconds between status/list refreshes while the sidebar is visible. */
  refreshInterval: number;
  /** Param/metric columns shown by default (e.g. `metrics.loss`). */
  defaultColumns: string[];
  /** Snapshot the notebook when a run ends. */
  autoSnapshot: boolean;
}

/** Rows per page of the paged lists (schema/plugin.json's `pageSize` default). */
export const DEFAULT_PAGE_SIZE = 50;

/** Defaults; they match schema/plugin.json. */
export const DEFAULT_SETTINGS: IMlopsSettings = {
  pageSize: DEFAULT_PAGE_SIZE,
  refreshInterval: 10,
  defaultColumns: [],
  autoSnapshot: true
};

function positiveNumber(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? value
    : fallback;
}

/** Read the composite settings, falling back to defaults for bad values. */
export function readSettings(
  composite: ReadonlyPartialJSONObject
): IMlopsSettings {
  const columns = composite.defaultColumns;
  return {
    pageSize: Math.round(
      positiveNumber(composite.pageSize, DEFAULT_SETTINGS.pageSize)
    ),
    refreshInterval: positiveNumber(
      composite.refreshInterval,
      DEFAULT_SETTINGS.refreshInterval
    ),
    defaultColumns: Array.isArray(columns)
      ? columns.filter((c): c is string => typeof c === 'string')
      : DEFAULT_SETTINGS.defaultColumns,
    autoSnapshot:
      typeof composite.autoSnapshot === 'boolean'
        ? composite.autoSnapshot
        : DEFAULT_SETTINGS.autoSnapshot
  };
}
