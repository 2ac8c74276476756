import { IRunRow, IRunsPage } from '../api/types';
import {
  IRecentView,
  RECENT_MAX_AGE,
  RECENT_MAX_ENTRIES,
  RecentRows,
  recentKey
} from '../models/recentRows';
import { Signal } from '@lumino/signaling';

import { CHANGES_SCHEMA_ID, IEmission } from '../models/live';
import { MlopsModel } from '../models/mlops';
import { RunsModel } from '../models/runs';
import { FakeServer, jsonReply } from './fakeServer';
import { runRow } from './runRows';

const AVAILABLE = { params: ['lr'], metrics: ['loss', 'acc'], tags: [] };

const run = runRow;

function page(runs: IRunRow[], columns: string[] = []): IRunsPage {
  return {
    experiment_id: '7',
    runs,
    columns,
    available_columns: AVAILABLE,
    next_page_token: null,
    total: null,
    emulated: { filter: false, order: false, reason: null }
  };
}

const ids = (model: RunsModel): string[] => model.rows.map(r => r.run_id);

describe('RunsModel opened again (recent rows)', () => {
  let server: FakeServer;
  let recent: RecentRows;
  const open = (experimentId = '7'): RunsModel =>
    new RunsModel({
      backend: 'default',
      experimentId,
      experimentName: 'demo',
      serverSettings: server.settings,
      pageSize: 2,
      recent
    });

  beforeEach(() => {
    server = new FakeServer();
    recent = new RecentRows();
  });

  /** Open the page, load its rows (the server picks two columns), close it. */
  async function visit(): Promise<void> {
    server.json(200, page([run(0), run(1)], ['metrics.loss', 'params.lr']));
    const first = open();
    await first.reload();
    first.dispose();
    server.replies = [];
  }

  it('paints the rows it had at once, then the answer replaces them', async () => {
    await visit();
    server.json(200, page([run(5), run(0)], ['metrics.loss', 'params.lr']));
    const again = open();
    const loading = again.reload();
    // before any answer: the rows of the last visit, with their columns, while loading
    expect(ids(again)).toEqual(['r0', 'r1']);
    expect(again.columns).toEqual(['metrics.loss', 'params.lr']);
    expect(again.phase).toBe('loading');
    await loading;
    expect(ids(again)).toEqual(['r5', 'r0']);
    expect(again.phase).toBe('ready');
    // it asked for the columns it showed (not the server's auto-pick)
    const q = new URL(server.requests[server.requests.length - 1].url)
      .searchParams;
    expect(q.get('columns')).toEqual('metrics.loss,params.lr');
    expect(q.get('auto_columns')).toBeNull();
    again.dispose();
  });

  it('shows the error, not rows that may be gone, when the first answer fails', async () => {
    await visit();
    server.json(503, { message: 'backend down', reason: 'unavailable' });
    const again = open();
    const loading = again.reload();
    expect(ids(again)).toEqual(['r0', 'r1']);
    await loading;
    expect(ids(again)).toEqual([]);
    expect(again.phase).toBe('error');
    expect(again.error?.message).toContain('backend down');
    again.dispose();
    // forgotten: the next visit waits for its answer
    server.replies = [];
    server.json(200, page([run(3)]));
    const third = open();
    const next = third.reload();
    expect(ids(third)).toEqual([]);
    await next;
    expect(ids(third)).toEqual(['r3']);
    third.dispose();
  });

  it('a sort used before paints its rows at once; a view never seen, or another experiment, waits', async () => {
    const byLoss = { column: 'metrics.loss', desc: false };
    server.json(200, page([run(0), run(1)]));
    const model = open();
    await model.reload();
    server.replies = [];
    server.json(200, page([run(9), run(8)]));
    await model.setSort(byLoss);
    server.replies = [];
    server.json(200, page([run(0), run(1)]));
    await model.setSort(null);
    // the sort again: its rows at once, while its request runs
    server.replies = [];
    server.json(200, page([run(9), run(7)]));
    const sorting = model.setSort(byLoss);
    expect(ids(model)).toEqual(['r9', 'r8']);
    expect(model.phase).toBe('loading');
    await sorting;
    expect(ids(model)).toEqual(['r9', 'r7']);
    // a filter never used: the rows stay as they are until its answer
    server.replies = [];
    server.json(200, page([run(4)]));
    const filtering = model.applyFilter('metrics.loss < 1');
    expect(ids(model)).toEqual(['r9', 'r7']);
    await filtering;
    expect(ids(model)).toEqual(['r4']);
    model.dispose();
    const other = open('8');
    const loading = other.reload();
    expect(ids(other)).toEqual([]);
    await loading;
    other.dispose();
  });

  it("forgets an experiment's views when its runs change", async () => {
    await visit();
    recent.forget('default', '7');
    server.json(200, page([run(3)]));
    const again = open();
    const loading = again.reload();
    expect(ids(again)).toEqual([]);
    await loading;
    expect(ids(again)).toEqual(['r3']);
    again.dispose();
  });

  it('keeps the rows as last shown (a run deleted meanwhile is gone) and at most one page', async () => {
    server.json(200, page([run(0), run(1), run(2), run(3)]));
    const first = open();
    await first.reload();
    server.replies = [];
    server.json(200, {
      experiment_id: '7',
      runs: [{ run_id: 'r1', run_name: 'run-1' }],
      failed: [],
      permanent: false
    });
    await first.deleteRuns(['r1']);
    first.dispose();
    server.replies = [];
    server.json(200, page([run(0)]));
    const again = open();
    const loading = again.reload();
    expect(ids(again)).toEqual(['r0', 'r2']); // r3 was on the second page's worth
    await loading;
    again.dispose();
  });
});

describe('MlopsModel and the recent rows', () => {
  it('an experiment page opened again paints its rows, unless a change event of its runs came meanwhile', async () => {
    const server = new FakeServer();
    const events = { stream: new Signal<unknown, IEmission>({}) };
    let rows = [run(0), run(1)];
    server.handler = request =>
      new URL(request.url).pathname.endsWith('/experiments/7/runs')
        ? jsonReply(200, page(rows))
        : jsonReply(404, { message: 'not here' });
    const mlops = new MlopsModel({ serverSettings: server.settings, events });
    const experiment = { backend: 'default', experiment_id: '7', name: 'demo' };
    const visit = async (): Promise<string[]> => {
      const runs = mlops.createRuns(experiment);
      const loading = runs.reload();
      const painted = ids(runs);
      await loading;
      runs.dispose();
      return painted;
    };
    expect(await visit()).toEqual([]);
    expect(await visit()).toEqual(['r0', 'r1']);
    rows = [run(2)];
    events.stream.emit({
      schema_id: CHANGES_SCHEMA_ID,
      version: '1',
      backend: 'default',
      kind: 'run',
      experiment_id: '7',
      run_id: 'r2',
      change: 'created',
      name: 'run-2'
    });
    expect(await visit()).toEqual([]);
    expect(await visit()).toEqual(['r2']);
    mlops.dispose();
  });
});

describe('RecentRows', () => {
  const view = (
    experimentId: string,
    filter = '',
    defaultColumns: string[] = []
  ): IRecentView => ({
    backend: 'b',
    experimentId,
    defaultColumns,
    filter,
    sort: null,
    columns: null
  });

  it('forgets entries past their age and beyond its size, oldest first', () => {
    let now = 0;
    const recent = new RecentRows(() => now);
    recent.set(view('a'), page([run(0)]));
    now = RECENT_MAX_AGE;
    expect(recent.get(view('a'))?.runs).toHaveLength(1);
    now = RECENT_MAX_AGE + 1;
    expect(recent.get(view('a'))).toBeNull();
    for (let i = 0; i <= RECENT_MAX_ENTRIES; i++) {
      recent.set(view(`k${i}`), page([run(i)]));
    }
    expect(recent.get(view('k0'))).toBeNull();
    expect(recent.get(view(`k${RECENT_MAX_ENTRIES}`))).not.toBeNull();
  });

  it('keys a view by backend, experiment, settings columns, filter, sort and chosen columns', () => {
    const keys = [
      view('1'),
      view('11'),
      view('1', 'x'),
      view('1', '', ['metrics.x']),
      { ...view('1'), sort: { column: 'metrics.x', desc: true } },
      { ...view('1'), columns: [] }
    ].map(recentKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('forgets all views of one experiment, and only those', () => {
    const recent = new RecentRows();
    recent.set(view('1'), page([run(0)]));
    recent.set(view('1', 'x'), page([run(1)]));
    recent.set(view('2'), page([run(2)]));
    recent.forget('b', '1');
    expect(recent.get(view('1'))).toBeNull();
    expect(recent.get(view('1', 'x'))).toBeNull();
    expect(recent.get(view('2'))).not.toBeNull();
  });
});
