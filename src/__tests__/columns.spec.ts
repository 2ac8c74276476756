import {
  formatMetric,
  mergeAvailable,
  orderIdentifier,
  parseColumn
} from '../models/columns';
import { queryString } from '../api/endpoints';
import { formatCount, formatDuration } from '../common/format';

describe('columns', () => {
  it('parses column ids, aliases and back-quoted keys', () => {
    expect(parseColumn('metrics.loss')).toEqual({
      kind: 'metrics',
      key: 'loss'
    });
    expect(parseColumn('param.lr')).toEqual({ kind: 'params', key: 'lr' });
    expect(parseColumn('tags.gitlab.CI_JOB_ID')).toEqual({
      kind: 'tags',
      key: 'gitlab.CI_JOB_ID'
    });
    expect(parseColumn('params.`my key`')).toEqual({
      kind: 'params',
      key: 'my key'
    });
    expect(parseColumn('attributes.start_time')).toBeNull();
  });

  it('quotes order_by keys that MLflow cannot parse bare', () => {
    expect(orderIdentifier('metrics.train/loss')).toBe('metrics.train/loss');
    expect(orderIdentifier('metrics.val loss')).toBe('metrics.`val loss`');
    expect(orderIdentifier('attributes.run_name')).toBe('attributes.run_name');
  });

  it('merges available columns', () => {
    expect(
      mergeAvailable(
        { params: ['b'], metrics: [], tags: [] },
        { params: ['a', 'b'], metrics: ['m'], tags: [] }
      )
    ).toEqual({ params: ['a', 'b'], metrics: ['m'], tags: [] });
  });

  it('formats metric values', () => {
    expect(formatMetric(0.123456)).toBe('0.1235');
    expect(formatMetric(3)).toBe('3');
    expect(formatMetric(0.00001234)).toBe('1.234e-5');
    expect(formatMetric('NaN')).toBe('NaN');
    expect(formatMetric(undefined)).toBe('');
  });
});

describe('formatting', () => {
  it('formats durations and counts', () => {
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(184000)).toBe('3 min 4 s');
    expect(formatDuration(2 * 3600000 + 5 * 60000)).toBe('2 h 5 min');
    expect(formatDuration(null)).toBe('');
    expect(formatCount(5000, false)).toBe('5,000+');
  });

  it('builds query strings, repeating arrays and skipping empties', () => {
    expect(
      queryString({ a: 'x y', b: ['1', '2'], c: '', d: undefined, e: true })
    ).toBe('?a=x%20y&b=1&b=2&e=1');
    expect(queryString({})).toBe('');
  });
});
