import { IRunDetail, RunStatus } from '../api/types';
import { RunDetailModel } from '../models/detail';
import { RecentRuns } from '../models/recentRuns';
import { FakeServer, jsonReply, waitFor } from './fakeServer';

function detail(status: RunStatus, loss = 0.5): IRunDetail {
  return {
    info: {
      run_id: 'r1',
      run_name: 'bold-fox',
      experiment_id: '7',
      status,
      start_time: 1700000000000,
      end_time: status === 'RUNNING' ? null : 1700000100000,
      user_id: 'ada',
      artifact_uri: 'mlflow-artifacts:/7/r1/artifacts',
      lifecycle_stage: 'active'
    },
    params: { lr: '0.01' },
    metrics: { loss: { value: loss, step: 10, timestamp: 1700000050000 } },
    tags: {},
    system_tags: {},
    links: {
      ci_job: null,
      pipeline: null,
      merge_request: null,
      source: null,
      candidate: null,
      experiment_url: null,
      backend_ui_url: null
    },
    artifacts: {
      files: [{ path: 'plots', is_dir: true, file_size: null }],
      note: null
    },
    logged_models: { supported: true, models: [], truncated: false, note: null }
  };
}

function history(points: [number, number][]) {
  return {
    run_id: 'r1',
    key: 'train/loss',
    x: 'step',
    points,
    total: points.length,
    skipped: 0,
    downsampled: false,
    method: 'none',
    source: 'history'
  };
}

describe('RunDetailModel', () => {
  let server: FakeServer;
  let model: RunDetailModel;

  beforeEach(() => {
    server = new FakeServer();
    model = new RunDetailModel({
      backend: 'default',
      runId: 'r1',
      serverSettings: server.settings,
      pollInterval: 20
    });
  });

  afterEach(() => model.dispose());

  /** The page of r1 opened (again), with the application's runs seen lately. */
  function reopen(recent: RecentRuns): RunDetailModel {
    return new RunDetailModel({
      backend: 'default',
      runId: 'r1',
      serverSettings: server.settings,
      recent
    });
  }

  it('loads the run', async () => {
    server.json(200, detail('FINISHED'));
    await model.load();
    expect(new URL(server.requests[0].url).pathname).toBe(
      '/user/alice/jupyterlab-mlops/backends/default/runs/r1'
    );
    expect(model.detail?.info.run_name).toBe('bold-fox');
    expect(model.isLive).toBe(false);
    expect(model.phase).toBe('ready');
  });

  it('shows a run deleted meanwhile as not found, in place', async () => {
    server.json(200, detail('FINISHED')).json(404, {
      message: 'Run r1 not found',
      reason: 'RESOURCE_DOES_NOT_EXIST',
      error: 'not_found'
    });
    await model.load();
    await model.load();
    expect(model.notFound).toBe(true);
    expect(model.phase).toBe('error');
  });

  it('keeps the last detail when the backend is down', async () => {
    let outage = 0;
    model.dispose();
    model = new RunDetailModel({
      backend: 'default',
      runId: 'r1',
      serverSettings: server.settings,
      onOutage: () => outage++
    });
    server
      .json(200, detail('FINISHED'))
      .json(503, { message: 'down', reason: '', error: 'backend_unreachable' });
    await model.load();
    await model.load();
    expect(model.detail).not.toBeNull();
    expect(model.error?.status).toBe(503);
    expect(model.notFound).toBe(false);
    expect(model.phase).toBe('ready');
    expect(outage).toBe(1);
  });

  it('shows a run seen lately at once, until its answer replaces it', async () => {
    const recent = new RecentRuns();
    const open = () => reopen(recent);
    model.dispose();
    model = open();
    server.json(200, detail('FINISHED', 0.5));
    await model.load();
    model.dispose();

    // opened again: the remembered run is painted while its request runs
    server.replies = [];
    server.json(200, detail('FINISHED', 0.25));
    model = open();
    const loading = model.load();
    expect(model.detail?.metrics.loss.value).toBe(0.5);
    expect(model.phase).toBe('loading');
    await loading;
    expect(model.detail?.metrics.loss.value).toBe(0.25);
    expect(model.phase).toBe('ready');
    model.dispose();

    // gone meanwhile: the 404 shows, not the remembered run, which is forgotten
    server.replies = [];
    server.json(404, {
      message: 'Run r1 not found',
      reason: 'RESOURCE_DOES_NOT_EXIST',
      error: 'not_found'
    });
    model = open();
    await model.load();
    expect(model.detail).toBeNull();
    expect(model.notFound).toBe(true);
    expect(recent.run('default', 'r1')).toBeNull();
  });

  it("paints a run page's charts seen lately at once, until their answers", async () => {
    const recent = new RecentRuns();
    const open = () => reopen(recent);
    const shape = { key: 'train/loss', maxPoints: 600, x: 'step' as const };
    model.dispose();
    model = open();
    server.json(200, history([[0, 1]]));
    await model.requestHistory('train/loss', 600);
    model.dispose();

    // opened again: the remembered series shows while it is asked again
    server.replies = [];
    server.json(
      200,
      history([
        [0, 1],
        [1, 0.5]
      ])
    );
    model = open();
    const loading = model.requestHistory('train/loss', 600);
    expect(model.history('train/loss')?.points).toHaveLength(1);
    await loading;
    expect(model.history('train/loss')?.points).toHaveLength(2);
    expect(recent.series('default', 'r1', shape)?.points).toHaveLength(2);
    // another width is another series: nothing remembered for it
    expect(
      recent.series('default', 'r1', { ...shape, maxPoints: 700 })
    ).toBeNull();
    model.dispose();

    // its answer fails: the error shows, not the remembered series, which is forgotten
    server.replies = [];
    server.json(502, {
      message: 'bad gateway',
      reason: '',
      error: 'backend_error'
    });
    model = open();
    const failing = model.requestHistory('train/loss', 600);
    expect(model.history('train/loss')).not.toBeNull();
    await failing;
    expect(model.history('train/loss')).toBeNull();
    expect(model.historyError('train/loss')?.status).toBe(502);
    expect(recent.series('default', 'r1', shape)).toBeNull();
  });

  it('asks for a downsampled history sized to the chart', async () => {
    server.json(
      200,
      history([
        [0, 1],
        [1, 0.5]
      ])
    );
    await model.requestHistory('train/loss', 640, 'step');
    const url = new URL(server.requests[0].url);
    expect(url.pathname).toBe(
      '/user/alice/jupyterlab-mlops/backends/default/runs/r1/metrics/train%2Floss'
    );
    expect(url.searchParams.get('max_points')).toBe('640');
    expect(url.searchParams.get('x')).toBe('step');
    expect(model.history('train/loss')?.points).toHaveLength(2);
    await model.requestHistory('train/loss', 640, 'step');
    expect(server.requests).toHaveLength(1);
    await model.requestHistory('train/loss', 99999, 'time');
    expect(new URL(server.requests[1].url).searchParams.get('max_points')).toBe(
      '10000'
    );
  });

  it('polls the run and its charts while RUNNING and visible, then stops', async () => {
    let status: RunStatus = 'RUNNING';
    let points: [number, number][] = [[0, 1]];
    server.handler = request =>
      new URL(request.url).pathname.includes('/metrics/')
        ? jsonReply(200, history(points))
        : jsonReply(200, detail(status, points.length));
    model.isVisible = true;
    await model.load();
    await model.requestHistory('train/loss', 300);
    expect(model.isLive).toBe(true);
    points = [
      [0, 1],
      [1, 0.7],
      [2, 0.4]
    ];
    await waitFor(() => model.history('train/loss')?.points.length === 3);
    status = 'FINISHED';
    await waitFor(() => model.detail?.info.status === 'FINISHED');
    await new Promise(resolve => setTimeout(resolve, 40));
    const count = server.requests.length;
    await new Promise(resolve => setTimeout(resolve, 120));
    expect(server.requests.length).toBe(count);
  });

  it('does not poll while hidden', async () => {
    server.json(200, detail('RUNNING'));
    await model.load();
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(server.requests).toHaveLength(1);
  });

  it('lists an artifact sub-directory', async () => {
    server.json(200, {
      run_id: 'r1',
      path: 'plots',
      files: [{ path: 'plots/a.png', is_dir: false, file_size: 10 }],
      note: null
    });
    await model.artifacts.list('plots');
    expect(new URL(server.requests[0].url).searchParams.get('path')).toBe(
      'plots'
    );
    expect(model.artifacts.get('plots')?.listing?.files[0].path).toBe(
      'plots/a.png'
    );
  });
});
