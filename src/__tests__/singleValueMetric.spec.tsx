/** A metric logged once shows as its value, never as an empty line chart. */
import * as React from 'react';

import { IMetricHistory } from '../api/types';
import { SingleValue } from '../detail/MetricsSection';
import { isSingleValue } from '../models/singleValue';
import { renderToStaticMarkup } from './render';

function history(points: [number, number][], total: number): IMetricHistory {
  return {
    run_id: 'r1',
    key: 'auc',
    x: 'step',
    points,
    total,
    skipped: 0,
    downsampled: false,
    method: 'none',
    source: 'history'
  };
}

describe('single-value metrics', () => {
  it('tells a value logged once from a series', () => {
    expect(isSingleValue(history([[0, 0.91]], 1))).toBe(true);
    expect(isSingleValue(history([], 0))).toBe(true);
    expect(
      isSingleValue(
        history(
          [
            [0, 0.5],
            [1, 0.6]
          ],
          2
        )
      )
    ).toBe(false);
    expect(isSingleValue(null)).toBe(false);
  });

  it('renders the value and when it was logged, with no chart', () => {
    const html = renderToStaticMarkup(<SingleValue value={0.9134} step={12} />);
    expect(html).toContain('jp-mlops-MetricCard-single');
    expect(html).toContain('logged once, at step 12');
    expect(html).not.toContain('uplot');
    expect(html).toMatch(/0\.913/);
  });
});
