import { IRunRow, IRunsPage } from '../api/types';
import { PerformanceModel } from '../models/performance';
import { FakeServer, jsonReply } from './fakeServer';

function run(i: number, metrics: IRunRow['metrics']): IRunRow {
  return {
    run_id: `r${i}`,
    run_name: `run-${i}`,
    status: 'FINISHED',
    start_time: 1700000000000 + i * 1000,
    end_time: 1700000000000 + i * 1000 + 500,
    user_id: 'ada',
    experiment_id: '7',
    params: {},
    metrics,
    tags: {}
  };
}

function page(runs: IRunRow[], next: string | null = null): IRunsPage {
  return {
    experiment_id: '7',
    runs,
    columns: [],
    available_columns: { params: [], metrics: ['auc', 'loss'], tags: [] },
    next_page_token: next,
    total: null,
    emulated: { filter: false, order: false, reason: null }
  };
}

function query(request: Request): URLSearchParams {
  return new URL(request.url).searchParams;
}

describe('PerformanceModel', () => {
  it('reads the newest runs once, with the first metric, oldest first', async () => {
    const server = new FakeServer();
    // Newest first, as the server answers; run 1 has no auc, run 0 a NaN.
    const runs = [
      run(3, { auc: 0.9 }),
      run(2, { auc: 0.8 }),
      run(1, {}),
      run(0, { auc: 'NaN' })
    ];
    server.handler = request =>
      jsonReply(200, page(query(request).get('columns') ? runs : [], 'next'));
    const model = new PerformanceModel({
      backend: 'default',
      experimentId: '7',
      serverSettings: server.settings,
      maxRuns: 4
    });
    await model.load();
    const requests = server.requestsTo('/experiments/7/runs');
    // The first answer names the metrics; the values come with the second.
    expect(requests).toHaveLength(2);
    const last = query(requests[1]);
    expect(last.get('columns')).toBe('metrics.auc');
    expect(last.get('max_results')).toBe('4');
    expect(last.getAll('order_by')).toEqual(['attributes.start_time DESC']);
    expect(model.metrics).toEqual(['auc']);
    expect(model.available).toEqual(['auc', 'loss']);
    expect(model.truncated).toBe(true);
    expect(model.runs.map(r => r.run_id)).toEqual(['r0', 'r1', 'r2', 'r3']);
    // Only finite values are points.
    expect(model.points('auc').map(p => [p.run.run_id, p.value])).toEqual([
      ['r2', 0.8],
      ['r3', 0.9]
    ]);
    expect(model.points('loss')).toEqual([]);
    model.dispose();
  });

  it('charts the chosen metrics and keeps the runs on a failure', async () => {
    const server = new FakeServer();
    server.handler = () => jsonReply(200, page([run(1, { auc: 1, loss: 2 })]));
    const model = new PerformanceModel({
      backend: 'default',
      experimentId: '7',
      serverSettings: server.settings
    });
    await model.setMetrics(['loss', 'auc', 'loss']);
    expect(model.metrics).toEqual(['loss', 'auc']);
    const [request] = server.requestsTo('/experiments/7/runs');
    expect(query(request).get('columns')).toBe('metrics.loss,metrics.auc');
    expect(query(request).get('max_results')).toBe('1000');
    expect(model.truncated).toBe(false);

    server.handler = () =>
      jsonReply(503, { message: 'unreachable', error: 'backend_unreachable' });
    await model.load();
    expect(model.phase).toBe('error');
    expect(model.error?.message).toContain('unreachable');
    expect(model.runs).toHaveLength(1);
    model.dispose();
  });

  it('loads when first shown, not before', async () => {
    const server = new FakeServer();
    server.handler = () => jsonReply(200, page([]));
    const model = new PerformanceModel({
      backend: 'default',
      experimentId: '7',
      serverSettings: server.settings
    });
    expect(server.requests).toHaveLength(0);
    const loaded = new Promise<void>(resolve =>
      model.changed.connect(() => model.phase === 'ready' && resolve())
    );
    model.isVisible = true;
    await loaded;
    // The metric names first, then the runs with the first one's values.
    const requests = server.requestsTo('/experiments/7/runs');
    expect(requests.map(r => query(r).get('columns'))).toEqual([
      null,
      'metrics.auc'
    ]);
    model.dispose();
  });
});
