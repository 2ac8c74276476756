import type { ISnapshotResult } from '../api/snapshot';
import {
  IMsgLike,
  IOwnCommLike,
  NOT_LOADED_MESSAGE,
  queryActiveRun,
  waitForCellEnd
} from '../snapshot/kernel';
import {
  IRequestHandlerDeps,
  ISnapshotNotebook,
  matchBackend,
  parseRequest,
  SNAPSHOT_TARGET,
  SnapshotRequestHandler
} from '../snapshot/protocol';
import {
  describeResult,
  formatBytes,
  INotifier,
  snapshotNotebook
} from '../snapshot/take';

const RESULT: ISnapshotResult = {
  uploaded: true,
  sha256: 'abc',
  path: 'work/nb.ipynb',
  size: 2048,
  scrubbed: { gitlab_token: 1 },
  outputs_truncated: 0,
  outputs_dropped: 0,
  excluded_cells: 0,
  artifacts: ['notebook.ipynb', 'snapshot.json'],
  packages_source: 'kernel',
  git_commit: ''
};

function request(
  overrides: Record<string, unknown> = {}
): Record<string, unknown> {
  return {
    protocol: 1,
    request_id: 'req-1',
    run_id: 'run1234567890',
    tracking_uri: 'http://127.0.0.1:5000/',
    backend: null,
    kernel_id: 'k1',
    python: { version: '3.12.1' },
    packages: { numpy: '2.0.0' },
    ack_timeout: 2,
    ...overrides
  };
}

function openMsg(data: Record<string, unknown>) {
  return { content: { data }, parent_header: { msg_id: 'exec-1' } };
}

class FakeComm {
  sent: any[] = [];
  fail = false;
  send(data: any): void {
    if (this.fail) {
      throw new Error('Comm is closed');
    }
    this.sent.push(data);
  }
}

function notebook(): ISnapshotNotebook {
  return {
    name: 'nb.ipynb',
    path: 'work/nb.ipynb',
    kernelId: 'k1',
    save: jest.fn(async () => undefined),
    toJSON: () => ({ cells: [] })
  };
}

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

describe('kernel waits', () => {
  function fakeKernel(status = 'busy') {
    const slots = new Set<(s: any, m: IMsgLike) => void>();
    return {
      status,
      iopubMessage: {
        connect: (s: any) => (slots.add(s), true),
        disconnect: (s: any) => slots.delete(s)
      },
      emit: (m: IMsgLike) => [...slots].forEach(s => s(null, m)),
      slots
    };
  }
  const status = (parent: string, state: string): IMsgLike => ({
    header: { msg_type: 'status' },
    parent_header: { msg_id: parent },
    content: { execution_state: state }
  });

  it('waits for the idle of that very cell', async () => {
    const kernel = fakeKernel();
    let done = false;
    const wait = waitForCellEnd(kernel, 'exec-1', 30000).then(
      () => (done = true)
    );
    kernel.emit(status('exec-0', 'idle'));
    kernel.emit(status('exec-1', 'busy'));
    await Promise.resolve();
    expect(done).toBe(false);
    kernel.emit(status('exec-1', 'idle'));
    await wait;
    expect(done).toBe(true);
    expect(kernel.slots.size).toBe(0);
  });

  it('does not wait without a parent, when idle, or past the cap', async () => {
    await waitForCellEnd(fakeKernel(), undefined, 30000);
    await waitForCellEnd(fakeKernel('idle'), 'exec-1', 30000);
    jest.useFakeTimers();
    const kernel = fakeKernel();
    const wait = waitForCellEnd(kernel, 'exec-1', 30000);
    jest.advanceTimersByTime(30000);
    await wait;
    expect(kernel.slots.size).toBe(0);
    jest.useRealTimers();
  });

  function commKernel(behaviour: (comm: IOwnCommLike) => void) {
    const opened: any[] = [];
    return {
      opened,
      createComm: (target: string) => {
        expect(target).toBe(SNAPSHOT_TARGET);
        const comm: IOwnCommLike = {
          onMsg: null,
          onClose: null,
          open: (data: any) => {
            opened.push(data);
            behaviour(comm);
          }
        };
        return comm;
      }
    };
  }

  it('asks the kernel for its active run', async () => {
    const kernel = commKernel(comm => {
      void comm.onMsg!({
        header: { msg_type: 'comm_msg' },
        content: {
          data: {
            type: 'active_run',
            protocol: 1,
            run_id: 'r1',
            last_run_id: null,
            tracking_uri: 'u',
            backend: 'default',
            kernel_id: 'k',
            python: {},
            packages: { a: '1' },
            auto: true
          }
        }
      });
      void comm.onClose!({ header: { msg_type: 'comm_close' }, content: {} });
    });
    const answer = await queryActiveRun(kernel);
    expect(kernel.opened).toEqual([{ type: 'active_run' }]);
    expect(answer).toMatchObject({
      ok: true,
      info: { run_id: 'r1', backend: 'default', packages: { a: '1' } }
    });
  });

  it('says the extension is not loaded when the comm closes unanswered', async () => {
    const answer = await queryActiveRun(
      commKernel(
        comm =>
          void comm.onClose!({
            header: { msg_type: 'comm_close' },
            content: {}
          })
      )
    );
    expect(answer).toEqual({
      ok: false,
      reason: 'not_loaded',
      message: NOT_LOADED_MESSAGE
    });
  });

  it('gives up after the timeout', async () => {
    jest.useFakeTimers();
    const pending = queryActiveRun(
      commKernel(() => undefined),
      1000
    );
    jest.advanceTimersByTime(1000);
    await expect(pending).resolves.toMatchObject({
      ok: false,
      reason: 'timeout'
    });
    jest.useRealTimers();
  });
});

describe('snapshotNotebook', () => {
  function notifier(): INotifier & { log: string[] } {
    const log: string[] = [];
    return {
      log,
      progress: m => (log.push(`progress ${m}`), 'n1'),
      update: (id, type, m) => void log.push(`${type} ${m}`)
    };
  }
  const ref = { backend: 'default', run_id: 'abcdef1234' };
  const env = { packages: { a: '1' }, python: { version: '3.12' } };

  it('saves, then posts the kernel id', async () => {
    const nb = notebook();
    const post = jest.fn(async () => RESULT);
    const n = notifier();
    await expect(
      snapshotNotebook(nb, ref, env, { post, notifier: n })
    ).resolves.toBe(RESULT);
    expect(nb.save).toHaveBeenCalled();
    expect(post).toHaveBeenCalledWith(ref, {
      kernel_id: 'k1',
      path: 'work/nb.ipynb',
      packages: { a: '1' },
      python: { version: '3.12' }
    });
    expect(n.log).toEqual([
      'progress Snapshot of nb.ipynb for run abcdef12…',
      'success Snapshot of nb.ipynb for run abcdef12: uploaded (2.0 KB; 1 secret scrubbed)'
    ]);
  });

  it('sends the live notebook when it cannot be saved', async () => {
    const warn = jest
      .spyOn(console, 'warn')
      .mockImplementation(() => undefined);
    const nb = {
      ...notebook(),
      save: async () => Promise.reject(new Error('read-only'))
    };
    const post = jest.fn(async () => ({
      ...RESULT,
      uploaded: false,
      reason: 'unchanged' as const
    }));
    const n = notifier();
    await snapshotNotebook(nb, ref, env, { post, notifier: n });
    expect(post.mock.calls[0]).toEqual([
      ref,
      expect.objectContaining({ path: 'work/nb.ipynb', content: { cells: [] } })
    ]);
    expect((post.mock.calls[0] as any[])[1].kernel_id).toBeUndefined();
    expect(n.log[1]).toBe(
      'info Snapshot of nb.ipynb for run abcdef12: unchanged (already uploaded)'
    );
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it('retries with the path when the session does not lead to the notebook', async () => {
    const stale = Object.assign(
      new Error("Notebook 'Untitled.ipynb' was not found"),
      { code: 'notebook_not_found' }
    );
    const post = jest
      .fn()
      .mockRejectedValueOnce(stale)
      .mockResolvedValueOnce(RESULT);
    await expect(
      snapshotNotebook(notebook(), ref, env, { post, notifier: notifier() })
    ).resolves.toBe(RESULT);
    expect(post.mock.calls.map(c => c[1].kernel_id)).toEqual([
      'k1',
      undefined
    ]);
    expect(post.mock.calls[1][1]).toEqual({
      path: 'work/nb.ipynb',
      packages: { a: '1' },
      python: { version: '3.12' }
    });
    const other = jest.fn().mockRejectedValue(
      Object.assign(new Error('backend down'), {
        code: 'backend_unreachable'
      })
    );
    await expect(
      snapshotNotebook(notebook(), ref, env, {
        post: other,
        notifier: notifier()
      })
    ).rejects.toThrow('backend down');
    expect(other).toHaveBeenCalledTimes(1);
  });

  it('reports the route error and rejects', async () => {
    const n = notifier();
    const post = async () =>
      Promise.reject(
        new Error(
          "Notebook 'x.ipynb' was not found on the server: save it first."
        )
      );
    await expect(
      snapshotNotebook(notebook(), ref, env, { post, notifier: n })
    ).rejects.toThrow('save it first');
    expect(n.log[1]).toMatch(
      /^error Snapshot of nb.ipynb for run abcdef12 failed: Notebook 'x.ipynb'/
    );
  });

  it('describes results', () => {
    expect(formatBytes(10)).toBe('10 B');
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MB');
    expect(
      describeResult({
        ...RESULT,
        scrubbed: {},
        excluded_cells: 2,
        outputs_dropped: 1
      })
    ).toBe('uploaded (2.0 KB; 2 cells excluded, 1 large output left out)');
  });
});
