/**
 * Colours of the runs in every compare chart: the same run has the same
 * colour in the tables, the curves (uPlot), the parallel coordinates and the
 * scatter plot. The first ten are the charts' theme colours
 * (`--jp-mlops-series-N`, style/charts.css, mapped to JupyterLab's theme
 * variables); beyond ten, distinct hues at a lightness that reads on both
 * the light and the dark theme.
 */

/** Number of theme series colours (src/charts/theme.ts). */
export const THEME_COLORS = 10;

/** A concrete colour for run `index` ≥ {@link THEME_COLORS}, else `undefined`. */
export function extraRunColor(index: number): string | undefined {
  if (index < THEME_COLORS) {
    return undefined;
  }
  const hue = Math.round((index * 137.508) % 360);
  return `hsl(${hue}, 55%, 55%)`;
}

/** The CSS colour of run `index` (a theme variable for the first ten). */
export function runColor(index: number): string {
  return extraRunColor(index) ?? `var(--jp-mlops-series-${index + 1})`;
}
