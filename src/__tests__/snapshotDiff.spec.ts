import type { ICellDiff, ISnapshotDiff } from '../api/snapshot';
import {
  hasSnapshot,
  getSnapshotDiff,
  refString,
  restoreSnapshot,
  takeSnapshot
} from '../api/snapshot';
import { diffArgs, runArg, toRunRef } from '../snapshot/args';
import {
  cellLabel,
  cellLines,
  diffBlocks,
  filterPackages,
  parseGitDiff,
  parseUnifiedDiff,
  summaryText
} from '../snapshot/diffModel';
import { parseSnapshotPath, snapshotFileName } from '../snapshot/drive';
import { oldestFirst, parseRunText, runChoices } from '../snapshot/runChoice';
import { FakeServer } from './fakeServer';

function cell(
  status: ICellDiff['status'],
  overrides: Partial<ICellDiff> = {}
): ICellDiff {
  return {
    status,
    a_index: 0,
    b_index: 0,
    cell_type: 'code',
    id: null,
    source: 'x = 1\nprint(x)',
    source_diff: '',
    outputs_changed: false,
    outputs_diff: '',
    ...overrides
  };
}

const SOURCE_DIFF =
  '--- a/cell 2\n+++ b/cell 2\n@@ -1,2 +1,2 @@\n-x = 1\n+x = 2\n print(x)\n';

describe('diff model', () => {
  it('parses a unified diff without its file headers', () => {
    expect(parseUnifiedDiff(SOURCE_DIFF)).toEqual([
      { kind: 'hunk', text: '@@ -1,2 +1,2 @@' },
      { kind: 'del', text: 'x = 1' },
      { kind: 'add', text: 'x = 2' },
      { kind: 'ctx', text: 'print(x)' }
    ]);
    expect(parseUnifiedDiff('')).toEqual([]);
    // A removed line that starts with "--" inside a hunk stays a removal.
    expect(parseUnifiedDiff('@@ -1 +1 @@\n--- y\n+++ z')).toEqual([
      { kind: 'hunk', text: '@@ -1 +1 @@' },
      { kind: 'del', text: '-- y' },
      { kind: 'add', text: '++ z' }
    ]);
  });

  it('gives each cell status its lines', () => {
    expect(
      cellLines(cell('added', { source: 'a\nb' })).map(l => l.kind)
    ).toEqual(['add', 'add']);
    expect(cellLines(cell('removed', { source: 'a' }))).toEqual([
      { kind: 'del', text: 'a' }
    ]);
    expect(
      cellLines(cell('modified', { source_diff: SOURCE_DIFF })).map(l => l.kind)
    ).toEqual(['hunk', 'del', 'add', 'ctx']);
    expect(
      cellLines(cell('modified', { outputs_changed: true })).every(
        l => l.kind === 'ctx'
      )
    ).toBe(true);
    expect(cellLines(cell('unchanged', { source: '' }))).toEqual([]);
  });

  it('collapses runs of unchanged cells', () => {
    const cells = [
      cell('unchanged'),
      cell('unchanged'),
      cell('modified'),
      cell('unchanged'),
      cell('added')
    ];
    const blocks = diffBlocks(cells);
    expect(
      blocks.map(b =>
        b.kind === 'unchanged' ? `u${b.cells.length}` : b.cell.status
      )
    ).toEqual(['u2', 'modified', 'u1', 'added']);
    expect(blocks.map(b => b.position)).toEqual([0, 2, 3, 4]);
    expect(diffBlocks(cells, true)).toHaveLength(5);
  });

  it('labels cells and summaries', () => {
    expect(cellLabel(cell('modified', { a_index: 1, b_index: 1 }))).toBe(
      'cell 2'
    );
    expect(cellLabel(cell('modified', { a_index: 1, b_index: 2 }))).toBe(
      'cell 2 → 3'
    );
    expect(cellLabel(cell('added', { a_index: null, b_index: 3 }))).toBe(
      'cell 4 (new)'
    );
    expect(cellLabel(cell('removed', { a_index: 0, b_index: null }))).toBe(
      'cell 1 (removed)'
    );
    const diff = {
      summary: { unchanged: 3, modified: 1, added: 0, removed: 2 }
    } as ISnapshotDiff;
    expect(summaryText(diff)).toBe('1 modified, 2 removed, 3 unchanged');
    expect(
      summaryText({
        summary: { unchanged: 4, modified: 0, added: 0, removed: 0 }
      } as ISnapshotDiff)
    ).toBe('identical (4 cells)');
  });

  it('parses a multi-file git diff and filters packages', () => {
    const git =
      'diff --git a/a.py b/a.py\nindex 1..2 100644\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-old\n+new\ndiff --git a/b.py b/b.py\n--- a/b.py\n+++ b/b.py';
    expect(parseGitDiff(git).map(l => l.kind)).toEqual([
      'meta',
      'meta',
      'meta',
      'meta',
      'hunk',
      'del',
      'add',
      'meta',
      'meta',
      'meta'
    ]);
    const packages = {
      pandas: '2.2.0',
      numpy: '2.0.1',
      'numpy-financial': '1.0'
    };
    expect(filterPackages(packages, 'NUM').map(([n]) => n)).toEqual([
      'numpy',
      'numpy-financial'
    ]);
    expect(filterPackages(packages, '2.2')).toEqual([['pandas', '2.2.0']]);
    expect(filterPackages(packages, '')).toHaveLength(3);
  });
});

describe('command args and run choice', () => {
  it('reads runs from args', () => {
    expect(toRunRef('gl:abc')).toEqual({ backend: 'gl', run_id: 'abc' });
    expect(toRunRef('abc')).toEqual({ backend: 'default', run_id: 'abc' });
    expect(runArg({ run_id: 'r1' })).toEqual({
      backend: 'default',
      run_id: 'r1'
    });
    expect(runArg({})).toBeNull();
    expect(diffArgs({ a: { backend: 'x', run_id: '1' }, b: 'y:2' })).toEqual({
      a: { backend: 'x', run_id: '1' },
      b: { backend: 'y', run_id: '2' }
    });
    expect(diffArgs({ backend: 'x', run_id: '1' })).toEqual({
      a: { backend: 'x', run_id: '1' },
      b: null
    });
  });

  it('offers only the other runs with a snapshot, by name', () => {
    const sha = { 'mlops.snapshot.sha256': 'f00' };
    const long = 'a very long run name '.repeat(8).trim();
    const rows = [
      { run_id: 'aaaaaaaa11', run_name: 'first', start_time: 1000, tags: sha },
      { run_id: 'bbbbbbbb22', run_name: null, start_time: null, tags: sha },
      {
        run_id: 'cccccccc33',
        run_name: 'no snapshot',
        start_time: 5,
        tags: {}
      },
      { run_id: 'dddddddd44', run_name: long, start_time: 2000, tags: sha }
    ] as any[];
    const choices = runChoices('default', rows, 'aaaaaaaa11');
    expect(choices.map(c => c.name)).toEqual(['(unnamed)', long]);
    expect(choices[0].secondary).toBe('bbbbbbbb');
    expect(choices[1].secondary).toBe(
      `${new Date(2000).toLocaleString()} · dddddddd`
    );
    expect(choices[1].ref).toEqual({
      backend: 'default',
      run_id: 'dddddddd44'
    });
    expect(parseRunText(' other:zz ', 'default')).toEqual({
      backend: 'other',
      run_id: 'zz'
    });
    expect(parseRunText('zz', 'gl')).toEqual({
      backend: 'gl',
      run_id: 'zz'
    });
    expect(parseRunText('  ', 'gl')).toBeNull();
    const [a, b] = oldestFirst(
      { backend: 'd', run_id: 'new', start_time: 5 },
      { backend: 'd', run_id: 'old', start_time: 1 }
    );
    expect([a.run_id, b.run_id]).toEqual(['old', 'new']);
  });

  it('names snapshot files in the read-only drive', () => {
    expect(snapshotFileName('work/train.ipynb', '0123456789abcdef')).toBe(
      'train@01234567.ipynb'
    );
    expect(
      snapshotFileName('train.ipynb', '0123456789abcdef', 'lr 0.1/a:b')
    ).toBe('train@lr 0.1 a b.ipynb');
    expect(snapshotFileName('t.ipynb', 'r', 'x'.repeat(80))).toBe(
      `t@${'x'.repeat(59)}….ipynb`
    );
    expect(parseSnapshotPath('my%20backend/run1/train@run1.ipynb')).toEqual({
      backend: 'my backend',
      run_id: 'run1'
    });
  });
});

describe('hasSnapshot', () => {
  it('reads the tag, else both artifacts at the top', () => {
    const file = (path: string, is_dir = false) => ({ path, is_dir });
    expect(hasSnapshot({ 'mlops.snapshot.sha256': 'f00' })).toBe(true);
    expect(hasSnapshot({}, [])).toBe(false);
    expect(
      hasSnapshot({}, [file('notebook.ipynb'), file('snapshot.json')])
    ).toBe(true);
    expect(hasSnapshot({}, [file('notebook.ipynb')])).toBe(false);
    expect(
      hasSnapshot({}, [file('notebook.ipynb'), file('snapshot.json', true)])
    ).toBe(false);
  });
});

describe('snapshot endpoints', () => {
  let server: FakeServer;
  beforeEach(() => {
    server = new FakeServer();
  });

  it('calls one route per function', async () => {
    server.json(200, { uploaded: true });
    await takeSnapshot(
      { backend: 'b 1', run_id: 'r1' },
      { kernel_id: 'k' },
      server.settings
    );
    await restoreSnapshot(
      { backend: 'default', run_id: 'r1' },
      undefined,
      server.settings
    );
    await getSnapshotDiff(
      { backend: 'default', run_id: 'a' },
      { backend: 'gl', run_id: 'b' },
      server.settings
    );
    const routes = server.requests.map(r => {
      const url = new URL(r.url);
      const path = (url.pathname + url.search).split('/jupyterlab-mlops/')[1];
      return `${r.method} ${path.replace(/[?&]\d{10,}$/, '')}`; // without the cache buster
    });
    expect(routes).toEqual([
      'POST backends/b%201/runs/r1/snapshot',
      'POST backends/default/runs/r1/snapshot/restore',
      'GET snapshots/diff?a=default%3Aa&b=gl%3Ab'
    ]);
    expect(await server.requests[0].clone().json()).toEqual({ kernel_id: 'k' });
    expect(refString({ backend: 'x', run_id: 'y' })).toBe('x:y');
  });
});
