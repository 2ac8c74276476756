/** Formatting shared by every room: times, durations, counts, bytes, numbers. */
import { Time } from '@jupyterlab/coreutils';

/** Whether `ms` is a time (backends send 0 or nothing for "unknown"). */
function isTime(ms: number | null | undefined): ms is number {
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0;
}

/** A date and time in the user's locale (JupyterLab's `Time.format`), '' when unknown. */
export function formatTime(ms: number | null | undefined): string {
  return isTime(ms) ? Time.format(new Date(ms)) : '';
}

/** "3 hours ago" (JupyterLab's `Time.formatHuman`), `empty` when unknown. */
export function formatRelative(
  ms: number | null | undefined,
  empty = ''
): string {
  return isTime(ms) ? Time.formatHuman(new Date(ms)) : empty;
}

/** "4.2 s", "3 min 4 s", "2 h 5 min", "3 d 4 h"; '' when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    return '';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  const s = ms / 1000;
  if (s < 60) {
    return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  }
  const parts: [number, string][] = [
    [Math.floor(s / 86400), 'd'],
    [Math.floor((s % 86400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'min'],
    [Math.floor(s % 60), 's']
  ];
  const first = parts.findIndex(([n]) => n > 0);
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
}

/** Duration of a run: end - start, or until now while it runs. */
export function runDuration(
  start: number | null,
  end: number | null,
  now = Date.now()
): number | null {
  if (start === null) {
    return null;
  }
  return (end ?? now) - start;
}

/** "1,234" (or "5,000+" for a lower bound). */
export function formatCount(count: number, exact = true): string {
  return `${count.toLocaleString()}${exact ? '' : '+'}`;
}

/** "1 run" / "3 runs". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return count === 1 ? one : many;
}

/**
 * "12 KB", "3.4 MB"; '' when unknown. Powers of 1024 written KB, MB, ... as
 * JupyterLab's file browser shows sizes, so the same file reads the same here.
 */
export function formatBytes(size: number | null | undefined): string {
  if (typeof size !== 'number') {
    return '';
  }
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** How {@link formatNumber} writes a number. */
export interface INumberStyle {
  /** Significant digits. */
  digits: number;
  /** Exponent notation below this magnitude (0 excluded)... */
  expBelow: number;
  /** ...and from this one on. */
  expFrom: number;
  /** Integers below this magnitude are written in full (0: no such rule). */
  exactIntegersBelow: number;
  /** Text for a missing value. */
  empty: string;
  /** Write NaN and infinities as {@link empty} (else as they are). */
  nonFiniteEmpty?: boolean;
}

/** Compare and registry tables: 6 digits, full integers, '—' when missing. */
export const TABLE_NUMBER: INumberStyle = {
  digits: 6,
  expBelow: 1e-4,
  expFrom: 1e9,
  exactIntegersBelow: 1e15,
  empty: '—'
};

/** Narrow sidebar cells: 4 digits, '' when missing. */
export const CELL_NUMBER: INumberStyle = {
  digits: 4,
  expBelow: 1e-3,
  expFrom: 1e6,
  exactIntegersBelow: 1e6,
  empty: ''
};

/** Chart axes and tooltips: 5 digits, '—' for missing and non-finite values. */
export const AXIS_NUMBER: INumberStyle = {
  digits: 5,
  expBelow: 1e-3,
  expFrom: 1e6,
  exactIntegersBelow: 0,
  empty: '—',
  nonFiniteEmpty: true
};

/** A number (or a value the server sent as text, e.g. 'NaN') for display. */
export function formatNumber(
  value: number | string | null | undefined,
  style: INumberStyle = TABLE_NUMBER
): string {
  if (value === null || value === undefined) {
    return style.empty;
  }
  if (typeof value === 'string') {
    return value;
  }
  if (!Number.isFinite(value)) {
    return style.nonFiniteEmpty ? style.empty : String(value);
  }
  if (Number.isInteger(value) && Math.abs(value) < style.exactIntegersBelow) {
    return String(value);
  }
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < style.expBelow || abs >= style.expFrom)) {
    return value.toExponential(3);
  }
  return String(Number(value.toPrecision(style.digits)));
}

/** A time cell: relative text, exact time on hover. */
export function timeCell(ms: number | null | undefined): {
  text: string;
  title: string;
} {
  return { text: formatRelative(ms, '—'), title: formatTime(ms) };
}

/** The version as users know it: the semver when there is one. */
export function versionLabel(v: {
  version: string;
  semver?: string | null;
}): string {
  return v.semver ?? v.version;
}

/** Safe link target: only http(s) URLs become links. */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) {
    return null;
  }
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:'
      ? parsed.href
      : null;
  } catch {
    return null;
  }
}
