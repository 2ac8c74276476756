/**
 * Editing runs and experiments in the models: what each backend allows, the
 * requests sent, the rows that follow (own edits and other views' change
 * events), the deleted lists.
 */
import { Signal } from '@lumino/signaling';

import {
  IBackendStatus,
  IExperimentRow,
  IRunDetail,
  IRunRow
} from '../api/types';
import { RunDetailModel } from '../models/detail';
import {
  editSupport,
  GITLAB_NO_RENAME,
  nameProblem,
  tagKeyProblem
} from '../models/edits';
import { ExperimentsModel } from '../models/experiments';
import { CHANGES_SCHEMA_ID, IEmission, LiveChanges } from '../models/live';
import { RunsModel } from '../models/runs';
import { FakeServer, jsonReply, waitFor } from './fakeServer';

class EventBus {
  readonly stream = new Signal<this, IEmission>(this);
  emit(data: Record<string, unknown>): void {
    this.stream.emit({ schema_id: CHANGES_SCHEMA_ID, ...data });
  }
}

function backend(kind: 'mlflow' | 'gitlab', write = true): IBackendStatus {
  return {
    name: 'b',
    kind,
    url: 'http://x',
    embedded: false,
    health: 'healthy',
    message: '',
    capabilities: write ? { write } : { write, reason: 'read_api token' }
  };
}

function row(i: number): IRunRow {
  return {
    run_id: `r${i}`,
    run_name: `run-${i}`,
    status: 'FINISHED',
    start_time: 1700000000000 - i,
    end_time: 1700000000100 - i,
    user_id: null,
    experiment_id: '7',
    params: {},
    metrics: {},
    tags: {}
  };
}

function page(runs: IRunRow[]) {
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

function body(request: Request): Promise<any> {
  return request.clone().json();
}

describe('editSupport', () => {
  it('allows everything on MLflow, adding only on GitLab, nothing read-only', () => {
    const mlflow = editSupport(backend('mlflow'));
    expect(mlflow).toEqual({
      write: null,
      rename: null,
      restore: null,
      changeTags: null,
      changeDescription: null,
      permanentDelete: false
    });
    const gitlab = editSupport(backend('gitlab'));
    expect(gitlab.write).toBeNull();
    expect(gitlab.rename).toBe(GITLAB_NO_RENAME);
    expect(gitlab.restore).toMatch(/for good/);
    expect(gitlab.changeTags).toMatch(/GitLab's API cannot change/);
    expect(gitlab.permanentDelete).toBe(true);
    const readOnly = editSupport(backend('mlflow', false));
    expect(readOnly.write).toBe('read_api token');
    expect(readOnly.rename).toBe('read_api token');
  });

  it('checks tag keys and names like the server', () => {
    expect(tagKeyProblem('team', {})).toBeNull();
    expect(tagKeyProblem('  ', {})).toMatch(/required/);
    expect(tagKeyProblem('mlflow.user', {})).toMatch(/read-only/);
    expect(tagKeyProblem('gitlab.CI_JOB_ID', {})).toMatch(/read-only/);
    expect(tagKeyProblem('team', { team: 'x' })).toMatch(/exists/);
    expect(tagKeyProblem('k'.repeat(251), {})).toMatch(/250/);
    expect(nameProblem('ok', 'run')).toBeNull();
    expect(nameProblem(' ', 'run')).toMatch(/required/);
    expect(nameProblem('a\nb', 'run')).toMatch(/control/);
  });
});

describe('RunsModel editing', () => {
  let server: FakeServer;
  let bus: EventBus;
  let live: LiveChanges;
  let model: RunsModel;

  beforeEach(async () => {
    server = new FakeServer();
    bus = new EventBus();
    live = new LiveChanges(bus);
    model = new RunsModel({
      backend: 'default',
      experimentId: '7',
      experimentName: 'demo',
      serverSettings: server.settings,
      defaultColumns: ['metrics.loss'],
      live
    });
    server.json(200, page([row(1), row(2), row(3)]));
    await model.reload();
  });

  afterEach(() => {
    model.dispose();
    live.dispose();
  });

  it('deletes the selected runs: rows and selection go, restore brings them back', async () => {
    model.selection.toggle('r1', true);
    model.selection.toggle('r2', true);
    server.handler = request =>
      new URL(request.url).pathname.endsWith('/runs/delete')
        ? jsonReply(200, {
            experiment_id: '7',
            runs: [
              { run_id: 'r1', run_name: 'run-1' },
              { run_id: 'r2', run_name: 'run-2' }
            ],
            failed: [],
            permanent: false
          })
        : undefined;
    const done = await model.deleteRuns(model.selection.ids);
    expect(done.permanent).toBe(false);
    const [sent] = server.requestsTo('/experiments/7/runs/delete');
    expect(sent.method).toBe('POST');
    expect(await body(sent)).toEqual({ run_ids: ['r1', 'r2'] });
    expect(model.rows.map(r => r.run_id)).toEqual(['r3']);
    expect(model.selection.size).toBe(0);

    server.handler = request =>
      new URL(request.url).pathname.endsWith('/runs/restore')
        ? jsonReply(200, { ...done, runs: done.runs })
        : jsonReply(200, page([row(1), row(2), row(3)]));
    await model.restoreRuns(['r1', 'r2']);
    await waitFor(() => model.rows.length === 3);
  });

  it('follows other views: a rename, a delete, a restore', async () => {
    const change = {
      backend: 'default',
      kind: 'run',
      experiment_id: '7',
      run_id: 'r2',
      name: 'renamed elsewhere'
    };
    bus.emit({ ...change, change: 'edited' });
    expect(model.rows.find(r => r.run_id === 'r2')?.run_name).toBe(
      'renamed elsewhere'
    );
    bus.emit({ ...change, change: 'deleted' });
    expect(model.rows.map(r => r.run_id)).toEqual(['r1', 'r3']);
    bus.emit({
      ...change,
      experiment_id: '8',
      run_id: 'r1',
      change: 'deleted'
    });
    expect(model.rows).toHaveLength(2); // another experiment's run
    server.json(200, page([row(1), row(2), row(3)]));
    bus.emit({ ...change, change: 'restored' });
    await waitFor(() => model.rows.length === 3);
  });

  it('lists the deleted runs when shown', async () => {
    server.handler = request =>
      new URL(request.url).pathname.endsWith('/runs/deleted')
        ? jsonReply(200, {
            experiment_id: '7',
            supported: true,
            runs: [{ ...row(9), run_name: '<b>gone</b>' }],
            truncated: false,
            note: null
          })
        : undefined;
    await model.bin.show(true);
    expect(model.bin.deleted?.runs[0].run_name).toBe('<b>gone</b>');
    expect(model.bin.phase).toBe('ready');
  });
});

function runDetail(): IRunDetail {
  return {
    info: {
      run_id: 'r1',
      run_name: 'before',
      experiment_id: '7',
      status: 'FINISHED',
      start_time: 1,
      end_time: 2,
      user_id: null,
      artifact_uri: null,
      lifecycle_stage: 'active'
    },
    params: { lr: '0.1' },
    metrics: {},
    tags: { team: 'ml' },
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
    artifacts: { files: [], note: null },
    logged_models: { supported: true, models: [], truncated: false, note: null }
  };
}

describe('RunDetailModel editing', () => {
  it('shows the edit, then the deletion and the restore', async () => {
    const server = new FakeServer();
    const model = new RunDetailModel({
      backend: 'default',
      runId: 'r1',
      serverSettings: server.settings
    });
    server.json(200, runDetail());
    await model.load();
    server.handler = request =>
      new URL(request.url).pathname.endsWith('/runs/r1/edit')
        ? jsonReply(200, {
            run_id: 'r1',
            experiment_id: '7',
            run_name: 'after',
            lifecycle_stage: 'active',
            description: 'why',
            tags: { team: 'vision' },
            system_tags: { 'mlflow.note.content': 'why' }
          })
        : undefined;
    await model.edit({ run_name: 'after', description: 'why' });
    const [sent] = server.requestsTo('/runs/r1/edit');
    expect(sent.method).toBe('PATCH');
    expect(await body(sent)).toEqual({ run_name: 'after', description: 'why' });
    expect(model.detail?.info.run_name).toBe('after');
    expect(model.detail?.tags).toEqual({ team: 'vision' });
    expect(model.detail?.params).toEqual({ lr: '0.1' });

    server.handler = request =>
      new URL(request.url).pathname.endsWith('/runs/delete')
        ? jsonReply(200, {
            experiment_id: '7',
            runs: [{ run_id: 'r1', run_name: 'after' }],
            failed: [],
            permanent: false
          })
        : new URL(request.url).pathname.endsWith('/runs/restore')
          ? jsonReply(200, {
              experiment_id: '7',
              runs: [{ run_id: 'r1', run_name: 'after' }],
              failed: [],
              permanent: false
            })
          : jsonReply(200, runDetail());
    await model.remove();
    expect(model.deleted?.permanent).toBe(false);
    await model.restore();
    expect(model.deleted).toBeNull();
    expect(server.requestsTo('/experiments/7/runs/restore')).toHaveLength(1);
    model.dispose();
  });
});

function experiment(id: string, name: string): IExperimentRow {
  return {
    experiment_id: id,
    name,
    lifecycle_stage: 'active',
    creation_time: 1,
    last_update_time: 1,
    creator: null,
    description: null,
    model_name: null,
    tags: {},
    summary: null
  };
}

describe('ExperimentsModel editing', () => {
  it('renames and deletes rows, lists and restores the deleted ones', async () => {
    const server = new FakeServer();
    const bus = new EventBus();
    const live = new LiveChanges(bus);
    const model = new ExperimentsModel({
      backend: 'default',
      serverSettings: server.settings,
      live
    });
    const list = {
      backend: 'default',
      experiments: [experiment('1', 'a'), experiment('2', 'b')],
      next_page_token: null,
      emulated: { search: false, read_only: false, reason: null }
    };
    server.handler = request => {
      const path = new URL(request.url).pathname;
      if (path.endsWith('/experiments/1/edit')) {
        return jsonReply(200, experiment('1', 'a2'));
      }
      if (path.endsWith('/experiments/2/delete')) {
        return jsonReply(200, {
          experiment_id: '2',
          name: 'b',
          permanent: false
        });
      }
      if (path.endsWith('/experiments/deleted')) {
        return jsonReply(200, {
          supported: true,
          experiments: [
            { ...experiment('2', 'b'), lifecycle_stage: 'deleted' }
          ],
          truncated: false,
          note: null
        });
      }
      if (path.endsWith('/experiments/2/restore')) {
        return jsonReply(200, {
          experiment_id: '2',
          name: 'b',
          permanent: false
        });
      }
      return path.endsWith('/experiments') ? jsonReply(200, list) : undefined;
    };
    await model.load();
    await model.edit('1', { name: 'a2' });
    expect(model.experiments.map(e => e.name)).toEqual(['a2', 'b']);
    await model.bin.show(true);
    await model.remove('2');
    expect(model.experiments.map(e => e.experiment_id)).toEqual(['1']);
    await waitFor(() => model.bin.deleted?.experiments.length === 1);
    await model.restore('2');
    await waitFor(() => model.experiments.length === 2);
    // another view renamed one: the row follows the event
    bus.emit({
      backend: 'default',
      kind: 'experiment',
      experiment_id: '2',
      run_id: null,
      change: 'edited',
      name: 'b2'
    });
    expect(model.experiments.find(e => e.experiment_id === '2')?.name).toBe(
      'b2'
    );
    model.dispose();
    live.dispose();
  });
});
