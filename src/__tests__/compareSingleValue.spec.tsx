/** Compare shows a metric logged once per run as values with bars, not one-point curves. */
import * as React from 'react';

import { ICompareResultWire, normalizeCompare } from '../api/compare';
import { barFractions, MetricBars } from '../compare/MetricBars';
import { isSingleValueSeries, singleValues } from '../models/compare';
import { renderToStaticMarkup } from './render';

// A recorded answer of the real server (tests/test_wire_contract.py): `loss`
// logged once by both runs, `acc` once by one run (the other's is NaN),
// `curve` ten and three times.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const WIRE: ICompareResultWire = require('./recorded/compare.json');
const result = normalizeCompare(WIRE);
const series = (key: string) => result.series.find(s => s.key === key)!;

describe('single-value metrics in compare', () => {
  it('tells values from curves', () => {
    expect(isSingleValueSeries(series('loss'))).toBe(true);
    expect(isSingleValueSeries(series('acc'))).toBe(true);
    expect(isSingleValueSeries(series('curve'))).toBe(false);
  });

  it('gives each run its value, by run name', () => {
    const values = singleValues(result, series('loss'));
    expect(values.map(v => [v.label, v.value])).toEqual([
      [result.runs[0].run_name, 0.25],
      [result.runs[1].run_name, 0.5]
    ]);
    expect(barFractions(values)).toEqual([0.5, 1]);
  });

  it('keeps a non-finite value as text, with no bar', () => {
    const values = singleValues(result, series('acc'));
    expect(values.map(v => v.value)).toEqual([0.9, 'NaN']);
    expect(barFractions(values)).toEqual([1, 0]);
  });

  it('lists no run as logged once in a curve of real histories', () => {
    expect(singleValues(result, series('curve'), false)).toEqual([]);
  });

  it('renders a row per run with its value', () => {
    const html = renderToStaticMarkup(
      <MetricBars metric="loss" values={singleValues(result, series('loss'))} />
    );
    expect(html).toContain('0.25');
    expect(html).toContain('0.5');
    expect(html).toContain(result.runs[0].run_name!);
    expect(html.match(/<tr/g)).toHaveLength(2);
  });
});
