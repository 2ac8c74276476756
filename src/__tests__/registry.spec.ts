import { parseRunRefs } from '../api/compare';
import {
  addVersionLink,
  getChampion,
  listModels,
  existingVersion,
  modelPath,
  promoteRun,
  versionPath
} from '../api/registry';
import { lineSeries, samplingNote } from '../compare/MetricCurves';
import { isViewable } from '../registry/format';
import { noNotebookReason, snippetCode } from '../registry/notebook';
import { FakeServer } from './fakeServer';
import { uploadProblem } from '../api/upload';
import {
  formatBytes,
  formatTime,
  safeHref,
  timeCell,
  versionLabel
} from '../common/format';
import { MlopsApiError } from '../common/errors';

const UPLOAD = {
  max_bytes: 1024,
  flat_names: true,
  name_rule: "letters, digits, '.', '_', '+', '-' and spaces, no directories",
  name_pattern: '^[A-Za-z0-9._+ -]+$'
};

describe('registry API', () => {
  it('encodes model names with / as %2F', () => {
    expect(modelPath('gl', 'team/churn')).toBe(
      'backends/gl/models/team%2Fchurn'
    );
    expect(versionPath('gl', 'a b', '1.0.0+x')).toBe(
      'backends/gl/models/a%20b/versions/1.0.0%2Bx'
    );
  });

  it('keeps the existing version of a 409', async () => {
    const server = new FakeServer().json(409, {
      message: "Version 1.0.0 of model 'churn' already exists.",
      reason: 'version_exists',
      error: 'conflict',
      existing: {
        version: '3',
        version_id: '3',
        semver: '1.0.0',
        route: 'backends/default/models/churn/versions/3',
        web_url: null
      }
    });
    const error = await promoteRun(
      'default',
      'churn',
      { run_id: 'r1', version: '1.0.0' },
      server.settings
    ).catch(e => e);
    expect(error).toBeInstanceOf(MlopsApiError);
    expect(error.status).toBe(409);
    expect(error.reason).toBe('version_exists');
    expect(existingVersion(error)).toEqual(
      expect.objectContaining({ version: '3', semver: '1.0.0' })
    );
    const request = server.requests[0];
    expect(request.method).toBe('POST');
    expect(await request.json()).toEqual({ run_id: 'r1', version: '1.0.0' });
  });

  it('builds the champion and models queries', async () => {
    const server = new FakeServer().json(200, { rows: [] });
    await getChampion(
      'default',
      'churn',
      'r 1',
      ['loss', 'val/acc'],
      server.settings
    );
    const url = new URL(server.requests[0].url);
    expect(url.pathname).toBe(
      '/user/alice/jupyterlab-mlops/backends/default/models/churn/champion'
    );
    expect(url.searchParams.get('run_id')).toBe('r 1');
    expect(url.searchParams.get('metrics')).toBe('loss,val/acc');
    await listModels('Churn', server.settings);
    expect(new URL(server.requests[1].url).searchParams.get('search')).toBe(
      'Churn'
    );
  });

  it('returns the links after adding one', async () => {
    const links = [
      { n: 1, url: 'https://g/p/-/issues/7', kind: 'issue', title: 'g/p#7' }
    ];
    const server = new FakeServer().json(201, { links });
    expect(
      await addVersionLink(
        'default',
        'm',
        '1',
        'https://g/p/-/issues/7',
        server.settings
      )
    ).toEqual(links);
  });
});

describe('command arguments', () => {
  it('reads run refs from untrusted JSON', () => {
    expect(
      parseRunRefs([
        { backend: 'gl', run_id: 'a' },
        { run_id: 'b' },
        { backend: 'x' },
        null,
        'c'
      ])
    ).toEqual([
      { backend: 'gl', run_id: 'a' },
      { backend: 'default', run_id: 'b' }
    ]);
    expect(parseRunRefs('nope')).toEqual([]);
  });
});

describe('upload checks', () => {
  it('refuses too large files before sending', () => {
    expect(uploadProblem('model.pkl', 2048, UPLOAD)).toBe(
      'model.pkl is 2.0 KB; this backend accepts at most 1.0 KB per file.'
    );
    expect(uploadProblem('model.pkl', 1024, UPLOAD)).toBeNull();
  });

  it('refuses names outside the backend rule', () => {
    expect(uploadProblem('a/b.txt', 1, UPLOAD)).toMatch(
      /^Invalid file name "a\/b.txt"/
    );
    expect(uploadProblem('naïve.txt', 1, UPLOAD)).toMatch(/^Invalid file name/);
    expect(
      uploadProblem('naïve.txt', 1, { ...UPLOAD, name_pattern: null })
    ).toBeNull();
  });

  it('formats sizes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(10 * 1024 ** 3)).toBe('10 GB');
    expect(formatBytes(null)).toBe('');
  });
});

describe('registry formatting', () => {
  const now = Date.UTC(2024, 4, 6, 12);
  it('says how long ago, as JupyterLab does, with the exact time on hover', () => {
    jest.useFakeTimers().setSystemTime(now);
    try {
      expect(timeCell(now - 10000).text).toBe('10 seconds ago');
      expect(timeCell(now - 5 * 60000).text).toBe('5 minutes ago');
      expect(timeCell(now - 3 * 3600000).text).toBe('3 hours ago');
      expect(timeCell(now - 24 * 3600000).text).toBe('yesterday');
      expect(timeCell(now - 90 * 24 * 3600000).text).toBe('3 months ago');
      expect(timeCell(now - 5 * 60000).title).toBe(formatTime(now - 5 * 60000));
      expect(timeCell(null)).toEqual({ text: '—', title: '' });
      expect(timeCell(0)).toEqual({ text: '—', title: '' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('links only http(s) URLs', () => {
    expect(safeHref('https://gitlab.com/g/p')).toBe('https://gitlab.com/g/p');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('not a url')).toBeNull();
  });

  it('opens viewable files, downloads the rest', () => {
    expect(isViewable('MLmodel')).toBe(true);
    expect(isViewable('data/model.json')).toBe(true);
    expect(isViewable('model.pkl')).toBe(false);
    expect(versionLabel({ version: '3', semver: '1.2.0' })).toBe('1.2.0');
  });
});

describe('use in notebook', () => {
  const snippet = {
    kind: 'pyfunc' as const,
    uri: 'models:/churn/3',
    code: "import mlflow\nmodel = mlflow.pyfunc.load_model('models:/churn/3')\n",
    params_code: "params = {\n    'lr': 0.01,\n}\n",
    tracking_uri: 'http://127.0.0.1:5000',
    kernel_ready: true,
    by_alias: []
  };
  it('puts the params dict first when asked', () => {
    expect(snippetCode(snippet, false)).toBe(
      "import mlflow\nmodel = mlflow.pyfunc.load_model('models:/churn/3')"
    );
    expect(snippetCode(snippet, true)).toMatch(
      /^params = \{\n {4}'lr': 0\.01,\n\}\nimport mlflow/
    );
    expect(
      snippetCode({ ...snippet, params_code: 'params = {\n}\n' }, true)
    ).not.toContain('params');
  });

  it('explains when no notebook is open', () => {
    expect(noNotebookReason(null)).toMatch(/not available/);
    expect(noNotebookReason({ currentWidget: null } as any)).toMatch(
      /^No notebook is open/
    );
  });
});

describe('metric curves data', () => {
  const run = (id: string) => ({
    backend: 'default',
    run_id: id,
    run_name: id,
    experiment_id: '1',
    status: 'FINISHED',
    start_time: 0,
    end_time: 1,
    user_id: null,
    label: id
  });
  const series = {
    key: 'loss',
    runs: [
      {
        backend: 'default',
        run_id: 'b',
        x: [0, 1],
        y: [1, 0.5],
        total: 100000,
        shipped: 2,
        method: 'lttb' as const,
        source: 'history' as const,
        cached: false
      }
    ]
  };
  const result: any = {
    runs: [run('a'), run('b')],
    series: [series],
    x: 'step'
  };
  it('keeps every run in order, empty where it lacks the metric', () => {
    const lines = lineSeries(result, series);
    expect(lines.map(l => [l.label, l.x.length])).toEqual([
      ['a', 0],
      ['b', 2]
    ]);
  });
  it('says how much was shipped', () => {
    expect(samplingNote(series)).toBe(
      `2 of ${(100000).toLocaleString()} points (lttb)`
    );
  });
});
