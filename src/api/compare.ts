/**
 * Compare routes (`GET compare`, `GET compare.csv`): one function per
 * endpoint; the wire types are in `compareTypes.ts`.
 */
import { ServerConnection } from '@jupyterlab/services';

import {
  ICompareQuery,
  ICompareResult,
  ICompareResultWire,
  IRunRef
} from './compareTypes';
import { requestAPI, requestBlob } from './request';

export * from './compareTypes';

/** Limits of the compare route. */
export const COMPARE_MIN_RUNS = 2;
export const COMPARE_MAX_RUNS = 50;

/** Run refs from untrusted JSON (a command's `runs` argument); a missing backend is `default`. */
export function parseRunRefs(value: unknown): IRunRef[] {
  if (!Array.isArray(value)) {
    return [];
  }
  const refs: IRunRef[] = [];
  for (const item of value) {
    if (!item || typeof item !== 'object') {
      continue;
    }
    const { backend, run_id } = item as { backend?: unknown; run_id?: unknown };
    if (typeof run_id === 'string' && run_id) {
      refs.push({
        backend: typeof backend === 'string' && backend ? backend : 'default',
        run_id
      });
    }
  }
  return refs;
}

/** The query string of a compare call (without `?`). */
export function compareQueryString(query: ICompareQuery): string {
  const parts: string[] = query.runs.map(
    r => `run=${encodeURIComponent(`${r.backend}:${r.run_id}`)}`
  );
  for (const key of query.metrics ?? []) {
    parts.push(`metric=${encodeURIComponent(key)}`);
  }
  if (query.maxPoints !== undefined) {
    parts.push(`max_points=${query.maxPoints}`);
  }
  if (query.x) {
    parts.push(`x=${query.x}`);
  }
  if (query.onlyDifferences) {
    parts.push('only_differences=1');
  }
  return parts.join('&');
}

/** The answer with its series as columns (`x`, `y`) instead of `points` rows. */
export function normalizeCompare(wire: ICompareResultWire): ICompareResult {
  return {
    ...wire,
    series: (wire.series ?? []).map(series => ({
      key: series.key,
      runs: series.runs.map(({ points, ...run }) => ({
        ...run,
        x: (points ?? []).map(p => p[0]),
        y: (points ?? []).map(p => (typeof p[1] === 'number' ? p[1] : null))
      }))
    })),
    errors: wire.errors ?? [],
    series_omitted: wire.series_omitted ?? []
  };
}

/** `GET compare`: params, latest metrics and downsampled histories of 2..50 runs. */
export async function getCompare(
  query: ICompareQuery,
  settings?: ServerConnection.ISettings
): Promise<ICompareResult> {
  return normalizeCompare(
    await requestAPI<ICompareResultWire>(
      `compare?${compareQueryString(query)}`,
      {},
      settings
    )
  );
}

/** `GET compare.csv`: the table as CSV (one row per run), as a Blob. */
export function getCompareCsv(
  query: ICompareQuery,
  settings?: ServerConnection.ISettings
): Promise<Blob> {
  return requestBlob(`compare.csv?${compareQueryString(query)}`, settings);
}
