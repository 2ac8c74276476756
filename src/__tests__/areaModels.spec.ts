/**
 * The models the registry, compare, promote and snapshot views render: they
 * fetch through `src/api/` (a fake server at the lowest seam), views do not.
 */
import { CompareModel } from '../models/compare';
import { PromoteChecksModel } from '../models/promote';
import { RegistryModel } from '../models/registry';
import { Resource } from '../models/resource';
import { FakeServer, jsonReply, waitFor } from './fakeServer';

const STATUS = {
  version: '0.1.0',
  default_backend: 'default',
  backends: [
    {
      name: 'default',
      kind: 'gitlab',
      health: 'healthy',
      capabilities: { write: false, reason: 'read_api token' }
    }
  ],
  spool: { depth: 0 }
};

function path(request: Request): string {
  return new URL(request.url).pathname.replace(
    '/user/alice/jupyterlab-mlops/',
    ''
  );
}

describe('Resource', () => {
  it('lets the newer load win and keeps the value on failure', async () => {
    const answers: ((v: number) => void)[] = [];
    let fail = false;
    const resource = new Resource<number>(() =>
      fail
        ? Promise.reject(new Error('down'))
        : new Promise<number>(resolve => answers.push(resolve))
    );
    const first = resource.load();
    const second = resource.load();
    answers[1](2);
    answers[0](1);
    await Promise.all([first, second]);
    expect(resource.value).toBe(2);
    expect(resource.phase).toBe('ready');
    fail = true;
    await resource.load();
    expect(resource.phase).toBe('error');
    expect(resource.error?.message).toBe('down');
    expect(resource.value).toBe(2);
    resource.dispose();
  });
});

describe('RegistryModel', () => {
  it('loads the list, searches debounced, and keeps a page shown twice', async () => {
    const server = new FakeServer();
    server.handler = request => {
      const p = path(request);
      if (p === 'models') {
        const search = new URL(request.url).searchParams.get('search') ?? '';
        return jsonReply(200, { models: [], errors: [], search });
      }
      if (p === 'status') {
        return jsonReply(200, STATUS);
      }
      if (p.startsWith('backends/default/models/churn')) {
        return jsonReply(200, { name: 'churn', versions: [] });
      }
      return undefined;
    };
    const registry = new RegistryModel({
      serverSettings: server.settings,
      searchDelay: 1
    });
    registry.showList();
    await waitFor(() => registry.list.phase === 'ready');
    expect(server.requestsTo('/models')).toHaveLength(1);

    registry.setSearch('  chu');
    registry.setSearch('churn ');
    await waitFor(() => registry.listedSearch === 'churn');
    const searches = server
      .requestsTo('/models')
      .map(r => new URL(r.url).searchParams.get('search'));
    expect(searches).toEqual([null, 'churn']);
    // A search that comes with a navigation (a command's argument) goes at once.
    registry.setSearch('iris', true);
    expect(server.requestsTo('/models')).toHaveLength(3);
    await waitFor(() => registry.listedSearch === 'iris');

    const page = registry.showModel('default', 'churn');
    expect(registry.showModel('default', 'churn')).toBe(page);
    await waitFor(() => page.phase === 'ready');
    expect(page.value?.name).toBe('churn');
    expect(server.requestsTo('/models/churn')).toHaveLength(1);
    await waitFor(() => registry.status.phase === 'ready');
    expect(registry.writeBlocked('default')).toBe('read_api token');

    registry.showList();
    expect(registry.modelPage).toBeNull();
    expect(page.isDisposed).toBe(true);
    registry.dispose();
  });
});

describe('CompareModel', () => {
  it('asks for 2..50 runs and again when one is left out', async () => {
    const server = new FakeServer();
    server.handler = request => {
      const p = path(request);
      if (p === 'status') {
        return jsonReply(200, STATUS);
      }
      if (p === 'compare') {
        const runs = new URL(request.url).searchParams.getAll('run');
        return jsonReply(200, {
          runs: runs.map(r => ({ run_id: r })),
          params: [],
          metrics: [],
          series: []
        });
      }
      return undefined;
    };
    const runs = ['a', 'b', 'c'].map(run_id => ({
      backend: 'default',
      run_id
    }));
    const model = new CompareModel({ runs, serverSettings: server.settings });
    await waitFor(() => model.result.phase === 'ready');
    expect(model.result.value?.runs).toHaveLength(3);

    let changes = 0;
    model.changed.connect(() => changes++);
    model.removeRun(runs[1]);
    expect(model.key).toBe('default:a,default:c');
    expect(changes).toBe(1);
    await waitFor(
      () =>
        model.result.phase === 'ready' && model.result.value?.runs.length === 2
    );
    expect(server.requestsTo('/compare')).toHaveLength(2);

    model.removeRun(runs[0]);
    expect(model.countOk).toBe(false);
    expect(server.requestsTo('/compare')).toHaveLength(2);
    model.dispose();
  });
});

describe('PromoteChecksModel', () => {
  it('checks the name at once, then the champion, and lists other models', async () => {
    const server = new FakeServer();
    server.handler = request => {
      const p = path(request);
      if (p.endsWith('/next-version')) {
        return jsonReply(200, { exists: true, suggested: '1.0.1' });
      }
      if (p.endsWith('/champion')) {
        return jsonReply(200, { rows: [] });
      }
      if (p === 'models') {
        return jsonReply(200, {
          models: [
            { backend: 'default', name: 'churn' },
            { backend: 'default', name: 'churn-v2' },
            { backend: 'other', name: 'churn-x' }
          ],
          errors: []
        });
      }
      return undefined;
    };
    const checks = new PromoteChecksModel({
      candidate: { backend: 'default', run_id: 'r1' },
      name: ' churn ',
      serverSettings: server.settings,
      delay: 1
    });
    expect(checks.name).toBe('churn');
    expect(checks.check.state).toBe('checking');
    await waitFor(() => checks.champion !== null);
    expect(checks.check).toEqual({
      state: 'ok',
      info: { exists: true, suggested: '1.0.1' }
    });
    expect(checks.matches).toEqual(['churn-v2']);

    checks.setName('bad name!');
    await waitFor(() => checks.name === 'bad name!');
    expect(checks.check.state).toBe('idle');
    expect(checks.champion).toBeNull();
    checks.dispose();
  });
});
