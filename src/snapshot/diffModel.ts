/**
 * What the snapshot diff view renders, computed from the server's diff:
 * unified-diff lines with their kind, and cells grouped so that runs of
 * unchanged cells collapse into one row.
 */
import type { CellDiffStatus, ICellDiff, ISnapshotDiff } from '../api/snapshot';

/** Kind of a rendered diff line. */
export type LineKind = 'add' | 'del' | 'ctx' | 'hunk' | 'meta';

/** One line of a rendered diff; `text` has no +/-/space prefix. */
export interface IDiffLine {
  kind: LineKind;
  text: string;
}

/** A changed cell, or a run of unchanged cells shown collapsed. */
export type DiffBlock =
  | { kind: 'cell'; cell: ICellDiff; position: number }
  | { kind: 'unchanged'; cells: ICellDiff[]; position: number };

/**
 * Lines of a unified diff. The `---`/`+++` file headers are dropped (the
 * view names the two runs itself); `@@` hunk headers are kept.
 */
export function parseUnifiedDiff(diff: string): IDiffLine[] {
  if (!diff) {
    return [];
  }
  const lines = diff.replace(/\n$/, '').split('\n');
  const out: IDiffLine[] = [];
  let inHeader = true;
  for (const line of lines) {
    if (inHeader && (line.startsWith('--- ') || line.startsWith('+++ '))) {
      continue;
    }
    if (line.startsWith('@@')) {
      inHeader = false;
      out.push({ kind: 'hunk', text: line });
    } else if (line.startsWith('+')) {
      out.push({ kind: 'add', text: line.slice(1) });
    } else if (line.startsWith('-')) {
      out.push({ kind: 'del', text: line.slice(1) });
    } else if (line.startsWith('\\')) {
      out.push({ kind: 'meta', text: line });
    } else {
      out.push({
        kind: 'ctx',
        text: line.startsWith(' ') ? line.slice(1) : line
      });
    }
  }
  return out;
}

/** Every line of a source as added, removed or context. */
export function wholeSource(
  source: string,
  kind: 'add' | 'del' | 'ctx'
): IDiffLine[] {
  if (!source) {
    return [];
  }
  return source
    .replace(/\n$/, '')
    .split('\n')
    .map(text => ({ kind, text }));
}

/** The source lines to show for a cell. */
export function cellLines(cell: ICellDiff): IDiffLine[] {
  switch (cell.status) {
    case 'added':
      return wholeSource(cell.source, 'add');
    case 'removed':
      return wholeSource(cell.source, 'del');
    case 'modified':
      return cell.source_diff
        ? parseUnifiedDiff(cell.source_diff)
        : wholeSource(cell.source, 'ctx');
    default:
      return wholeSource(cell.source, 'ctx');
  }
}

/** Prefix shown in the gutter for a line kind. */
export function linePrefix(kind: LineKind): string {
  return kind === 'add' ? '+' : kind === 'del' ? '-' : ' ';
}

/** "cell 3", "cell 2 → 3", "new cell 4", "removed cell 2" (1-based). */
export function cellLabel(cell: ICellDiff): string {
  const a = cell.a_index === null ? null : cell.a_index + 1;
  const b = cell.b_index === null ? null : cell.b_index + 1;
  if (a === null) {
    return `cell ${b} (new)`;
  }
  if (b === null) {
    return `cell ${a} (removed)`;
  }
  return a === b ? `cell ${b}` : `cell ${a} → ${b}`;
}

/** Group consecutive unchanged cells (`expanded`: never group). */
export function diffBlocks(cells: ICellDiff[], expanded = false): DiffBlock[] {
  const blocks: DiffBlock[] = [];
  cells.forEach((cell, position) => {
    const last = blocks[blocks.length - 1];
    if (cell.status === 'unchanged' && !expanded) {
      if (last && last.kind === 'unchanged') {
        last.cells.push(cell);
      } else {
        blocks.push({ kind: 'unchanged', cells: [cell], position });
      }
    } else {
      blocks.push({ kind: 'cell', cell, position });
    }
  });
  return blocks;
}

/** Statuses in display order. */
export const STATUSES: CellDiffStatus[] = [
  'modified',
  'added',
  'removed',
  'unchanged'
];

/** "1 modified, 2 unchanged" (zeros left out; "identical" when nothing changed). */
export function summaryText(diff: ISnapshotDiff): string {
  const parts = STATUSES.filter(s => (diff.summary[s] ?? 0) > 0).map(
    s => `${diff.summary[s]} ${s}`
  );
  const changed = STATUSES.slice(0, 3).some(s => (diff.summary[s] ?? 0) > 0);
  if (!changed) {
    return `identical (${diff.summary.unchanged ?? 0} cells)`;
  }
  return parts.join(', ');
}

/** Lines of a multi-file `git diff` (file headers kept as meta lines). */
export function parseGitDiff(diff: string): IDiffLine[] {
  if (!diff) {
    return [];
  }
  return diff
    .replace(/\n$/, '')
    .split('\n')
    .map(line => {
      if (
        /^(diff --git |index |--- |\+\+\+ |new file mode|deleted file mode|similarity |rename )/.test(
          line
        )
      ) {
        return { kind: 'meta' as const, text: line };
      }
      if (line.startsWith('@@')) {
        return { kind: 'hunk' as const, text: line };
      }
      if (line.startsWith('+')) {
        return { kind: 'add' as const, text: line.slice(1) };
      }
      if (line.startsWith('-')) {
        return { kind: 'del' as const, text: line.slice(1) };
      }
      return {
        kind: 'ctx' as const,
        text: line.startsWith(' ') ? line.slice(1) : line
      };
    });
}

/** Packages whose name or version contains `query` (case-insensitive), sorted by name. */
export function filterPackages(
  packages: Record<string, string>,
  query: string
): [string, string][] {
  const q = query.trim().toLowerCase();
  return Object.entries(packages)
    .filter(
      ([name, version]) =>
        !q ||
        name.toLowerCase().includes(q) ||
        version.toLowerCase().includes(q)
    )
    .sort(([a], [b]) => a.localeCompare(b));
}
