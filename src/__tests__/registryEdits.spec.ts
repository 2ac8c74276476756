import { RegistryModel } from '../models/registry';
import { versionLossText } from '../registry/dialogs';
import {
  descriptionProblem,
  newModelNameProblem,
  registryEditing,
  tagKeyProblem
} from '../registry/editRules';
import { FakeServer, jsonReply, waitFor } from './fakeServer';

const PREFIX = '/user/alice/jupyterlab-mlops/';

function route(request: Request): string {
  return new URL(request.url).pathname.slice(PREFIX.length);
}

describe('registry editing rules', () => {
  it('says what GitLab cannot do, and MLflow can', () => {
    expect(registryEditing('gitlab')).toEqual({
      rename: false,
      tags: false,
      deleteVersion: false
    });
    expect(Object.values(registryEditing('mlflow')).every(Boolean)).toBe(true);
  });

  it('checks new model names: GitLab rule and not taken', () => {
    const taken = (n: string) => n === 'churn';
    expect(newModelNameProblem('churn', taken)).toMatch(/exists already/);
    expect(newModelNameProblem('my model', taken)).toMatch(/spaces/);
    expect(newModelNameProblem('modèle', taken)).toMatch(/not allowed/);
    expect(newModelNameProblem('', taken)).toMatch(/Enter a model name/);
    expect(newModelNameProblem('team/churn-2', taken)).toBeNull();
  });

  it('checks tag keys and descriptions', () => {
    expect(tagKeyProblem('')).toMatch(/Type a tag key/);
    expect(tagKeyProblem('mlflow.note')).toMatch(/managed/);
    expect(tagKeyProblem('mlops.source_run')).toMatch(/managed/);
    expect(tagKeyProblem('x'.repeat(251))).toMatch(/250/);
    expect(tagKeyProblem('team')).toBeNull();
    expect(descriptionProblem('')).toBeNull();
    expect(descriptionProblem('x'.repeat(10001))).toMatch(/10000/);
    expect(descriptionProblem('a\nb')).toBeNull();
  });

  it('names what deleting a version loses, and that the run stays', () => {
    const text = versionLossText('churn', '3', ['champion']);
    expect(text).toContain('Version 3 of churn');
    expect(text).toContain('@champion');
    expect(text).toContain('models:/churn@champion');
    expect(text).toContain('The run it came from stays');
    expect(versionLossText('churn', '3', [])).not.toContain('alias');
  });
});

describe('RegistryModel edits', () => {
  it('creates, edits and deletes through the routes, and tells listeners', async () => {
    const server = new FakeServer();
    const page = (name: string, description = '') => ({
      name,
      backend: 'default',
      description,
      versions: [],
      tags: {}
    });
    server.handler = request => {
      const r = route(request);
      const m = request.method;
      if (r === 'models' && m === 'GET') {
        return jsonReply(200, { models: [], errors: [] });
      }
      if (r === 'models' && m === 'POST') {
        return jsonReply(201, page('churn', 'first'));
      }
      if (r === 'backends/default/models/churn' && m === 'GET') {
        return jsonReply(200, page('churn', 'first'));
      }
      if (r === 'backends/default/models/churn' && m === 'PATCH') {
        return jsonReply(200, page('churn', 'second\nline'));
      }
      if (r === 'backends/default/models/churn' && m === 'DELETE') {
        return jsonReply(200, { name: 'churn', versions_deleted: 2 });
      }
      if (r === 'backends/default/models/churn/versions/3' && m === 'DELETE') {
        return jsonReply(400, {
          message: "GitLab's model registry API cannot delete a model version",
          reason: 'delete_version_unsupported',
          error: 'invalid_input'
        });
      }
      return undefined;
    };
    const registry = new RegistryModel({ serverSettings: server.settings });
    let edits = 0;
    registry.edited.connect(() => edits++);
    registry.showList();
    await waitFor(() => registry.list.phase === 'ready');

    const created = await registry.createModel({
      backend: 'default',
      name: 'churn',
      description: 'first'
    });
    expect(created.name).toBe('churn');
    const post = server.requestsTo('/models').find(r => r.method === 'POST')!;
    expect(await post.json()).toEqual({
      backend: 'default',
      name: 'churn',
      description: 'first'
    });
    await waitFor(() => server.requestsTo('/models').length === 3); // the list reloaded

    const shown = registry.showModel('default', 'churn');
    await waitFor(() => shown.phase === 'ready');
    await registry.editModel('default', 'churn', {
      description: 'second\nline'
    });
    expect(shown.value?.description).toBe('second\nline');

    const gone = await registry.deleteModel('default', 'churn', 'churn');
    expect(gone.versions_deleted).toBe(2);
    const del = server.requests.find(r => r.method === 'DELETE')!;
    expect(new URL(del.url).searchParams.get('confirm')).toBe('churn');

    const refused = await registry
      .deleteVersion({ backend: 'default', model: 'churn', version: '3' })
      .catch(e => e);
    expect(refused.message).toContain('cannot delete a model version');
    expect(edits).toBe(3);
    registry.dispose();
  });
});

describe('RegistryModel and changes made elsewhere', () => {
  it("reloads the list and that model's page, not another model's", async () => {
    const server = new FakeServer();
    server.handler = request => {
      const r = route(request);
      if (r === 'models') {
        return jsonReply(200, { models: [], errors: [] });
      }
      const name = r.split('/')[3];
      return jsonReply(200, {
        name,
        backend: 'default',
        description: '',
        versions: [],
        tags: {}
      });
    };
    const registry = new RegistryModel({ serverSettings: server.settings });
    registry.showList();
    await waitFor(() => registry.list.phase === 'ready');
    const shown = registry.showModel('default', 'churn');
    await waitFor(() => shown.phase === 'ready');
    const pageLoads = () =>
      server.requestsTo('/models/churn').filter(r => r.method === 'GET').length;
    expect(pageLoads()).toBe(1);

    registry.modelChangedElsewhere('default', 'other');
    await waitFor(() => server.requestsTo('/models').length === 2);
    registry.modelChangedElsewhere('other-backend', 'churn');
    await waitFor(() => server.requestsTo('/models').length === 3);
    expect(pageLoads()).toBe(1);
    registry.modelChangedElsewhere('default', 'churn');
    await waitFor(() => pageLoads() === 2);
    registry.dispose();
  });
});
