import { Signal } from '@lumino/signaling';

import { IExperimentRow, IRunRow, IRunsPage } from '../api/types';
import { ExperimentsModel } from '../models/experiments';
import {
  CHANGES_SCHEMA_ID,
  IChange,
  IEmission,
  LiveChanges,
  parseChange
} from '../models/live';
import { mergeChanged, newestTime } from '../models/rows';
import { RunDetailModel } from '../models/detail';
import { RunsModel } from '../models/runs';
import { FakeServer, jsonReply, waitFor } from './fakeServer';

/** A real signal standing in for `serviceManager.events.stream`. */
class EventBus {
  readonly stream = new Signal<this, IEmission>(this);
  emit(data: Record<string, unknown>, schemaId = CHANGES_SCHEMA_ID): void {
    this.stream.emit({ schema_id: schemaId, version: '1', ...data });
  }
}

const RUN_CHANGE = {
  backend: 'default',
  kind: 'run',
  experiment_id: '7',
  run_id: 'r9',
  change: 'created',
  name: 'fresh'
};

function run(id: string, start: number, end: number | null = null): IRunRow {
  return {
    run_id: id,
    run_name: id,
    status: end === null ? 'RUNNING' : 'FINISHED',
    start_time: start,
    end_time: end,
    user_id: null,
    experiment_id: '7',
    params: {},
    metrics: {},
    tags: {}
  };
}

function runsPage(runs: IRunRow[]): IRunsPage {
  return {
    experiment_id: '7',
    runs,
    columns: [],
    available_columns: { params: [], metrics: [], tags: [] },
    next_page_token: null,
    total: null,
    emulated: { filter: false, order: false, reason: null }
  };
}

function experiment(id: string, created: number): IExperimentRow {
  return {
    experiment_id: id,
    name: `exp-${id}`,
    lifecycle_stage: 'active',
    creation_time: created,
    last_update_time: created,
    creator: null,
    description: null,
    model_name: null,
    tags: {},
    summary: null
  };
}

function params(request: Request): URLSearchParams {
  return new URL(request.url).searchParams;
}

describe('parseChange', () => {
  it('takes only well-formed events of this schema', () => {
    const ok = { schema_id: CHANGES_SCHEMA_ID, ...RUN_CHANGE };
    expect(parseChange(ok)).toEqual(RUN_CHANGE);
    expect(parseChange({ ...ok, schema_id: 'other' })).toBeNull();
    expect(parseChange({ ...ok, kind: 'dataset' })).toBeNull();
    expect(parseChange({ ...ok, change: 'archived' })).toBeNull();
    expect(parseChange({ ...ok, run_id: null })).toBeNull();
    expect(parseChange({ ...ok, experiment_id: 7 })).toBeNull();
    expect(parseChange({ ...ok, name: { html: '<b>' } })?.name).toBeNull();
  });
});

describe('LiveChanges', () => {
  it('turns the bus emissions into typed signals and stops on dispose', () => {
    const bus = new EventBus();
    const live = new LiveChanges(bus);
    const runs: IChange[] = [];
    const experiments: IChange[] = [];
    const models: IChange[] = [];
    live.runChanged.connect((_, c) => runs.push(c));
    live.experimentChanged.connect((_, c) => experiments.push(c));
    live.modelChanged.connect((_, c) => models.push(c));
    bus.emit(RUN_CHANGE);
    bus.emit({ ...RUN_CHANGE, kind: 'experiment', run_id: null });
    bus.emit({
      ...RUN_CHANGE,
      kind: 'model',
      experiment_id: '',
      run_id: null,
      change: 'deleted',
      name: 'churn'
    });
    bus.emit(
      RUN_CHANGE,
      'https://events.jupyter.org/jupyter_server/kernel_actions/v1'
    );
    expect(runs.map(c => c.run_id)).toEqual(['r9']);
    expect(experiments.map(c => c.kind)).toEqual(['experiment']);
    expect(models.map(c => [c.change, c.name])).toEqual([['deleted', 'churn']]);
    live.dispose();
    bus.emit(RUN_CHANGE);
    expect(runs).toHaveLength(1);
  });
});

describe('mergeChanged and newestTime', () => {
  it('updates known runs in place and puts new ones on top, newest first', () => {
    const rows = [run('a', 30, 40), run('b', 10, 20)];
    const merged = mergeChanged(rows, [
      run('c', 50),
      run('b', 10, 25),
      run('d', 60)
    ]);
    expect(merged.map(r => r.run_id)).toEqual(['d', 'c', 'a', 'b']);
    expect(merged[3].end_time).toBe(25);
    // the same runs again (an inclusive boundary) change nothing
    expect(mergeChanged(merged, [run('d', 60)]).map(r => r.run_id)).toEqual([
      'd',
      'c',
      'a',
      'b'
    ]);
  });

  it('finds the newest time, ignoring missing ones', () => {
    expect(newestTime([null, 5, undefined, 9, 3])).toBe(9);
    expect(newestTime([null])).toBeNull();
  });
});

describe('RunsModel with change events', () => {
  let server: FakeServer;
  let model: RunsModel;
  let bus: EventBus;
  let live: LiveChanges;

  beforeEach(() => {
    server = new FakeServer();
    bus = new EventBus();
    live = new LiveChanges(bus);
    model = new RunsModel({
      backend: 'default',
      experimentId: '7',
      experimentName: 'demo',
      serverSettings: server.settings,
      defaultColumns: ['metrics.loss'],
      pollInterval: 3600000,
      live
    });
  });

  afterEach(() => {
    model.dispose();
    live.dispose();
  });

  it('fetches what changed at once when a kernel says a run of it changed', async () => {
    server.handler = request =>
      params(request).get('since')
        ? jsonReply(200, runsPage([run('r9', 2000), run('r1', 1000, 2000)]))
        : jsonReply(200, runsPage([run('r1', 1000, 1500)]));
    model.isVisible = true;
    await model.reload();
    const before = server.requests.length;
    bus.emit({ ...RUN_CHANGE, experiment_id: '8' }); // another experiment: not ours
    bus.emit(RUN_CHANGE);
    await waitFor(() => model.rows.length === 2);
    const sinceRequests = server.requests
      .slice(before)
      .filter(r => params(r).get('since'));
    expect(params(sinceRequests[0]).get('since')).toBe('1500');
    expect(model.rows.map(r => [r.run_id, r.end_time])).toEqual([
      ['r9', null],
      ['r1', 2000]
    ]);
  });
});

describe('ExperimentsModel with change events', () => {
  let server: FakeServer;
  let model: ExperimentsModel;
  let bus: EventBus;
  let live: LiveChanges;

  beforeEach(() => {
    server = new FakeServer();
    bus = new EventBus();
    live = new LiveChanges(bus);
    model = new ExperimentsModel({
      backend: 'default',
      serverSettings: server.settings,
      pollInterval: 3600000,
      recountDelay: 20,
      live
    });
  });

  afterEach(() => {
    model.dispose();
    live.dispose();
  });

  it('merges a new experiment on top and recounts the changed ones', async () => {
    let count = 1;
    server.handler = request => {
      const url = new URL(request.url);
      if (url.pathname.endsWith('/summary')) {
        const id = url.pathname.split('/').slice(-2)[0];
        return jsonReply(200, {
          ...experiment(id, 100),
          summary: {
            run_count: id === '1' ? count : 0,
            run_count_exact: true,
            last_activity: 100,
            last_run_id: null,
            creator: null,
            computed_at: 1
          }
        });
      }
      if (url.searchParams.get('since')) {
        return jsonReply(200, {
          backend: 'default',
          experiments: [experiment('3', 300)],
          next_page_token: null,
          emulated: { search: false, read_only: false, reason: null },
          recount: ['1']
        });
      }
      return jsonReply(200, {
        backend: 'default',
        experiments: [experiment('2', 200), experiment('1', 100)],
        next_page_token: null,
        emulated: { search: false, read_only: false, reason: null }
      });
    };
    model.isVisible = true;
    await model.load();
    model.requestSummaries(['1', '2']);
    await waitFor(() => model.summary('1')?.run_count === 1);
    count = 2;
    bus.emit({ ...RUN_CHANGE, experiment_id: '1' });
    await waitFor(() => model.experiments.length === 3);
    expect(model.experiments.map(e => e.experiment_id)).toEqual([
      '3',
      '2',
      '1'
    ]);
    const since = server.requests.find(r => params(r).get('since'))!;
    expect(params(since).get('since')).toBe('200');
    expect(params(since).get('ids')).toBe('2,1');
    await waitFor(() => model.summary('1')?.run_count === 2);
    const recounts = server.requests.filter(
      r => r.url.includes('/experiments/1/summary') && params(r).get('refresh')
    );
    expect(recounts.length).toBeGreaterThan(0);
  });

  it('ignores changes of another backend and waits for the first page', async () => {
    let answered = 0;
    server.handler = () => {
      answered++;
      return jsonReply(200, {
        backend: 'default',
        experiments: [],
        next_page_token: null,
        emulated: { search: false, read_only: false, reason: null }
      });
    };
    model.isVisible = true;
    bus.emit({ ...RUN_CHANGE, backend: 'other' });
    bus.emit({ ...RUN_CHANGE, kind: 'experiment', run_id: null }); // before the first load: kept for later
    await model.load();
    await waitFor(() => answered === 2);
    const since = server.requests.filter(r => params(r).get('since') !== null);
    expect(since).toHaveLength(1);
    expect(params(since[0]).get('since')).toBe('0'); // nothing loaded: everything since the start
  });
});

describe('The run page follows changes made elsewhere', () => {
  function runDetail(status: 'RUNNING' | 'FINISHED') {
    return {
      info: {
        run_id: 'r1',
        run_name: 'bold-fox',
        experiment_id: '7',
        status,
        start_time: 1,
        end_time: null,
        user_id: null,
        artifact_uri: null,
        lifecycle_stage: 'active'
      },
      params: {},
      metrics: {},
      tags: {},
      system_tags: {},
      links: {},
      artifacts: { files: [], note: null },
      logged_models: { supported: true, models: [], truncated: false }
    };
  }

  it('shows a run deleted in another view as deleted (restorable), and back when restored there', async () => {
    const server = new FakeServer();
    const bus = new EventBus();
    const live = new LiveChanges(bus);
    const model = new RunDetailModel({
      backend: 'default',
      runId: 'r1',
      serverSettings: server.settings,
      live
    });
    let deleted = false;
    server.handler = () =>
      deleted
        ? jsonReply(404, {
            message: 'Run r1 was deleted.',
            reason: 'deleted',
            error: 'not_found'
          })
        : jsonReply(200, runDetail('FINISHED'));
    await model.load();
    expect(model.deleted).toBeNull();
    const change = { ...RUN_CHANGE, run_id: 'r1', name: null };
    bus.emit({ ...change, run_id: 'r2', change: 'deleted' }); // another run
    deleted = true;
    bus.emit({ ...change, change: 'deleted' });
    await waitFor(() => model.deleted !== null);
    expect(model.deleted).toMatchObject({
      experiment_id: '7',
      permanent: false,
      runs: [{ run_id: 'r1', run_name: 'bold-fox' }]
    });
    expect(server.requests).toHaveLength(2);
    deleted = false;
    bus.emit({ ...change, change: 'restored' });
    await waitFor(() => model.deleted === null);
    expect(model.detail?.info.run_name).toBe('bold-fox');
    model.dispose();
    live.dispose();
  });
});
