import {
  compareQueryString,
  normalizeCompare,
  getCompare,
  getCompareCsv,
  ICompareParam,
  ICompareRun
} from '../api/compare';
import { runColor } from '../compare/colors';
import { samplingNote } from '../compare/MetricCurves';
import { downloadBlob } from '../common/download';
import {
  csvFileName,
  differs,
  metricsGrid,
  paramsGrid,
  transpose,
  visibleParams
} from '../compare/table';
import { FakeServer } from './fakeServer';
import { MlopsApiError } from '../common/errors';
import { formatNumber } from '../common/format';

const RUNS: ICompareRun[] = ['a', 'b', 'c'].map(id => ({
  backend: 'default',
  run_id: id,
  run_name: `run-${id}`,
  experiment_id: '1',
  status: 'FINISHED',
  start_time: 0,
  end_time: 1,
  user_id: 'me',
  label: `run-${id} (${id})`
}));

const PARAMS: ICompareParam[] = [
  { key: 'lr', values: ['0.01', '0.1', '0.01'], differs: true },
  { key: 'depth', values: ['5', '5', '5'], differs: false },
  { key: 'opt', values: ['adam', null, 'adam'], differs: true }
];

describe('compare query', () => {
  it('encodes runs as backend:run_id and the options', () => {
    const q = compareQueryString({
      runs: [
        { backend: 'gl/a', run_id: 'x1' },
        { backend: 'default', run_id: 'y2' }
      ],
      metrics: ['loss', 'val/acc'],
      maxPoints: 500,
      x: 'time',
      onlyDifferences: true
    });
    expect(q).toBe(
      'run=gl%2Fa%3Ax1&run=default%3Ay2&metric=loss&metric=val%2Facc&max_points=500&x=time&only_differences=1'
    );
  });

  it('calls GET compare under the namespace', async () => {
    const server = new FakeServer().json(200, { runs: [] });
    await getCompare({ runs: RUNS }, server.settings);
    const url = new URL(server.requests[0].url);
    expect(url.pathname).toBe('/user/alice/jupyterlab-mlops/compare');
    expect(url.searchParams.getAll('run')).toEqual([
      'default:a',
      'default:b',
      'default:c'
    ]);
  });

  it('fetches the CSV as a Blob and maps errors', async () => {
    const server = new FakeServer();
    server.replies.push({
      status: 200,
      body: 'backend,run_id\r\ndefault,a\r\n',
      contentType: 'text/csv'
    });
    const blob = await getCompareCsv({ runs: RUNS }, server.settings);
    expect(blob.size).toBe('backend,run_id\r\ndefault,a\r\n'.length);
    expect(new URL(server.requests[0].url).pathname).toMatch(/compare\.csv$/);

    const failing = new FakeServer().json(400, {
      message: 'Compare needs 2 to 50 runs, got 51.',
      reason: 'too_many_runs',
      error: 'invalid_input'
    });
    await expect(
      getCompareCsv({ runs: RUNS }, failing.settings)
    ).rejects.toEqual(
      expect.objectContaining({
        message: 'Compare needs 2 to 50 runs, got 51.',
        status: 400
      })
    );
    await getCompareCsv({ runs: RUNS }, failing.settings).catch(e =>
      expect(e).toBeInstanceOf(MlopsApiError)
    );
  });
});

describe('compare answer', () => {
  it('turns row-wise points into columns', () => {
    const result: any = {
      runs: [],
      params: [],
      metrics: [],
      series: [
        {
          key: 'loss',
          runs: [
            {
              backend: 'default',
              run_id: 'a',
              points: [
                [0, 1],
                [1, 0.5]
              ]
            }
          ]
        }
      ]
    };
    const normalized = normalizeCompare(result);
    const run = normalized.series[0].runs[0];
    expect(run.x).toEqual([0, 1]);
    expect(run.y).toEqual([1, 0.5]);
    expect('points' in run).toBe(false);
    expect(normalized.errors).toEqual([]);
  });
});

describe('compare tables', () => {
  it('keeps only differing params on request', () => {
    expect(visibleParams(PARAMS, false).map(p => p.key)).toEqual([
      'lr',
      'depth',
      'opt'
    ]);
    expect(visibleParams(PARAMS, true).map(p => p.key)).toEqual(['lr', 'opt']);
  });

  it('treats a missing value as a difference', () => {
    expect(differs(['1', '1'])).toBe(false);
    expect(differs(['1', null])).toBe(true);
    expect(differs([null, null])).toBe(false);
    expect(differs([1, '1'])).toBe(false);
  });

  it('builds the params grid and transposes it', () => {
    const grid = paramsGrid(RUNS, PARAMS);
    expect(grid.header).toEqual([
      'Param',
      'run-a (a)',
      'run-b (b)',
      'run-c (c)'
    ]);
    const t = transpose(grid);
    expect(t.header).toEqual(['Run', 'lr', 'depth', 'opt']);
    expect(t.rows[1]).toEqual({
      key: 'run-b (b)',
      cells: ['0.1', '5', null],
      bestColumns: []
    });
  });

  it('carries the best marks through the transposition', () => {
    const grid = metricsGrid(RUNS, [
      {
        key: 'loss',
        values: [0.3, 0.2, null],
        steps: [9, 9, null],
        differs: true,
        best: 1,
        direction: 'min'
      },
      {
        key: 'acc',
        values: [0.9, 0.8, 0.7],
        steps: [9, 9, 9],
        differs: true,
        best: 0,
        direction: 'max'
      }
    ]);
    expect(grid.rows.map(r => r.best)).toEqual([1, 0]);
    const t = transpose(grid);
    expect(t.rows.map(r => r.bestColumns)).toEqual([[1], [0], []]);
  });

  it('formats numbers compactly', () => {
    expect(formatNumber(null)).toBe('—');
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(0.123456789)).toBe('0.123457');
    expect(formatNumber(0.00001234)).toBe('1.234e-5');
    expect(formatNumber(12345678901)).toBe('12345678901');
    expect(formatNumber(1.5e12 + 0.25)).toBe('1.500e+12');
    expect(formatNumber('NaN')).toBe('NaN');
  });
});

describe('colours and CSV download', () => {
  it('gives distinct colours to 50 runs', () => {
    const colours = Array.from({ length: 50 }, (_, i) => runColor(i));
    expect(new Set(colours).size).toBe(50);
  });

  it('names the CSV by run count and date', () => {
    expect(csvFileName(3, new Date('2024-05-06T10:00:00Z'))).toBe(
      'compare-3-runs-2024-05-06.csv'
    );
  });

  it('downloads through a temporary link and revokes the URL', () => {
    jest.useFakeTimers();
    const create = jest.fn(() => 'blob:fake');
    const revoke = jest.fn();
    Object.assign(URL, { createObjectURL: create, revokeObjectURL: revoke });
    const clicks: HTMLAnchorElement[] = [];
    const spy = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function (this: HTMLAnchorElement) {
        clicks.push(this);
      });
    downloadBlob(new Blob(['a,b']), 'x.csv');
    expect(clicks).toHaveLength(1);
    expect(clicks[0].download).toBe('x.csv');
    expect(clicks[0].href).toBe('blob:fake');
    expect(document.querySelector('a[download]')).toBeNull();
    jest.runAllTimers();
    expect(revoke).toHaveBeenCalledWith('blob:fake');
    spy.mockRestore();
    jest.useRealTimers();
  });
});

describe('series of a GitLab without metrics/get-history', () => {
  it('says which runs have the latest value only', () => {
    const run = (source: 'history' | 'latest', i: number) =>
      ({
        backend: 'gitlab',
        run_id: `r${i}`,
        x: [0],
        y: [1],
        total: source === 'latest' ? 1 : 60,
        shipped: source === 'latest' ? 1 : 60,
        method: 'none',
        source,
        cached: false
      }) as any;
    const note = samplingNote({
      key: 'loss',
      runs: [run('history', 0), run('latest', 1)]
    } as any);
    expect(note).toBe(
      '61 points; 1 run: the latest value only (no metrics/get-history on this GitLab)'
    );
    expect(
      samplingNote({ key: 'loss', runs: [run('history', 0)] } as any)
    ).toBe('60 points');
  });
});
