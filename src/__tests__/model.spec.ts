import { IBackendStatus, IStatus } from '../api/types';
import { MlopsModel, ServerState } from '../models/mlops';
import { DEFAULT_SETTINGS, readSettings } from '../models/settings';
import { FakeServer, jsonReply } from './fakeServer';

function backend(health: IBackendStatus['health']): IBackendStatus {
  return {
    name: 'default',
    kind: 'mlflow',
    url: 'http://127.0.0.1:40123',
    embedded: true,
    health,
    message: health === 'failed' ? 'mlflow exited with code 1' : '',
    capabilities: {}
  };
}

function status(health: IBackendStatus['health']): IStatus {
  return {
    version: '0.1.0',
    backends: [backend(health)],
    default_backend: 'default',
    spool: { depth: 0 }
  };
}

const EMPTY_LIST = {
  backend: 'default',
  experiments: [],
  next_page_token: null,
  emulated: { search: false, reason: null }
};

describe('MlopsModel', () => {
  let server: FakeServer;
  let model: MlopsModel;
  let seen: ServerState[];

  beforeEach(() => {
    server = new FakeServer();
    model = new MlopsModel({ serverSettings: server.settings });
    seen = [];
    model.statusChanged.connect((_, state) => seen.push(state));
  });

  afterEach(() => {
    model.dispose();
  });

  it('starts in "connecting" and does not poll while hidden', () => {
    expect(model.state.phase).toBe('connecting');
    expect(model.isVisible).toBe(false);
    expect(server.requests).toHaveLength(0);
  });

  it('goes starting -> healthy and polls faster while starting', async () => {
    server.json(200, status('starting')).json(200, status('healthy'));

    await model.refresh();
    expect(model.state.phase).toBe('ready');
    expect(model.defaultBackend?.health).toBe('starting');
    expect(model.isStarting).toBe(true);
    expect(model.pollFrequency.interval).toBe(1000);

    await model.refresh();
    expect(model.defaultBackend?.health).toBe('healthy');
    expect(model.isStarting).toBe(false);
    expect(model.pollFrequency.interval).toBe(
      DEFAULT_SETTINGS.refreshInterval * 1000
    );
    expect(seen.map(s => s.phase)).toEqual(['ready', 'ready']);
  });

  it('does not signal when the answer is unchanged', async () => {
    server.handler = request =>
      new URL(request.url).pathname.endsWith('/experiments')
        ? jsonReply(200, EMPTY_LIST)
        : undefined;
    server.json(200, status('healthy'));
    await model.refresh();
    await model.refresh();
    expect(server.requestsTo('/status')).toHaveLength(2);
    expect(seen).toHaveLength(1);
  });

  it('reports a missing server extension', async () => {
    server.replies.push({ status: 404, body: '<html>404</html>' });
    await model.refresh();
    expect(model.state.phase).toBe('missing');
    expect(model.status).toBeNull();
  });

  it('reports an unreachable Jupyter server, then recovers', async () => {
    server.replies.push('network-error');
    server.json(200, status('healthy'));
    await model.refresh();
    const state = model.state;
    expect(state.phase).toBe('error');
    if (state.phase === 'error') {
      expect(state.error.status).toBe(0);
    }
    await model.refresh();
    expect(model.state.phase).toBe('ready');
  });

  it('keeps a failed backend message', async () => {
    server.json(200, status('failed'));
    await model.refresh();
    expect(model.defaultBackend?.message).toBe('mlflow exited with code 1');
  });

  it('applies refreshInterval from the settings to the poll', () => {
    model.settings = readSettings({ refreshInterval: 30 });
    expect(model.pollFrequency.interval).toBe(30000);
  });

  it('fetches as soon as it becomes visible', async () => {
    server.json(200, status('healthy'));
    const changed = new Promise<void>(resolve =>
      model.statusChanged.connect(() => resolve())
    );
    model.isVisible = true;
    await changed;
    expect(model.defaultBackend?.health).toBe('healthy');
  });

  it('polls the status for an always-shown view while the sidebar is hidden', async () => {
    server.json(200, status('healthy'));
    const changed = new Promise<void>(resolve =>
      model.statusChanged.connect(() => resolve())
    );
    const hold = model.holdStatusVisible();
    await changed;
    expect(model.defaultBackend?.health).toBe('healthy');
    // The hold keeps the status fresh; the sidebar stays hidden.
    expect(server.requestsTo('/status').length).toBeGreaterThan(0);
    expect(model.isVisible).toBe(false);
    hold.dispose();
  });
});

describe('MlopsModel navigation', () => {
  it('lists the experiments of the healthy default backend and builds page models', async () => {
    const server = new FakeServer();
    server.handler = request => {
      const path = new URL(request.url).pathname;
      if (path.endsWith('/status')) {
        return jsonReply(200, status('healthy'));
      }
      if (path.endsWith('/experiments')) {
        return jsonReply(200, EMPTY_LIST);
      }
      return jsonReply(200, {
        experiment_id: '7',
        runs: [],
        columns: [],
        available_columns: { params: [], metrics: [], tags: [] },
        next_page_token: null,
        total: null,
        emulated: { filter: false, order: false, reason: null }
      });
    };
    const model = new MlopsModel({ serverSettings: server.settings });
    await model.refresh();
    expect(model.experiments?.backend).toBe('default');

    // An experiment page builds its candidates model through the app model,
    // with the settings; the page (not the app model) owns it.
    model.settings = { ...model.settings, pageSize: 20 };
    const runs = model.createRuns({
      backend: 'default',
      experiment_id: '7',
      name: 'demo'
    });
    expect(runs.experimentName).toBe('demo');
    expect(runs.isVisible).toBe(false);
    await runs.reload();
    const [request] = server.requestsTo('/experiments/7/runs');
    expect(new URL(request.url).searchParams.get('max_results')).toBe('20');
    runs.dispose();
    // A refresh reloads the open pages only (a disposed one is forgotten).
    await model.refresh();
    expect(server.requestsTo('/experiments/7/runs')).toHaveLength(1);
    model.dispose();
  });

  it('does not list experiments while the backend is not healthy', async () => {
    const server = new FakeServer().json(200, status('starting'));
    const model = new MlopsModel({ serverSettings: server.settings });
    await model.refresh();
    expect(model.experiments).toBeNull();
    expect(server.requestsTo('/experiments')).toHaveLength(0);
    model.dispose();
  });
});

describe('readSettings', () => {
  it('falls back to defaults for missing or bad values', () => {
    expect(readSettings({})).toEqual(DEFAULT_SETTINGS);
    expect(
      readSettings({
        pageSize: -3,
        refreshInterval: 'x',
        defaultColumns: ['metrics.loss', 3],
        autoSnapshot: false
      })
    ).toEqual({
      pageSize: 50,
      refreshInterval: 10,
      defaultColumns: ['metrics.loss'],
      autoSnapshot: false
    });
  });
});
