import { IExperimentRow, IExperimentSummary } from '../api/types';
import { ExperimentsModel } from '../models/experiments';
import { FakeServer, jsonReply, waitFor } from './fakeServer';

function experiment(id: string, name: string): IExperimentRow {
  return {
    experiment_id: id,
    name,
    lifecycle_stage: 'active',
    creation_time: 1700000000000,
    last_update_time: 1700000000000,
    creator: null,
    description: null,
    model_name: null,
    tags: {},
    summary: null
  };
}

function summary(count: number, exact = true): IExperimentSummary {
  return {
    run_count: count,
    run_count_exact: exact,
    last_activity: 1700000100000,
    last_run_id: 'r1',
    creator: 'ada',
    computed_at: 1700000200000
  };
}

describe('ExperimentsModel', () => {
  let server: FakeServer;
  let model: ExperimentsModel;

  beforeEach(() => {
    server = new FakeServer();
    model = new ExperimentsModel({
      backend: 'default',
      serverSettings: server.settings,
      recountDelay: 20
    });
  });

  afterEach(() => model.dispose());

  it('lists experiments and searches by name on the server', async () => {
    server.json(200, {
      backend: 'default',
      experiments: [experiment('1', 'demo'), experiment('0', 'Default')],
      next_page_token: null,
      emulated: { search: false, reason: null }
    });
    await model.load();
    expect(model.experiments.map(e => e.name)).toEqual(['demo', 'Default']);
    await model.setSearch('dem');
    const url = new URL(server.requests[1].url);
    expect(url.pathname).toBe(
      '/user/alice/jupyterlab-mlops/backends/default/experiments'
    );
    expect(url.searchParams.get('search')).toBe('dem');
    expect(model.emulatedReason).toBeNull();
  });

  it('says when GitLab made the extension search by itself', async () => {
    server.json(200, {
      backend: 'gl',
      experiments: [],
      next_page_token: null,
      emulated: { search: true, reason: 'GitLab ignores the filter' }
    });
    await model.load();
    expect(model.emulatedReason).toBe('GitLab ignores the filter');
  });

  it('fetches counts lazily, once, and again while the server is counting', async () => {
    server.json(200, {
      backend: 'default',
      experiments: [experiment('1', 'big'), experiment('2', 'small')],
      next_page_token: null,
      emulated: { search: false, reason: null }
    });
    await model.load();
    let calls = 0;
    server.handler = request => {
      const path = new URL(request.url).pathname;
      if (path.endsWith('/experiments/1/summary')) {
        calls++;
        return jsonReply(200, {
          ...experiment('1', 'big'),
          summary: summary(5000, calls > 1)
        });
      }
      if (path.endsWith('/experiments/2/summary')) {
        return jsonReply(200, {
          ...experiment('2', 'small'),
          summary: summary(3)
        });
      }
      return undefined;
    };
    model.requestSummaries(['1', '2']);
    model.requestSummaries(['1', '2']); // already on their way
    await waitFor(() => model.summary('2') !== null);
    await waitFor(() => model.summary('1')?.run_count_exact === true);
    expect(calls).toBe(2);
    expect(server.requestsTo('/experiments/2/summary')).toHaveLength(1);
    model.requestSummaries(['2']);
    expect(server.requestsTo('/experiments/2/summary')).toHaveLength(1);
  });

  it('recounts the shown experiments on an explicit refresh', async () => {
    const list = {
      backend: 'default',
      experiments: [experiment('2', 'small')],
      next_page_token: null,
      emulated: { search: false, reason: null }
    };
    server.handler = request =>
      new URL(request.url).pathname.endsWith('/summary')
        ? jsonReply(200, { ...experiment('2', 'small'), summary: summary(3) })
        : jsonReply(200, list);
    await model.load();
    model.requestSummaries(['2']);
    await waitFor(() => model.summary('2') !== null);
    await model.refresh(true);
    model.requestSummaries(['2']);
    await waitFor(() => server.requestsTo('/summary').length === 2);
    expect(
      new URL(server.requestsTo('/summary')[1].url).searchParams.get('refresh')
    ).toBe('1');
  });

  it('loads more pages and keeps the rows when that fails', async () => {
    server
      .json(200, {
        backend: 'default',
        experiments: [experiment('1', 'a')],
        next_page_token: 'p2',
        emulated: { search: false, reason: null }
      })
      .json(503, { message: 'down', reason: '', error: 'backend_unreachable' });
    let outage = 0;
    model.dispose();
    model = new ExperimentsModel({
      backend: 'default',
      serverSettings: server.settings,
      onOutage: () => outage++
    });
    await model.load();
    await model.loadMore();
    expect(model.experiments).toHaveLength(1);
    expect(model.moreError?.status).toBe(503);
    expect(outage).toBe(1);
  });

  it('finds an experiment by its exact name', async () => {
    server.json(200, {
      backend: 'default',
      experiments: [experiment('3', 'demo-2'), experiment('1', 'demo')],
      next_page_token: null,
      emulated: { search: false, reason: null }
    });
    expect((await model.findByName('demo'))?.experiment_id).toBe('1');
    expect(await model.findByName('nope')).toBeNull();
  });
});
