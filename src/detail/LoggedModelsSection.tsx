import { Button, fileIcon, folderIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IFileInfo, ILoggedModel, ILoggedModelList } from '../api/types';
import { formatBytes, formatNumber } from '../common/format';
import { IArtifactActions } from './ArtifactsSection';
import { Section } from './Section';
import { KeyValueTable } from '../common/KeyValueTable';

/** What the section asks of the panel beyond opening files. */
export interface ILoggedModelActions {
  /** Open the promote dialog with this logged model chosen. */
  promote: (model: ILoggedModel) => void;
}

function ModelFile(props: {
  model: ILoggedModel;
  file: IFileInfo;
  files: IArtifactActions;
}): JSX.Element {
  const { model, file, files } = props;
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const Icon = file.is_dir ? folderIcon : (files.icon?.(file.path) ?? fileIcon);
  const open = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await files.open(file, model.model_id);
    } catch (reason) {
      setError(reason instanceof Error ? reason.message : String(reason));
    }
    setBusy(false);
  };
  return (
    <li className="jp-mlops-Artifact" data-path={file.path}>
      <div className="jp-mlops-Artifact-line">
        <button
          className="jp-mlops-Artifact-main"
          disabled={busy || file.is_dir}
          title={
            file.is_dir
              ? `${file.path}/ (a folder of the model)`
              : `Open ${file.path} of ${model.name} (read-only)`
          }
          onClick={() => void open()}
        >
          <Icon.react tag="span" elementSize="normal" />
          <span className="jp-mlops-Artifact-name">
            {file.path}
            {file.is_dir ? '/' : ''}
          </span>
        </button>
        <span className="jp-mlops-Artifact-size">
          {file.is_dir ? '' : formatBytes(file.file_size)}
        </span>
      </div>
      {error && (
        <div className="jp-mlops-Artifact-error" role="alert">
          {error}
        </div>
      )}
    </li>
  );
}

function KeyValues(props: {
  title: string;
  entries: [string, string][];
}): JSX.Element | null {
  if (!props.entries.length) {
    return null;
  }
  return (
    <div className="jp-mlops-LoggedModel-part">
      <h4 className="jp-mlops-LoggedModel-partTitle">{props.title}</h4>
      <KeyValueTable rows={props.entries} mono />
    </div>
  );
}

function LoggedModelCard(props: {
  model: ILoggedModel;
  files: IArtifactActions;
  actions: ILoggedModelActions;
}): JSX.Element {
  const { model } = props;
  const sorted = (o: Record<string, string>): [string, string][] =>
    Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
  const metrics = Object.entries(model.metrics)
    .map(([k, m]): [string, string] => [k, formatNumber(m.value)])
    .sort(([a], [b]) => a.localeCompare(b));
  const files = [...model.artifacts.files].sort((a, b) =>
    a.path.localeCompare(b.path)
  );
  return (
    <article
      className="jp-mlops-LoggedModel"
      data-model-id={model.model_id}
      aria-label={`Logged model ${model.name}`}
    >
      <header className="jp-mlops-LoggedModel-header">
        <h3 className="jp-mlops-LoggedModel-name">{model.name}</h3>
        {model.flavors.map(f => (
          <span key={f} className="jp-mlops-Chip" data-flavor={f}>
            {f}
          </span>
        ))}
        <span className="jp-mlops-Spacer" />
        <Button
          small
          minimal
          className="jp-mlops-LoggedModel-promote"
          title={`Register ${model.source} as a version of a model`}
          onClick={() => props.actions.promote(model)}
        >
          Promote…
        </Button>
      </header>
      <p className="jp-mlops-LoggedModel-id jp-mlops-Mono" title="Model URI">
        {model.source}
        {model.status && model.status !== 'LOGGED_MODEL_READY'
          ? ` · ${model.status.replace(/^LOGGED_MODEL_/, '').toLowerCase()}`
          : ''}
      </p>
      <div className="jp-mlops-LoggedModel-body">
        <KeyValues title="Parameters" entries={sorted(model.params)} />
        <KeyValues title="Metrics" entries={metrics} />
        <div className="jp-mlops-LoggedModel-part">
          <h4 className="jp-mlops-LoggedModel-partTitle">Files</h4>
          {files.length === 0 ? (
            <p className="jp-mlops-Muted">
              {model.artifacts.note ?? 'No files.'}
            </p>
          ) : (
            <ul className="jp-mlops-ArtifactList jp-mod-root">
              {files.map(file => (
                <ModelFile
                  key={file.path}
                  model={model}
                  file={file}
                  files={props.files}
                />
              ))}
            </ul>
          )}
        </div>
      </div>
    </article>
  );
}

/** MLflow 3 logged models of the run; nothing where the backend has none (GitLab). */
export function LoggedModelsSection(props: {
  list: ILoggedModelList | undefined;
  files: IArtifactActions;
  actions: ILoggedModelActions;
}): JSX.Element | null {
  const list = props.list;
  if (!list?.supported) {
    return null;
  }
  return (
    <Section
      id="logged-models"
      title="Logged models"
      aside={list.models.length || undefined}
    >
      {list.models.length === 0 ? (
        <p className="jp-mlops-Muted">
          {list.note ??
            'No models logged (mlflow.<flavor>.log_model logs one here).'}
        </p>
      ) : (
        <>
          {list.models.map(m => (
            <LoggedModelCard
              key={m.model_id}
              model={m}
              files={props.files}
              actions={props.actions}
            />
          ))}
          {list.truncated && (
            <p className="jp-mlops-Muted">
              More models were logged than shown here.
            </p>
          )}
        </>
      )}
    </Section>
  );
}
