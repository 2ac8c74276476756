import { requestAPI } from '../api/request';
import { getStatus } from '../api/endpoints';
import { FakeServer } from './fakeServer';
import { ErrorCode, MlopsApiError } from '../common/errors';

const STATUS = {
  version: '0.1.0',
  backends: [],
  default_backend: 'default',
  spool: { depth: 0 }
};

async function rejection(promise: Promise<unknown>): Promise<MlopsApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MlopsApiError);
    return error as MlopsApiError;
  }
  throw new Error('expected a rejection');
}

describe('requestAPI', () => {
  it('joins base_url and the namespace and sends the token', async () => {
    const server = new FakeServer().json(200, STATUS);
    const status = await getStatus(server.settings);
    expect(status).toEqual(STATUS);
    const request = server.requests[0];
    const url = new URL(request.url);
    expect(url.origin + url.pathname).toBe(
      'http://localhost:8888/user/alice/jupyterlab-mlops/status'
    );
    expect(request.headers.get('Authorization')).toBe('token secret-token');
  });

  it('parses the typed JSON error body', async () => {
    const server = new FakeServer().json(503, {
      message: 'Backend default is unreachable',
      reason: 'connection refused',
      error: 'backend_unreachable'
    });
    const error = await rejection(requestAPI('status', {}, server.settings));
    expect(error.status).toBe(503);
    expect(error.message).toBe('Backend default is unreachable');
    expect(error.reason).toBe('connection refused');
    expect(error.code).toBe('backend_unreachable');
    expect(error.isExtensionMissing).toBe(false);
  });

  it('reads a 404 with an HTML body as "server extension missing"', async () => {
    const server = new FakeServer();
    server.replies.push({
      status: 404,
      statusText: 'Not Found',
      body: '<html><body>404 : Not Found</body></html>'
    });
    const error = await rejection(getStatus(server.settings));
    expect(error.status).toBe(404);
    expect(error.code).toBe(ErrorCode.extensionMissing);
    expect(error.isExtensionMissing).toBe(true);
    expect(error.reason).toContain('pip install jupyterlab_mlops');
  });

  it('keeps a JSON 404 as the server said (unknown resource)', async () => {
    const server = new FakeServer().json(404, {
      message: 'No experiment named x',
      reason: null,
      error: 'not_found'
    });
    const error = await rejection(requestAPI('x', {}, server.settings));
    expect(error.code).toBe('not_found');
    expect(error.isExtensionMissing).toBe(false);
  });

  it('reports an error status without JSON as an HTTP error', async () => {
    const server = new FakeServer();
    server.replies.push({
      status: 502,
      statusText: 'Bad Gateway',
      body: 'upstream died'
    });
    const error = await rejection(requestAPI('status', {}, server.settings));
    expect(error.code).toBe(ErrorCode.http);
    expect(error.message).toBe('HTTP 502 Bad Gateway');
    expect(error.reason).toBe('upstream died');
  });

  it('turns a failed fetch into a network error with status 0', async () => {
    const server = new FakeServer();
    server.replies.push('network-error');
    const error = await rejection(requestAPI('status', {}, server.settings));
    expect(error.status).toBe(0);
    expect(error.code).toBe(ErrorCode.network);
  });

  it('rejects a 200 that is not JSON', async () => {
    const server = new FakeServer();
    server.replies.push({ status: 200, body: '<html>login</html>' });
    const error = await rejection(requestAPI('status', {}, server.settings));
    expect(error.code).toBe(ErrorCode.invalidResponse);
  });

  it('returns undefined for an empty success body', async () => {
    const server = new FakeServer();
    server.replies.push({ status: 204, body: '' });
    await expect(
      requestAPI('x', { method: 'DELETE' }, server.settings)
    ).resolves.toBeUndefined();
  });
});
