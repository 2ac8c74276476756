import * as React from 'react';

/** Number of series colours defined in style/charts.css. */
export const SERIES_COLORS = 10;

/** Colours of a chart, read from JupyterLab's CSS variables. */
export interface IChartTheme {
  /** Axis labels and ticks. */
  text: string;
  /** Grid lines. */
  grid: string;
  /** Axis lines and tick marks. */
  axis: string;
  font: string;
  /** Series colours, cycled. */
  series: string[];
}

function cssVar(
  style: CSSStyleDeclaration,
  name: string,
  fallback: string
): string {
  return style.getPropertyValue(name).trim() || fallback;
}

/**
 * Read the chart colours in effect for `node` (style/charts.css maps them
 * to JupyterLab's theme variables, so light, dark and custom themes apply).
 */
export function readChartTheme(node: Element): IChartTheme {
  const style = getComputedStyle(node);
  const series: string[] = [];
  for (let i = 1; i <= SERIES_COLORS; i++) {
    series.push(cssVar(style, `--jp-mlops-series-${i}`, '#1976d2'));
  }
  // uPlot measures its axes from a px font size: use the resolved values
  // (style/charts.css sets the element's font from the theme).
  const size = style.fontSize || '11px';
  const family = style.fontFamily || 'sans-serif';
  return {
    text: cssVar(style, '--jp-ui-font-color2', '#616161'),
    grid: cssVar(style, '--jp-border-color2', '#e0e0e0'),
    axis: cssVar(style, '--jp-border-color1', '#bdbdbd'),
    font: `${size} ${family}`,
    series
  };
}

/**
 * A counter that changes when JupyterLab switches theme (it sets
 * `data-jp-theme-name` on the body), so charts repaint with the new colours.
 */
export function useThemeVersion(): number {
  const [version, setVersion] = React.useState(0);
  React.useEffect(() => {
    if (typeof MutationObserver === 'undefined') {
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const observer = new MutationObserver(() => {
      setVersion(v => v + 1);
      // The theme's stylesheet may land a moment after the attribute.
      clearTimeout(timer);
      timer = setTimeout(() => setVersion(v => v + 1), 400);
    });
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
    });
    return () => {
      clearTimeout(timer);
      observer.disconnect();
    };
  }, []);
  return version;
}
