import {
  IMsgLike,
  IOwnCommLike,
  NOT_LOADED_MESSAGE,
  queryActiveRun,
  waitForCellEnd
} from '../snapshot/kernel';
import { SNAPSHOT_TARGET } from '../snapshot/protocol';
import { describeResult, INotifier, snapshotNotebook } from '../snapshot/take';
import { notebook, RESULT } from './snapshotFixtures';
import { formatBytes } from '../common/format';

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

  it('then lets the execute_reply land (settle time)', async () => {
    jest.useFakeTimers();
    const kernel = fakeKernel();
    let done = false;
    const wait = waitForCellEnd(kernel, 'exec-1', 30000, 150).then(
      () => (done = true)
    );
    kernel.emit(status('exec-1', 'idle'));
    await Promise.resolve();
    expect(done).toBe(false);
    jest.advanceTimersByTime(150);
    await wait;
    expect(done).toBe(true);
    jest.useRealTimers();
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
    expect(post.mock.calls.map(c => c[1].kernel_id)).toEqual(['k1', undefined]);
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

  it('saves one at a time when runs end together (Run All)', async () => {
    // JupyterLab's context.save() conflicts with a save in flight ("File Changed").
    let saving = false;
    let saves = 0;
    const nb = {
      ...notebook(),
      save: async () => {
        if (saving) {
          throw new Error('File Changed');
        }
        saving = true;
        await new Promise(resolve => setTimeout(resolve, 5));
        saving = false;
        saves += 1;
      }
    };
    const order: string[] = [];
    const post = jest.fn(async (r: { run_id: string }) => {
      order.push(r.run_id);
      return RESULT;
    });
    const runs = ['r1', 'r2', 'r3', 'r4', 'r5'];
    await Promise.all(
      runs.map(run_id =>
        snapshotNotebook(nb, { backend: 'default', run_id }, env, {
          post,
          notifier: notifier()
        })
      )
    );
    expect(saves).toBe(5);
    expect(order).toEqual(runs);
    // Every run got the saved notebook (by kernel id), none the fallback content.
    expect(post.mock.calls.map(c => (c as any[])[1].kernel_id)).toEqual(
      runs.map(() => 'k1')
    );
  });

  it('goes on with the next take after one failed', async () => {
    const post = jest
      .fn()
      .mockRejectedValueOnce(new Error('backend down'))
      .mockResolvedValueOnce(RESULT);
    const nb = notebook();
    const first = snapshotNotebook(nb, ref, env, {
      post,
      notifier: notifier()
    });
    const second = snapshotNotebook(nb, ref, env, {
      post,
      notifier: notifier()
    });
    await expect(first).rejects.toThrow('backend down');
    await expect(second).resolves.toBe(RESULT);
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
