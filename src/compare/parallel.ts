/**
 * Scaling for the parallel-coordinates and scatter plots: every dimension
 * (a param or a metric) maps each run's value to [0, 1]. Numbers get a linear
 * scale; anything else is categorical, evenly spaced in sorted order.
 */
import { Cell } from './table';
import { formatNumber } from '../common/format';

/** A tick on an axis: a label at a position in [0, 1]. */
export interface ITick {
  label: string;
  pos: number;
}

/** One scaled dimension. */
export interface IAxis {
  key: string;
  kind: 'param' | 'metric';
  type: 'numeric' | 'categorical';
  /** Position in [0, 1] per run; `null` where the run has no value. */
  positions: (number | null)[];
  ticks: ITick[];
  min?: number;
  max?: number;
}

/** A value as a finite number, or `null`. */
export function toNumber(value: Cell): number | null {
  if (value === null || value === '') {
    return null;
  }
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** How non-finite metric values travel (they count as missing on an axis). */
const NON_FINITE = new Set([
  'NaN',
  'Infinity',
  '-Infinity',
  'nan',
  'inf',
  '-inf'
]);

/** Whether every present value is a finite number (and at least one is present). */
export function isNumeric(values: Cell[]): boolean {
  const present = values.filter(
    v => v !== null && v !== '' && !(typeof v === 'string' && NON_FINITE.has(v))
  );
  return present.length > 0 && present.every(v => toNumber(v) !== null);
}

/** `count` evenly spaced tick values over [min, max] (both ends included). */
export function linearTicks(min: number, max: number, count = 5): number[] {
  if (min === max) {
    return [min];
  }
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(min + ((max - min) * i) / (count - 1));
  }
  return out;
}

/** Scale one dimension to [0, 1] (0 = bottom/left, 1 = top/right). */
export function scaleAxis(
  key: string,
  kind: 'param' | 'metric',
  values: Cell[],
  tickCount = 5
): IAxis {
  if (isNumeric(values)) {
    const nums = values.map(toNumber);
    const present = nums.filter((n): n is number => n !== null);
    const min = Math.min(...present);
    const max = Math.max(...present);
    const pos = (n: number): number =>
      max === min ? 0.5 : (n - min) / (max - min);
    return {
      key,
      kind,
      type: 'numeric',
      min,
      max,
      positions: nums.map(n => (n === null ? null : pos(n))),
      ticks: linearTicks(min, max, tickCount).map(t => ({
        label: formatNumber(t),
        pos: pos(t)
      }))
    };
  }
  const categories = Array.from(
    new Set(values.filter((v): v is string | number => v !== null).map(String))
  ).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const pos = (i: number): number =>
    categories.length === 1 ? 0.5 : i / (categories.length - 1);
  return {
    key,
    kind,
    type: 'categorical',
    positions: values.map(v =>
      v === null ? null : pos(categories.indexOf(String(v)))
    ),
    ticks: categories.map((label, i) => ({ label, pos: pos(i) }))
  };
}

/**
 * An SVG polyline path through the points. A missing value is bridged (the
 * line goes from the previous value to the next one), so one missing param
 * does not hide the rest of a run's line; dots mark the values themselves.
 */
export function polylinePath(
  points: ({ x: number; y: number } | null)[]
): string {
  let path = '';
  for (const p of points) {
    if (p === null) {
      continue;
    }
    path += `${path ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`;
  }
  return path;
}
