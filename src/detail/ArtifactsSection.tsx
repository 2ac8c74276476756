import {
  caretDownIcon,
  caretRightIcon,
  downloadIcon,
  fileIcon,
  folderIcon,
  LabIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { IFileInfo } from '../api/types';
import { markupKind } from '../common/drives/untrusted';
import { RunDetailModel } from '../models/detail';
import { formatBytes } from '../common/format';
import { Section } from './Section';

/** What the artifacts list asks of the panel. */
export interface IArtifactActions {
  /**
   * Open a file in JupyterLab's viewer; rejects with a readable error.
   * `owner`: a logged model's id (`m-...`) when the file is that model's, not the run's.
   */
  open: (file: IFileInfo, owner?: string) => Promise<void>;
  download: (file: IFileInfo, owner?: string) => Promise<void>;
  /** The icon of a file type (JupyterLab's registry). */
  icon?: (path: string) => LabIcon | undefined;
}

function name(path: string): string {
  return path.split('/').pop() || path;
}

function FileRow(props: {
  file: IFileInfo;
  depth: number;
  model: RunDetailModel;
  actions: IArtifactActions;
}): JSX.Element {
  const { file, depth, model, actions } = props;
  const [open, setOpen] = React.useState(false);
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const dir = file.is_dir ? model.artifacts.get(file.path) : null;
  const indent = { paddingLeft: 4 + depth * 16 };

  const run = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (reason) {
      setError(reason instanceof Error ? reason.message : String(reason));
    }
    setBusy(false);
  };

  if (file.is_dir) {
    const Caret = open ? caretDownIcon : caretRightIcon;
    return (
      <li className="jp-mlops-Artifact" data-path={file.path} data-dir="true">
        <button
          className="jp-mlops-Artifact-main"
          style={indent}
          aria-expanded={open}
          onClick={() => {
            if (!open && !dir) {
              void model.artifacts.list(file.path);
            }
            setOpen(!open);
          }}
        >
          <Caret.react tag="span" elementSize="small" />
          <folderIcon.react tag="span" elementSize="normal" />
          <span className="jp-mlops-Artifact-name">{name(file.path)}</span>
        </button>
        {open && (
          <ul className="jp-mlops-ArtifactList">
            {dir?.pending && !dir.listing && (
              <li
                className="jp-mlops-Artifact-info"
                style={{ paddingLeft: indent.paddingLeft + 32 }}
              >
                Loading…
              </li>
            )}
            {dir?.error && (
              <li
                className="jp-mlops-Artifact-error"
                style={{ paddingLeft: indent.paddingLeft + 32 }}
              >
                {dir.error.message}
              </li>
            )}
            {dir?.listing?.files.length === 0 && (
              <li
                className="jp-mlops-Artifact-info"
                style={{ paddingLeft: indent.paddingLeft + 32 }}
              >
                {dir.listing.note ?? 'Empty directory'}
              </li>
            )}
            {dir?.listing?.files.map(child => (
              <FileRow
                key={child.path}
                file={child}
                depth={depth + 1}
                model={model}
                actions={actions}
              />
            ))}
          </ul>
        )}
      </li>
    );
  }

  const Icon = actions.icon?.(file.path) ?? fileIcon;
  return (
    <li className="jp-mlops-Artifact" data-path={file.path}>
      <div className="jp-mlops-Artifact-line">
        <button
          className="jp-mlops-Artifact-main"
          style={{ paddingLeft: indent.paddingLeft + 16 }}
          title={
            markupKind(file.path)
              ? `Open ${file.path} in a sandboxed viewer (untrusted: no access to Jupyter)`
              : `Open ${file.path} in JupyterLab`
          }
          disabled={busy}
          onClick={() => void run(() => actions.open(file))}
        >
          <Icon.react tag="span" elementSize="normal" />
          {/* A top-level entry with a '/' is a flat listing (GitLab): show the whole name. */}
          <span className="jp-mlops-Artifact-name">
            {depth === 0 ? file.path : name(file.path)}
          </span>
          {busy && <span className="jp-mlops-Spinner" aria-label="Opening" />}
        </button>
        <span className="jp-mlops-Artifact-size">
          {formatBytes(file.file_size)}
        </span>
        <button
          className="jp-mlops-IconButton"
          title={`Download ${name(file.path)}`}
          aria-label={`Download ${name(file.path)}`}
          onClick={() => void run(() => actions.download(file))}
        >
          <downloadIcon.react tag="span" elementSize="small" />
        </button>
      </div>
      {error && (
        <div className="jp-mlops-Artifact-error" role="alert">
          {error}
        </div>
      )}
    </li>
  );
}

/** The run's artifacts: a tree; files open in JupyterLab's viewers. */
export function ArtifactsSection(props: {
  model: RunDetailModel;
  files: IFileInfo[];
  note: string | null;
  actions: IArtifactActions;
}): JSX.Element {
  const files = [...props.files].sort(
    (a, b) =>
      Number(b.is_dir) - Number(a.is_dir) || a.path.localeCompare(b.path)
  );
  return (
    <Section id="artifacts" title="Artifacts" aside={files.length || undefined}>
      {files.length === 0 ? (
        <p className="jp-mlops-Muted">{props.note ?? 'No artifacts logged.'}</p>
      ) : (
        <ul className="jp-mlops-ArtifactList jp-mod-root">
          {files.map(file => (
            <FileRow
              key={file.path}
              file={file}
              depth={0}
              model={props.model}
              actions={props.actions}
            />
          ))}
        </ul>
      )}
    </Section>
  );
}
