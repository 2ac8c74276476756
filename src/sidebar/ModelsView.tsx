import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IModelRow, IModelsList } from '../api/registry';
import { Resource } from '../models/resource';
import { ErrorBox, Loading, Note, ProgressBar } from '../common/Feedback';
import { formatRelative, plural } from '../common/format';
import { useSignals } from '../common/hooks';
import { listKeyHandler } from './listKeys';

/** Props of {@link ModelsView}. */
export interface IModelsViewProps {
  models: Resource<IModelsList>;
  /** Whether to name each model's backend (several backends). */
  showBackend: boolean;
  onOpenRegistry: () => void;
  onOpenModel: (model: IModelRow) => void;
  /** "Create model" (the registry's dialog). */
  onCreateModel?: () => void;
}

function ModelItem(props: {
  row: IModelRow;
  showBackend: boolean;
  onOpen: (row: IModelRow) => void;
}): JSX.Element {
  const { row } = props;
  const latest = row.latest_version;
  const updated = row.last_updated_timestamp;
  return (
    <li className="jp-mlops-ModelItem" data-model={row.name}>
      <button
        className="jp-mlops-ModelItem-button"
        onClick={() => props.onOpen(row)}
        title={row.description ? `${row.name}\n\n${row.description}` : row.name}
      >
        <span className="jp-mlops-ModelItem-top">
          <span className="jp-mlops-ModelItem-name">{row.name}</span>
          <span className="jp-mlops-ModelItem-version">
            {latest ? `v${latest.version}` : 'no version'}
          </span>
        </span>
        <span className="jp-mlops-ModelItem-meta">
          <span>
            {row.version_count} {plural(row.version_count, 'version')}
          </span>
          {updated && (
            <span title={new Date(updated).toLocaleString()}>
              {formatRelative(updated)}
            </span>
          )}
          {props.showBackend && <span>{row.backend}</span>}
        </span>
      </button>
    </li>
  );
}

/** The sidebar's Models tab: the registry one click away, then the models. */
export function ModelsView(props: IModelsViewProps): JSX.Element {
  const { models } = props;
  useSignals(models.changed);
  React.useEffect(() => {
    if (models.phase === 'idle') {
      void models.load();
    }
  }, [models]);
  const list = models.value;
  const rows = list?.models ?? [];
  let body: React.ReactNode;
  if (models.phase === 'error' && !list && models.error) {
    body = (
      <ErrorBox
        title="Cannot list the models"
        error={models.error}
        onRetry={() => void models.load()}
      />
    );
  } else if (!list) {
    body = <Loading text="Loading models…" />;
  } else if (rows.length === 0) {
    body = (
      <div className="jp-mlops-NoMatch" data-empty="models">
        No registered models yet. Create one, or promote a candidate from an
        experiment page.
      </div>
    );
  } else {
    body = (
      <ul
        className="jp-mlops-ModelList"
        aria-label="Models"
        onKeyDown={listKeyHandler('.jp-mlops-ModelItem-button')}
      >
        {rows.map(row => (
          <ModelItem
            key={`${row.backend}/${row.name}`}
            row={row}
            showBackend={props.showBackend}
            onOpen={props.onOpenModel}
          />
        ))}
      </ul>
    );
  }
  return (
    <div className="jp-mlops-ModelsView">
      <Button
        className="jp-mod-styled jp-mlops-OpenRegistryButton"
        onClick={props.onOpenRegistry}
        title="Open the model registry: models, versions, lineage"
      >
        Open model registry
      </Button>
      {props.onCreateModel && (
        <Button
          minimal
          small
          className="jp-mlops-CreateModelLink"
          onClick={props.onCreateModel}
          title="Create a model (without versions) in the registry"
        >
          Create model…
        </Button>
      )}
      <ProgressBar active={models.phase === 'loading' && !!list} />
      {list?.errors.map(e => (
        <Note key={e.backend} kind="error" title={e.message}>
          Backend {e.backend}: {e.message}
        </Note>
      ))}
      {models.error && list && (
        <ErrorBox
          compact
          title="Cannot refresh the models"
          error={models.error}
          onRetry={() => void models.load()}
        />
      )}
      <div className="jp-mlops-ModelsView-list">{body}</div>
    </div>
  );
}
