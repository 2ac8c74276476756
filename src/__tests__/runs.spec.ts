import { IRunRow, IRunsPage, RunStatus } from '../api/types';
import { MAX_NEXT_PAGE, nextPageSize } from '../models/paging';
import { RunsModel } from '../models/runs';
import { FakeServer, jsonReply, waitFor } from './fakeServer';

const AVAILABLE = {
  params: ['depth', 'lr'],
  metrics: ['acc', 'loss', 'val loss'],
  tags: ['team']
};

function run(i: number, status: RunStatus = 'FINISHED'): IRunRow {
  return {
    run_id: `r${i}`,
    run_name: `run-${i}`,
    status,
    start_time: 1700000000000 - i * 1000,
    end_time: status === 'RUNNING' ? null : 1700000000000 - i * 1000 + 500,
    user_id: 'ada',
    experiment_id: '7',
    params: { lr: '0.01' },
    metrics: { loss: 1 / (i + 1) },
    tags: {}
  };
}

function page(runs: IRunRow[], next: string | null = null): IRunsPage {
  return {
    experiment_id: '7',
    runs,
    columns: [],
    available_columns: AVAILABLE,
    next_page_token: next,
    total: null,
    emulated: { filter: false, order: false, reason: null }
  };
}

function query(request: Request): URLSearchParams {
  return new URL(request.url).searchParams;
}

describe('RunsModel', () => {
  let server: FakeServer;
  let model: RunsModel;
  let outages: number;

  function create(
    defaultColumns: string[] = [],
    pollInterval = 10000
  ): RunsModel {
    outages = 0;
    return new RunsModel({
      backend: 'default',
      experimentId: '7',
      experimentName: 'demo',
      serverSettings: server.settings,
      pageSize: 3,
      defaultColumns,
      pollInterval,
      onOutage: () => outages++
    });
  }

  beforeEach(() => {
    server = new FakeServer();
  });

  afterEach(() => {
    model?.dispose();
  });

  it('asks for the experiment runs with the default columns and page size', async () => {
    model = create(['metrics.loss', 'params.lr', 'metrics.gone']);
    // the server answers with the columns it shows (here the asked ones)
    server.json(200, {
      ...page([run(0), run(1), run(2)], 'tok1'),
      columns: ['metrics.loss', 'params.lr', 'metrics.gone']
    });
    await model.reload();
    expect(server.requests).toHaveLength(1);
    const url = new URL(server.requests[0].url);
    expect(url.pathname).toBe(
      '/user/alice/jupyterlab-mlops/backends/default/experiments/7/runs'
    );
    expect(url.searchParams.get('columns')).toBe(
      'metrics.loss,params.lr,metrics.gone'
    );
    expect(url.searchParams.get('max_results')).toBe('3');
    expect(url.searchParams.get('auto_columns')).toBe('1');
    expect(model.rows.map(r => r.run_id)).toEqual(['r0', 'r1', 'r2']);
    // A default column the experiment does not have is dropped.
    expect(model.columns).toEqual(['metrics.loss', 'params.lr']);
    expect(model.hasMore).toBe(true);
    expect(model.phase).toBe('ready');
  });

  it('takes the columns the server chose when none are configured: one request', async () => {
    model = create([]);
    const chosen = ['metrics.acc', 'metrics.loss', 'params.lr'];
    server.json(200, { ...page([run(0)]), columns: chosen });
    await model.reload();
    expect(server.requests).toHaveLength(1);
    expect(query(server.requests[0]).get('columns')).toBeNull();
    expect(query(server.requests[0]).get('auto_columns')).toBe('1');
    expect(model.columns).toEqual(chosen);
    // once settled, the server is not asked to choose again
    server.json(200, { ...page([run(0)]), columns: chosen });
    await model.reload();
    expect(query(server.requests[1]).get('auto_columns')).toBeNull();
    expect(query(server.requests[1]).get('columns')).toBe(chosen.join(','));
  });

  it('pages with the token and keeps the rows in order', async () => {
    model = create(['metrics.loss']);
    server
      .json(200, page([run(0), run(1), run(2)], 'tok1'))
      .json(200, page([run(2), run(3), run(4)], 'tok2'))
      .json(200, page([run(5)], null));
    await model.reload();
    await model.loadMore();
    expect(query(server.requests[1]).get('page_token')).toBe('tok1');
    await model.loadMore();
    expect(query(server.requests[2]).get('page_token')).toBe('tok2');
    // the next pages grow with what is loaded (3, then 3, then the 5 rows held)
    expect(server.requests.map(r => query(r).get('max_results'))).toEqual([
      '3',
      '3',
      '5'
    ]);
    // r2 came twice (a run started meanwhile): it is listed once.
    expect(model.rows.map(r => r.run_id)).toEqual([
      'r0',
      'r1',
      'r2',
      'r3',
      'r4',
      'r5'
    ]);
    expect(model.hasMore).toBe(false);
    await model.loadMore();
    expect(server.requests).toHaveLength(3);
  });

  it('sorts on the server, back-quoting keys MLflow cannot parse bare', async () => {
    model = create(['metrics.loss']);
    server.json(200, page([run(0)]));
    await model.reload();
    await model.setSort({ column: 'metrics.loss', desc: false });
    expect(query(server.requests[1]).getAll('order_by')).toEqual([
      'metrics.loss ASC'
    ]);
    await model.setSort({ column: 'metrics.val loss', desc: true });
    expect(query(server.requests[2]).getAll('order_by')).toEqual([
      'metrics.`val loss` DESC'
    ]);
    await model.setSort({ column: 'attributes.start_time', desc: true });
    expect(query(server.requests[3]).getAll('order_by')).toEqual([
      'attributes.start_time DESC'
    ]);
    expect(model.sort).toEqual({ column: 'attributes.start_time', desc: true });
  });

  it('keeps its rows and shows MLflow’s message for a bad filter', async () => {
    model = create(['metrics.loss']);
    server.json(200, page([run(0), run(1)]));
    await model.reload();
    server.replies = [];
    server.json(400, {
      message:
        "Invalid comparator '>>' not one of '{'<=', '<', '!=', '=', '>', '>='}",
      reason: 'INVALID_PARAMETER_VALUE',
      error: 'invalid_input'
    });
    const ok = await model.applyFilter('metrics.loss >> 1');
    expect(ok).toBe(false);
    expect(query(server.requests[1]).get('filter')).toBe('metrics.loss >> 1');
    expect(model.filterError?.message).toContain("Invalid comparator '>>'");
    expect(model.error).toBeNull();
    expect(model.filter).toBe('');
    expect(model.rows).toHaveLength(2);
    expect(model.phase).toBe('ready');
    expect(outages).toBe(0);

    server.replies = [];
    server.json(200, page([run(1)]));
    expect(await model.applyFilter(' metrics.loss < 0.9 ')).toBe(true);
    expect(model.filter).toBe('metrics.loss < 0.9');
    expect(model.filterError).toBeNull();
    expect(model.rows.map(r => r.run_id)).toEqual(['r1']);
  });

  it('keeps the rows when the backend goes down mid-scroll', async () => {
    model = create(['metrics.loss']);
    server.json(200, page([run(0), run(1), run(2)], 'tok1'));
    await model.reload();
    server.replies = [];
    server.json(503, {
      message: 'Backend default is unreachable',
      reason: 'connection refused',
      error: 'backend_unreachable'
    });
    await model.loadMore();
    expect(model.rows).toHaveLength(3);
    expect(model.moreError?.status).toBe(503);
    expect(model.hasMore).toBe(true);
    expect(outages).toBe(1);

    server.replies = [];
    server.json(200, page([run(3)], null));
    await model.loadMore();
    expect(model.moreError).toBeNull();
    expect(model.rows).toHaveLength(4);
  });

  it('shows a first-page failure when there is nothing to keep', async () => {
    model = create(['metrics.loss']);
    server.json(404, {
      message: 'No experiment 7',
      reason: 'not_found',
      error: 'not_found'
    });
    await model.reload();
    expect(model.phase).toBe('error');
    expect(model.error?.status).toBe(404);
    expect(model.rows).toHaveLength(0);
  });

  it('drops an answer that a newer request made stale', async () => {
    model = create(['metrics.loss']);
    server.json(200, page([run(0)])).json(200, page([run(9)]));
    const first = model.applyFilter('params.lr = "1"');
    const second = model.applyFilter('params.lr = "2"');
    await Promise.all([first, second]);
    expect(model.filter).toBe('params.lr = "2"');
    expect(model.rows.map(r => r.run_id)).toEqual(['r9']);
  });

  it('polls while visible, asking only what changed since the newest time loaded', async () => {
    model = create(['metrics.loss'], 20);
    let finished = false;
    server.handler = () =>
      jsonReply(200, page([run(0, finished ? 'FINISHED' : 'RUNNING'), run(1)]));
    model.isVisible = true;
    await model.reload();
    expect(model.hasLive).toBe(true);
    await waitFor(() => server.requests.length >= 3);
    const since = query(server.requests[server.requests.length - 1]);
    expect(since.get('since')).toBe(String(run(0).start_time));
    expect(since.get('page_token')).toBeNull();
    finished = true;
    await waitFor(() => model.rows[0].status === 'FINISHED');
    expect(model.hasLive).toBe(false);
    expect(model.rows.map(r => r.run_id)).toEqual(['r0', 'r1']);
  });

  it('picks columns when an experiment opened empty gets its first params and metrics live', async () => {
    model = create([], 20);
    let runs: IRunRow[] = [];
    server.handler = request => {
      const empty = !runs.length;
      const asked = query(request).get('columns');
      return jsonReply(200, {
        ...page(runs),
        available_columns: empty
          ? { params: [], metrics: [], tags: [] }
          : AVAILABLE,
        // as the server does: the asked columns, or its choice for auto_columns once there are keys
        columns: asked
          ? asked.split(',')
          : query(request).get('auto_columns') && !empty
            ? ['metrics.loss', 'params.lr']
            : []
      });
    };
    model.isVisible = true;
    await model.reload();
    expect(model.columns).toEqual([]);
    runs = [run(0, 'RUNNING')];
    await waitFor(() => model.columns.length > 0);
    expect(model.columns).toEqual(['metrics.loss', 'params.lr']);
    // the rows are fetched again with the chosen columns
    await waitFor(() =>
      server.requests.some(r =>
        query(r).get('columns')?.includes('metrics.loss')
      )
    );
    await waitFor(() => model.rows.length === 1);
  });

  it('puts runs started meanwhile on top when polling', async () => {
    model = create(['metrics.loss'], 20);
    let fresh = [run(1, 'RUNNING'), run(2)];
    server.handler = () => jsonReply(200, page(fresh));
    model.isVisible = true;
    await model.reload();
    fresh = [run(0, 'RUNNING'), run(1, 'FINISHED'), run(2)];
    await waitFor(() => model.rows.length === 3);
    expect(model.rows.map(r => r.run_id)).toEqual(['r0', 'r1', 'r2']);
    expect(model.rows[1].status).toBe('FINISHED');
  });

  it('does not poll while hidden', async () => {
    model = create(['metrics.loss'], 20);
    server.handler = () => jsonReply(200, page([run(0, 'RUNNING')]));
    await model.reload();
    await new Promise(resolve => setTimeout(resolve, 120));
    expect(server.requests).toHaveLength(1);
  });

  it('selects runs and hands them out as {backend, run_id}', async () => {
    model = create(['metrics.loss']);
    server.json(200, page([run(0), run(1), run(2)]));
    await model.reload();
    const { selection } = model;
    selection.toggle('r2');
    selection.toggle('r0');
    expect(selection.refs).toEqual([
      { backend: 'default', run_id: 'r2' },
      { backend: 'default', run_id: 'r0' }
    ]);
    selection.toggleAll(model.rows.map(r => r.run_id));
    expect(selection.size).toBe(3);
    selection.toggleAll(model.rows.map(r => r.run_id));
    expect(selection.size).toBe(0);
  });
});

describe('nextPageSize', () => {
  it('asks for as many rows again as are loaded, within the page size and the cap', () => {
    expect(nextPageSize(50, 50)).toBe(50);
    expect(nextPageSize(50, 100)).toBe(100);
    expect(nextPageSize(50, 400)).toBe(400);
    expect(nextPageSize(50, 4000)).toBe(MAX_NEXT_PAGE);
    expect(nextPageSize(50, 0)).toBe(50);
    // from 50 rows to 5,000: a dozen requests, not a hundred
    let loaded = 50;
    let requests = 0;
    while (loaded < 5000) {
      loaded += nextPageSize(50, loaded);
      requests++;
    }
    expect(requests).toBeLessThanOrEqual(13);
  });
});
