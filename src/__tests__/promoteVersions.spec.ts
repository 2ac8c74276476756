/**
 * The promote form's live refusal of an existing version: the pure check,
 * and the checks model against recorded server answers (real URL building,
 * request layer and model; only `fetch` answers from the recordings).
 */
import { IModelPage, INextVersion } from '../api/registry';
import {
  checkVersion,
  nextFreeVersion,
  PromoteChecksModel,
  takenVersions,
  versionTakenNow
} from '../models/promote';
import { FakeServer, jsonReply, waitFor } from './fakeServer';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const MODEL: IModelPage = require('./recorded/model.json');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const MODEL_GITLAB: IModelPage = require('./recorded/model.gitlab.json');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const NEXT: INextVersion = require('./recorded/next_version.json');

describe('checkVersion', () => {
  it('refuses a semver the MLflow model has (its semver tag) and names the next free one', () => {
    expect(checkVersion('1.2.0', MODEL.versions)).toEqual({
      state: 'taken',
      version: '1.2.0',
      suggestion: '1.2.1'
    });
    expect(checkVersion(' 1.2.1 ', MODEL.versions)).toEqual({
      state: 'free',
      version: '1.2.1'
    });
  });

  it('refuses a GitLab version', () => {
    expect(checkVersion('1.2.0', MODEL_GITLAB.versions).state).toBe('taken');
  });

  it('skips every taken patch', () => {
    const taken = new Set(['1.0.0', '1.0.1', '1.0.2']);
    expect(nextFreeVersion('1.0.0', taken)).toBe('1.0.3');
    expect(nextFreeVersion('1.0.0-rc.1', new Set(['1.0.0-rc.1']))).toBe(
      '1.0.1'
    );
    expect(nextFreeVersion('latest', taken)).toBeNull();
  });

  it('knows raw MLflow version numbers and semvers', () => {
    expect(Array.from(takenVersions(MODEL.versions)).sort()).toEqual([
      '1',
      '1.2.0'
    ]);
  });
});

describe('PromoteChecksModel version check', () => {
  function serve(exists: boolean): FakeServer {
    const server = new FakeServer();
    server.handler = request => {
      const path = new URL(request.url).pathname;
      if (path.endsWith('/next-version')) {
        return jsonReply(200, { ...NEXT, model: 'churn', exists });
      }
      if (path.endsWith('/jupyterlab-mlops/models')) {
        return jsonReply(200, { models: [], errors: [] });
      }
      if (path.endsWith('/models/churn')) {
        return jsonReply(200, { ...MODEL, name: 'churn' });
      }
      return jsonReply(404, { message: 'no', error: 'not_found' });
    };
    return server;
  }

  it('fetches the versions once for an existing model and refuses a taken one', async () => {
    const server = serve(true);
    const checks = new PromoteChecksModel({
      candidate: { backend: 'default', run_id: 'r1' },
      name: 'churn',
      serverSettings: server.settings,
      delay: 0
    });
    checks.setVersion('1.2.0');
    expect(checks.versionCheck('1.2.0').state).toBe('checking');
    await waitFor(() => checks.versionCheck('1.2.0').state !== 'checking');
    expect(checks.versionCheck('1.2.0')).toEqual({
      state: 'taken',
      version: '1.2.0',
      suggestion: '1.2.1'
    });
    checks.setVersion('2.0.0');
    await waitFor(() => checks.versionCheck('2.0.0').state !== 'checking');
    expect(checks.versionCheck('2.0.0').state).toBe('free');
    expect(server.requestsTo('/models/churn')).toHaveLength(1);
    checks.dispose();
  });

  it('takes any version for a new model, without fetching versions', async () => {
    const server = serve(false);
    const checks = new PromoteChecksModel({
      candidate: { backend: 'default', run_id: 'r1' },
      name: 'churn',
      serverSettings: server.settings,
      delay: 0
    });
    checks.setVersion('1.2.0');
    await waitFor(() => checks.versionCheck('1.2.0').state !== 'checking');
    expect(checks.versionCheck('1.2.0').state).toBe('free');
    expect(server.requestsTo('/models/churn')).toHaveLength(0);
    checks.dispose();
  });
});

describe('versionTakenNow (the check again on submit)', () => {
  it('asks the server for the versions now', async () => {
    const server = new FakeServer();
    server.handler = () => jsonReply(200, { ...MODEL, name: 'churn' });
    await expect(
      versionTakenNow('default', 'churn', '1.2.0', server.settings)
    ).resolves.toBe(true);
    await expect(
      versionTakenNow('default', 'churn', '1.2.1', server.settings)
    ).resolves.toBe(false);
    expect(server.requestsTo('/models/churn')).toHaveLength(2);
  });

  it('leaves a new model (404) to the server', async () => {
    const server = new FakeServer();
    server.handler = () =>
      jsonReply(404, { message: 'no such model', error: 'model_not_found' });
    await expect(
      versionTakenNow('default', 'churn', '1.0.0', server.settings)
    ).resolves.toBe(false);
  });
});
