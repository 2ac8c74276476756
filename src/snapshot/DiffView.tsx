import { MainAreaWidget } from '@jupyterlab/apputils';
import { Button, ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import type {
  ICellDiff,
  IDiffSide,
  ISnapshotDiff,
  ISnapshotRunRef
} from '../api/snapshot';
import { CopyId } from '../common/CopyId';
import { useSignals } from '../common/hooks';
import { Resource } from '../models/resource';
import { DiffLines } from './DiffLines';
import {
  cellLabel,
  cellLines,
  diffBlocks,
  parseUnifiedDiff,
  summaryText
} from './diffModel';
import { snapshotIcon } from './icons';

/** Options of {@link createDiffWidget}. */
export interface IDiffViewOptions {
  a: ISnapshotRunRef;
  b: ISnapshotRunRef;
  /** The diff, loaded by {@link createDiffWidget}. */
  diff: Resource<ISnapshotDiff>;
  /** Open one side's snapshot read-only. */
  openSnapshot: (ref: ISnapshotRunRef) => void;
  /** Run id → name, when known before the diff loads (the tab title). */
  names?: Record<string, string>;
}

/** A run as people read it: its name, else the short id. */
export function sideName(
  ref: ISnapshotRunRef & { run_name?: string | null },
  names: Record<string, string> = {}
): string {
  return ref.run_name || names[ref.run_id] || ref.run_id.slice(0, 8);
}

function CellCard(props: { cell: ICellDiff }): JSX.Element {
  const { cell } = props;
  const lines = cellLines(cell);
  const sourceSame = cell.status === 'modified' && !cell.source_diff;
  return (
    <section
      className="jp-mlops-DiffCell"
      data-status={cell.status}
      data-cell-type={cell.cell_type}
    >
      <header className="jp-mlops-DiffCellHeader">
        <span className={`jp-mlops-DiffBadge jp-mod-${cell.status}`}>
          {cell.status}
        </span>
        <span className="jp-mlops-DiffCellType">{cell.cell_type}</span>
        <span className="jp-mlops-DiffCellLabel">{cellLabel(cell)}</span>
        {sourceSame && <span className="jp-mlops-Muted">source unchanged</span>}
        {cell.outputs_changed && (
          <span
            className="jp-mlops-DiffOutputsMark"
            title="The outputs of this cell differ"
          >
            outputs changed
          </span>
        )}
      </header>
      {lines.length > 0 && !sourceSame && (
        <DiffLines lines={lines} label={`Source of ${cellLabel(cell)}`} />
      )}
      {cell.outputs_changed && cell.outputs_diff && (
        <details className="jp-mlops-DiffOutputs">
          <summary>Outputs diff</summary>
          <DiffLines
            lines={parseUnifiedDiff(cell.outputs_diff)}
            label={`Outputs of ${cellLabel(cell)}`}
          />
        </details>
      )}
    </section>
  );
}

function Unchanged(props: { cells: ICellDiff[] }): JSX.Element {
  const [open, setOpen] = React.useState(false);
  const n = props.cells.length;
  return (
    <div className="jp-mlops-DiffUnchanged" data-count={n}>
      <button
        className="jp-mlops-DiffUnchangedToggle"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        {open ? '▾' : '▸'} {n} unchanged cell{n === 1 ? '' : 's'}
      </button>
      {open && props.cells.map((cell, i) => <CellCard key={i} cell={cell} />)}
    </div>
  );
}

function Side(props: {
  side: IDiffSide;
  name: string;
  open: () => void;
}): JSX.Element {
  const { side } = props;
  const title = sideName(side);
  return (
    <div className={`jp-mlops-DiffSide jp-mod-${props.name}`}>
      <span className="jp-mlops-DiffSideName">
        {props.name === 'a' ? '−' : '+'}
      </span>
      <Button
        minimal
        small
        className="jp-mlops-DiffRun"
        title={`Open the snapshot of run "${title}" (${side.run_id}) read-only`}
        onClick={props.open}
      >
        <span className="jp-mlops-DiffRunName">{title}</span>
      </Button>
      <CopyId id={side.run_id} what="run ID" />
      <span
        className="jp-mlops-DiffPath"
        title={`${side.backend}: ${side.path} (sha256 ${side.sha256})`}
      >
        {side.path}
      </span>
    </div>
  );
}

/** The diff of two runs' notebook snapshots, cell by cell. */
export function DiffView(props: IDiffViewOptions): JSX.Element {
  useSignals(props.diff.changed);
  const [expanded, setExpanded] = React.useState(false);
  const error = props.diff.error;
  if (error) {
    return (
      <div className="jp-mlops-SnapshotDiff jp-mod-error" role="alert">
        <h3>Cannot diff these snapshots</h3>
        <p>{error.message}</p>
      </div>
    );
  }
  const diff = props.diff.value;
  if (!diff) {
    return (
      <div className="jp-mlops-SnapshotDiff jp-mod-loading">
        Loading the snapshots…
      </div>
    );
  }
  return (
    <div className="jp-mlops-SnapshotDiff" data-engine={diff.engine}>
      <div className="jp-mlops-DiffHeader">
        <Side side={diff.a} name="a" open={() => props.openSnapshot(diff.a)} />
        <Side side={diff.b} name="b" open={() => props.openSnapshot(diff.b)} />
        <div className="jp-mlops-DiffSummary">
          <span className="jp-mlops-DiffSummaryText">{summaryText(diff)}</span>
          <label className="jp-mlops-DiffToggle">
            <input
              type="checkbox"
              checked={expanded}
              onChange={e => setExpanded(e.currentTarget.checked)}
            />
            Show unchanged cells
          </label>
        </div>
      </div>
      <div className="jp-mlops-DiffCells">
        {diffBlocks(diff.cells, expanded).map(block =>
          block.kind === 'cell' ? (
            <CellCard key={block.position} cell={block.cell} />
          ) : (
            <Unchanged key={block.position} cells={block.cells} />
          )
        )}
      </div>
    </div>
  );
}

/** Id of the diff tab of two runs (one tab per pair). */
export function diffWidgetId(a: ISnapshotRunRef, b: ISnapshotRunRef): string {
  return `jp-mlops-snapshot-diff-${a.backend}-${a.run_id}-${b.backend}-${b.run_id}`;
}

/** A main-area tab with the diff of two snapshots. */
export function createDiffWidget(
  options: IDiffViewOptions
): MainAreaWidget<ReactWidget> {
  const content = ReactWidget.create(<DiffView {...options} />);
  content.addClass('jp-mlops-SnapshotDiffPanel');
  const widget = new MainAreaWidget({ content });
  void options.diff.load();
  widget.disposed.connect(() => options.diff.dispose());
  widget.id = diffWidgetId(options.a, options.b);
  const setTitle = (): void => {
    const loaded = options.diff.value;
    const [a, b] = loaded ? [loaded.a, loaded.b] : [options.a, options.b];
    const [na, nb] = [sideName(a, options.names), sideName(b, options.names)];
    widget.title.label = `Diff ${na} ↔ ${nb}`;
    widget.title.caption = `Notebook snapshots of runs "${na}" (${a.run_id}, −) and "${nb}" (${b.run_id}, +)`;
  };
  setTitle();
  options.diff.changed.connect(setTitle);
  widget.title.icon = snapshotIcon;
  widget.title.closable = true;
  return widget;
}
