import { Time } from '@jupyterlab/coreutils';

/** A date and time in the user's locale, '' for null. */
export function formatTime(ms: number | null | undefined): string {
  return typeof ms === 'number' ? Time.format(new Date(ms)) : '';
}

/** "3 hours ago", '' for null. */
export function formatRelative(ms: number | null | undefined): string {
  return typeof ms === 'number' ? Time.formatHuman(new Date(ms)) : '';
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

/** "12 KB", "3.4 MB"; '' when unknown. */
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
