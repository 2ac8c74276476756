import {
  IRequestHandlerDeps,
  matchBackend,
  parseRequest,
  SnapshotRequestHandler
} from '../snapshot/protocol';
import {
  FakeComm,
  notebook,
  openMsg,
  request,
  RESULT
} from './snapshotFixtures';

function deps(
  overrides: Partial<IRequestHandlerDeps> = {}
): IRequestHandlerDeps & { take: jest.Mock; warn: jest.Mock } {
  const nb = notebook();
  const base: IRequestHandlerDeps = {
    findNotebook: id => (id === 'k1' ? nb : null),
    autoSnapshot: () => true,
    resolveBackend: async (uri, backend) =>
      matchBackend(uri, backend, [
        { name: 'default', url: 'http://127.0.0.1:5000' }
      ]),
    take: jest.fn(async () => RESULT),
    warn: jest.fn()
  };
  return { ...base, ...overrides } as any;
}

describe('parseRequest / matchBackend', () => {
  it('validates the comm_open data', () => {
    expect(parseRequest(request())).toMatchObject({
      request_id: 'req-1',
      run_id: 'run1234567890',
      kernel_id: 'k1'
    });
    expect(parseRequest({ run_id: 'x' })).toBeNull();
    expect(parseRequest(request({ run_id: '' }))).toBeNull();
    expect(parseRequest('nope')).toBeNull();
    expect(
      parseRequest(request({ packages: { a: '1', b: 2, c: {} } }))?.packages
    ).toEqual({ a: '1', b: '2' });
  });

  it('finds the backend by name, URL or proxy URI', () => {
    const backends = [
      { name: 'default', url: 'http://127.0.0.1:5000' },
      { name: 'gl', url: 'https://gitlab.example/api/v4/projects/1/ml/mlflow/' }
    ];
    expect(matchBackend('anything', 'named', backends)).toBe('named');
    expect(matchBackend('http://127.0.0.1:5000/', null, backends)).toBe(
      'default'
    );
    expect(
      matchBackend(
        'https://gitlab.example/api/v4/projects/1/ml/mlflow',
        null,
        backends
      )
    ).toBe('gl');
    expect(
      matchBackend(
        'http://127.0.0.1:8888/jupyterlab-mlops/backends/gl/mlflow/',
        null,
        backends
      )
    ).toBe('gl');
    expect(
      matchBackend(
        'http://127.0.0.1:8888/jupyterlab-mlops/backends/zzz/mlflow',
        null,
        backends
      )
    ).toBeNull();
    expect(matchBackend('http://elsewhere:5000', null, backends)).toBeNull();
    expect(matchBackend('', null, backends)).toBeNull();
  });
});

describe('SnapshotRequestHandler', () => {
  it('acks with take=true at once, waits for the cell, then replies done', async () => {
    const d = deps();
    const comm = new FakeComm();
    let cellEnded!: () => void;
    const waitForCell = jest.fn(
      () => new Promise<void>(resolve => (cellEnded = resolve))
    );
    const work = new SnapshotRequestHandler(d).handleOpen(
      comm,
      openMsg(request()),
      'k1',
      waitForCell
    );
    expect(comm.sent).toEqual([
      { type: 'ack', request_id: 'req-1', take: true }
    ]);
    expect(waitForCell).toHaveBeenCalledWith('exec-1');
    await Promise.resolve();
    expect(d.take).not.toHaveBeenCalled();
    cellEnded();
    await work;
    expect(d.take).toHaveBeenCalledWith(
      expect.objectContaining({ path: 'work/nb.ipynb' }),
      { backend: 'default', run_id: 'run1234567890' },
      {
        packages: { numpy: '2.0.0' },
        python: { version: '3.12.1' }
      }
    );
    expect(comm.sent[1]).toEqual({
      request_id: 'req-1',
      type: 'done',
      result: RESULT
    });
  });

  it('acks take=false when automatic snapshots are off', async () => {
    const d = deps({ autoSnapshot: () => false });
    const comm = new FakeComm();
    const work = new SnapshotRequestHandler(d).handleOpen(
      comm,
      openMsg(request()),
      'k1',
      async () => undefined
    );
    expect(work).toBeNull();
    expect(comm.sent).toEqual([
      { type: 'ack', request_id: 'req-1', take: false }
    ]);
    expect(d.take).not.toHaveBeenCalled();
  });

  it('stays silent when the notebook is not in this window', () => {
    const comm = new FakeComm();
    const work = new SnapshotRequestHandler(deps()).handleOpen(
      comm,
      openMsg(request({ kernel_id: 'other' })),
      'other',
      async () => undefined
    );
    expect(work).toBeNull();
    expect(comm.sent).toEqual([]);
  });

  it('uses the connection kernel when the kernel does not know its id', async () => {
    const comm = new FakeComm();
    const work = new SnapshotRequestHandler(deps()).handleOpen(
      comm,
      openMsg(request({ kernel_id: null })),
      'k1',
      async () => undefined
    );
    await work;
    expect(comm.sent.map(m => m.type)).toEqual(['ack', 'done']);
  });

  it('handles each request id once per window', async () => {
    const d = deps();
    const handler = new SnapshotRequestHandler(d);
    const first = new FakeComm();
    const second = new FakeComm();
    await handler.handleOpen(
      first,
      openMsg(request()),
      'k1',
      async () => undefined
    );
    expect(
      handler.handleOpen(
        second,
        openMsg(request()),
        'k1',
        async () => undefined
      )
    ).toBeNull();
    expect(second.sent).toEqual([]);
    expect(d.take).toHaveBeenCalledTimes(1);
  });

  it('replies error (and warns) when the tracking URI is no configured backend', async () => {
    const d = deps();
    const comm = new FakeComm();
    await new SnapshotRequestHandler(d).handleOpen(
      comm,
      openMsg(request({ tracking_uri: 'http://other:1' })),
      'k1',
      async () => undefined
    );
    expect(d.take).not.toHaveBeenCalled();
    expect(d.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'http://other:1, which is not a configured backend'
      )
    );
    expect(comm.sent[1]).toMatchObject({ type: 'error', request_id: 'req-1' });
  });

  it('replies error with the route message when the snapshot fails', async () => {
    const d = deps({
      take: jest.fn(async () =>
        Promise.reject(new Error('Notebook not found: save it first'))
      )
    });
    const comm = new FakeComm();
    await new SnapshotRequestHandler(d).handleOpen(
      comm,
      openMsg(request()),
      'k1',
      async () => undefined
    );
    expect(comm.sent[1]).toEqual({
      request_id: 'req-1',
      type: 'error',
      message: 'Notebook not found: save it first'
    });
  });

  it('never throws into the kernel connection', async () => {
    const warn = jest
      .spyOn(console, 'warn')
      .mockImplementation(() => undefined);
    const comm = new FakeComm();
    comm.fail = true;
    const handler = new SnapshotRequestHandler(deps());
    let work: Promise<void> | null = null;
    expect(
      () =>
        (work = handler.handleOpen(
          comm,
          openMsg(request()),
          'k1',
          async () => undefined
        ))
    ).not.toThrow();
    await expect(work).resolves.toBeUndefined();
    expect(() =>
      handler.handleOpen(
        comm,
        { content: {} } as any,
        'k1',
        async () => undefined
      )
    ).not.toThrow();
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });
});
