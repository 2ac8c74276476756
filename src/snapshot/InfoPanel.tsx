import { Button, InputGroup, ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { ISnapshotRecord, ISnapshotView } from '../api/snapshot';
import { CopyId } from '../common/CopyId';
import { DiffLines } from './DiffLines';
import { filterPackages, parseGitDiff } from './diffModel';

/** Actions offered beside a read-only snapshot. */
export interface IInfoActions {
  restore: () => void;
  diff: () => void;
}

function Field(props: {
  label: string;
  children: React.ReactNode;
  title?: string;
}): JSX.Element {
  return (
    <>
      <dt>{props.label}</dt>
      <dd title={props.title}>
        {props.children || <span className="jp-mlops-Muted">—</span>}
      </dd>
    </>
  );
}

function Packages(props: { record: ISnapshotRecord }): JSX.Element {
  const [query, setQuery] = React.useState('');
  const all = props.record.packages ?? {};
  const count = Object.keys(all).length;
  const shown = filterPackages(all, query);
  return (
    <div className="jp-mlops-SnapshotPackages">
      <h4>
        Packages{' '}
        <span className="jp-mlops-Muted">
          ({count}, from the {props.record.packages_source})
        </span>
      </h4>
      {count === 0 ? (
        <p className="jp-mlops-Muted">
          Not recorded (the kernel did not report its packages).
        </p>
      ) : (
        <>
          <InputGroup
            type="text"
            placeholder="Filter packages"
            aria-label="Filter packages"
            rightIcon="ui-components:search"
            value={query}
            onChange={e => setQuery((e.target as HTMLInputElement).value)}
          />
          <ul className="jp-mlops-SnapshotPackageList">
            {shown.map(([name, version]) => (
              <li key={name}>
                <span>{name}</span>
                <code>{version}</code>
              </li>
            ))}
            {shown.length === 0 && (
              <li className="jp-mlops-Muted">No package matches.</li>
            )}
          </ul>
        </>
      )}
    </div>
  );
}

function Git(props: { record: ISnapshotRecord }): JSX.Element {
  const git = props.record.git;
  if (!git?.commit) {
    return (
      <div className="jp-mlops-SnapshotGit">
        <h4>Git</h4>
        <p className="jp-mlops-Muted">
          {git?.error || 'The notebook was not in a git repository.'}
        </p>
      </div>
    );
  }
  return (
    <div className="jp-mlops-SnapshotGit">
      <h4>Git</h4>
      <dl className="jp-mlops-SnapshotFields">
        <Field label="Commit" title={git.commit}>
          <code>{git.commit.slice(0, 12)}</code>
        </Field>
        <Field label="Branch">{git.branch}</Field>
        <Field label="Remote">{git.remote}</Field>
        <Field label="State">
          {git.dirty ? (
            <span className="jp-mlops-SnapshotDirty">uncommitted changes</span>
          ) : (
            'clean'
          )}
        </Field>
        {git.untracked?.length > 0 && (
          <Field label="Untracked">{git.untracked.join(', ')}</Field>
        )}
      </dl>
      {git.diff && (
        <details className="jp-mlops-SnapshotGitDiff">
          <summary>
            Uncommitted diff{git.diff_truncated ? ' (truncated)' : ''}{' '}
            <span className="jp-mlops-Muted">
              (the notebook's own changes left out)
            </span>
          </summary>
          <DiffLines
            lines={parseGitDiff(git.diff)}
            label="Uncommitted git diff"
          />
        </details>
      )}
    </div>
  );
}

/** Summary line, then environment / git details of a snapshot. */
export function SnapshotInfo(props: {
  view: ISnapshotView;
  actions: IInfoActions;
}): JSX.Element {
  const record = props.view.snapshot;
  const [open, setOpen] = React.useState(false);
  const python = [record.python?.implementation, record.python?.version]
    .filter(Boolean)
    .join(' ');
  const kernel = record.kernel?.display_name || record.kernel?.name || '';
  const scrubbed = Object.values(record.scrubbed ?? {}).reduce(
    (a, b) => a + b,
    0
  );
  return (
    <div className="jp-mlops-SnapshotInfo" data-run-id={props.view.run_id}>
      <div className="jp-mlops-SnapshotInfoBar">
        <Button
          minimal
          small
          aria-expanded={open}
          onClick={() => setOpen(!open)}
          title="Environment and git details"
        >
          <span>
            {open ? '▾' : '▸'} Snapshot of run{' '}
            <strong className="jp-mlops-SnapshotRunName">
              {props.view.run_name || props.view.run_id.slice(0, 8)}
            </strong>
          </span>
        </Button>
        <CopyId id={props.view.run_id} what="run ID" />
        <span className="jp-mlops-SnapshotChips">
          <span title="Read-only: restore it to edit">read-only</span>
          <span title={record.path}>{record.path}</span>
          {record.created ? (
            <span>{new Date(record.created).toLocaleString()}</span>
          ) : null}
          {python && <span>Python {record.python.version}</span>}
          <span>{Object.keys(record.packages ?? {}).length} packages</span>
          {record.git?.commit && (
            <span title={record.git.commit}>
              {record.git.branch || 'git'}@{record.git.commit.slice(0, 7)}
              {record.git.dirty ? ' (dirty)' : ''}
            </span>
          )}
          {scrubbed > 0 && <span>{scrubbed} secret(s) scrubbed</span>}
        </span>
        <span className="jp-mlops-SnapshotActions">
          <Button
            small
            minimal
            onClick={props.actions.diff}
            title="Diff with another candidate"
          >
            Diff…
          </Button>
          <Button
            small
            className="jp-mod-styled jp-mod-accept"
            onClick={props.actions.restore}
            title="Save it as a new, editable notebook next to the original"
          >
            Restore as new notebook
          </Button>
        </span>
      </div>
      {open && (
        <div className="jp-mlops-SnapshotDetails">
          <div className="jp-mlops-SnapshotEnv">
            <h4>Environment</h4>
            <dl className="jp-mlops-SnapshotFields">
              <Field label="Python">{python}</Field>
              <Field label="Platform">{record.python?.platform}</Field>
              <Field label="Kernel">{kernel}</Field>
              <Field label="User">{record.user}</Field>
              <Field label="Taken from">
                {record.source === 'frontend'
                  ? 'the open notebook'
                  : 'the saved file'}
              </Field>
              <Field label="sha256" title={record.sha256}>
                <code>{record.sha256.slice(0, 16)}</code>
              </Field>
            </dl>
          </div>
          <Packages record={record} />
          <Git record={record} />
        </div>
      )}
    </div>
  );
}

/**
 * The info bar as a widget, for a notebook panel's content header. The header
 * is a Lumino box layout, which sizes children from their CSS min/max height:
 * the bar's height follows its content (at most half the window).
 */
export function createInfoWidget(
  view: ISnapshotView,
  actions: IInfoActions
): ReactWidget {
  const widget = ReactWidget.create(
    <SnapshotInfo view={view} actions={actions} />
  );
  widget.addClass('jp-mlops-SnapshotInfoWidget');
  let last = -1;
  const fit = (): void => {
    const inner = widget.node.firstElementChild as HTMLElement | null;
    if (!inner) {
      return;
    }
    const height = Math.ceil(
      Math.min(inner.getBoundingClientRect().height, window.innerHeight / 2)
    );
    if (height !== last) {
      last = height;
      widget.node.style.minHeight = widget.node.style.maxHeight = `${height}px`;
      widget.parent?.fit();
    }
  };
  const observer = new ResizeObserver(fit);
  const observe = (): void => {
    const inner = widget.node.firstElementChild;
    if (widget.isDisposed) {
      return;
    }
    if (inner) {
      observer.observe(inner);
      fit();
    } else {
      requestAnimationFrame(observe);
    }
  };
  requestAnimationFrame(observe);
  widget.disposed.connect(() => observer.disconnect());
  return widget;
}
