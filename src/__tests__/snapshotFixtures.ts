/** Shared fixtures of the snapshot protocol tests. */
import type { ISnapshotResult } from '../api/snapshot';
import type { ISnapshotNotebook } from '../snapshot/protocol';

export const RESULT: ISnapshotResult = {
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

export function request(
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

export function openMsg(data: Record<string, unknown>) {
  return { content: { data }, parent_header: { msg_id: 'exec-1' } };
}

export class FakeComm {
  sent: any[] = [];
  fail = false;
  send(data: any): void {
    if (this.fail) {
      throw new Error('Comm is closed');
    }
    this.sent.push(data);
  }
}

export function notebook(): ISnapshotNotebook {
  return {
    name: 'nb.ipynb',
    path: 'work/nb.ipynb',
    kernelId: 'k1',
    save: jest.fn(async () => undefined),
    toJSON: () => ({ cells: [] })
  };
}
