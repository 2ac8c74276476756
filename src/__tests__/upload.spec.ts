/**
 * The upload keeps an XMLHttpRequest (fetch has no upload progress), but its
 * URL and headers come from `ServerConnection.makeRequest` with the app's
 * settings: base_url, the token, and the XSRF cookie as JupyterLab reads it.
 */
import { preparedRequest, uploadVersionFile } from '../api/upload';
import { MlopsApiError } from '../common/errors';
import { FakeServer } from './fakeServer';

const UPLOAD = {
  max_bytes: 1024,
  flat_names: true,
  name_rule: 'letters',
  name_pattern: null
};

/** An XMLHttpRequest stand-in that records what it is asked to send. */
class FakeXhr {
  static last: FakeXhr | null = null;
  static answer = { status: 201, body: '{}' };
  method = '';
  url = '';
  headers: Record<string, string> = {};
  sent: unknown = null;
  status = 0;
  statusText = '';
  responseText = '';
  upload: { onprogress: ((e: any) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(key: string, value: string): void {
    this.headers[key.toLowerCase()] = value;
  }
  send(body: unknown): void {
    this.sent = body;
    this.upload.onprogress?.({ lengthComputable: true, loaded: 5, total: 10 });
    this.status = FakeXhr.answer.status;
    this.responseText = FakeXhr.answer.body;
    this.onload?.();
  }
  abort(): void {
    this.onabort?.();
  }
}

describe('upload through the request layer', () => {
  const realXhr = (globalThis as any).XMLHttpRequest;
  beforeEach(() => {
    (globalThis as any).XMLHttpRequest = FakeXhr;
    document.cookie = '_xsrf=old-token; path=/';
  });
  afterEach(() => {
    (globalThis as any).XMLHttpRequest = realXhr;
    document.cookie = '_xsrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
  });

  it('takes URL, token and XSRF header from ServerConnection', async () => {
    const server = new FakeServer();
    const request = await preparedRequest(
      'http://localhost:8888/user/alice/jupyterlab-mlops/x',
      { method: 'PUT' },
      server.settings
    );
    expect(request.headers.get('Authorization')).toBe('token secret-token');
    expect(request.headers.get('X-XSRFToken')).toBe('old-token');
    // Nothing was sent: the request was only built.
    expect(server.requests).toHaveLength(0);
  });

  it('PUTs the file with progress and returns the new file list', async () => {
    const server = new FakeServer();
    FakeXhr.answer = {
      status: 201,
      body: JSON.stringify({ path: 'model.pkl', size: 3, artifacts: [] })
    };
    const progress: number[] = [];
    const file = new File(['abc'], 'model.pkl');
    const result = await uploadVersionFile({
      backend: 'default',
      model: 'churn',
      version: '3',
      file,
      upload: UPLOAD,
      settings: server.settings,
      onProgress: f => progress.push(f)
    });
    expect(result.path).toBe('model.pkl');
    expect(progress).toEqual([0.5]);
    const xhr = FakeXhr.last!;
    expect(xhr.method).toBe('PUT');
    // (makeRequest adds its cache buster, as to every other call)
    const url = new URL(xhr.url);
    expect(url.origin + url.pathname).toBe(
      'http://localhost:8888/user/alice/jupyterlab-mlops/backends/default/models/churn/versions/3/artifacts/model.pkl'
    );
    expect(xhr.headers['authorization']).toBe('token secret-token');
    expect(xhr.headers['x-xsrftoken']).toBe('old-token');
    expect(xhr.headers['content-type']).toBe('application/octet-stream');
    expect(xhr.sent).toBe(file);
  });

  it('rejects with the server error, its body kept', async () => {
    const server = new FakeServer();
    FakeXhr.answer = {
      status: 413,
      body: JSON.stringify({
        message: 'Too large',
        error: 'too_large',
        max_bytes: 1024
      })
    };
    const error = await uploadVersionFile({
      backend: 'default',
      model: 'churn',
      version: '3',
      file: new File(['abc'], 'model.pkl'),
      upload: UPLOAD,
      settings: server.settings
    }).catch(e => e);
    expect(error).toBeInstanceOf(MlopsApiError);
    expect(error.status).toBe(413);
    expect(error.code).toBe('too_large');
    expect(error.body.max_bytes).toBe(1024);
  });
});
