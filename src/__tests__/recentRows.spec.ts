import { IRunRow, IRunsPage } from '../api/types';
import {
  RECENT_MAX_AGE,
  RECENT_MAX_ENTRIES,
  RecentRows,
  recentKey
} from '../models/recentRows';
import { RunsModel } from '../models/runs';
import { FakeServer } from './fakeServer';

const AVAILABLE = { params: ['lr'], metrics: ['loss', 'acc'], tags: [] };

function run(i: number): IRunRow {
  return {
    run_id: `r${i}`,
    run_name: `run-${i}`,
    status: 'FINISHED',
    start_time: 1700000000000 - i * 1000,
    end_time: 1700000000000 - i * 1000 + 500,
    user_id: 'ada',
    experiment_id: '7',
    params: { lr: '0.01' },
    metrics: { loss: 1 / (i + 1) },
    tags: {}
  };
}

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

  it('remembers only the default view, and only this experiment', async () => {
    server.json(200, page([run(0), run(1)]));
    const filtered = open();
    await filtered.reload();
    await filtered.applyFilter('metrics.loss < 1');
    filtered.dispose();
    server.replies = [];
    server.json(200, page([run(2)]));
    const sorted = open();
    await sorted.reload();
    await sorted.setSort({ column: 'metrics.loss', desc: false });
    sorted.dispose();
    for (const other of [open(), open('8')]) {
      const loading = other.reload();
      expect(ids(other)).toEqual([]);
      await loading;
      other.dispose();
    }
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

describe('RecentRows', () => {
  it('forgets entries past their age and beyond its size, oldest first', () => {
    let now = 0;
    const recent = new RecentRows(() => now);
    recent.set('a', page([run(0)]));
    now = RECENT_MAX_AGE;
    expect(recent.get('a')?.runs).toHaveLength(1);
    now = RECENT_MAX_AGE + 1;
    expect(recent.get('a')).toBeNull();
    for (let i = 0; i <= RECENT_MAX_ENTRIES; i++) {
      recent.set(`k${i}`, page([run(i)]));
    }
    expect(recent.get('k0')).toBeNull();
    expect(recent.get(`k${RECENT_MAX_ENTRIES}`)).not.toBeNull();
  });

  it('keys a page by backend, experiment and the settings columns', () => {
    expect(recentKey('b', '1', ['metrics.x'])).not.toEqual(
      recentKey('b', '1', [])
    );
    expect(recentKey('b', '1', [])).not.toEqual(recentKey('b', '11', []));
  });
});
