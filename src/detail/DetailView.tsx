import { JupyterFrontEnd } from '@jupyterlab/application';
import { refreshIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';

import { RunDetailModel } from '../models/detail';
import { editSupport, IEditSupport } from '../models/edits';
import { ErrorBox, Loading, ProgressBar } from '../common/Feedback';
import { formatRelative } from '../common/format';
import { useSignals } from '../common/hooks';
import { StatusBadge } from '../common/StatusBadge';
import { ArtifactsSection, IArtifactActions } from './ArtifactsSection';
import { CopyId } from '../common/CopyId';
import { LoggedModelsSection } from './LoggedModelsSection';
import { DescriptionSection, TagsSection } from './EditSections';
import { CiSection, DetailsSection, ExperimentName } from './MetadataSection';
import { MetricsSection } from './MetricsSection';
import { ParamsSection } from './ParamsSection';
import { DeletedRunBanner, DeleteRunButton, RunTitle } from './RunActions';
import { ExternalLink } from './Section';
import { SnapshotSection } from './SnapshotSection';

/** The command that opens an experiment's page (`{backend, experiment_id, name}`). */
const OPEN_EXPERIMENT_COMMAND = 'mlops:open-experiment';
/** The command that opens the promote dialog (`{backend, run_id, label, source}`). */
const PROMOTE_COMMAND = 'mlops:promote';

/** Props of {@link DetailView}. */
export interface IDetailViewProps {
  model: RunDetailModel;
  commands: JupyterFrontEnd['commands'];
  experimentName?: string;
  artifacts: IArtifactActions;
  onOpenSource?: (path: string) => void;
  /** What the backend lets the user edit (all, when unknown: the server decides). */
  support?: IEditSupport;
}

function NotFound(props: { model: RunDetailModel }): JSX.Element {
  return (
    <div className="jp-mlops-NotFound" role="alert" data-error="not_found">
      <h2>This run does not exist (any more)</h2>
      <p>
        Run <code className="jp-mlops-Mono">{props.model.runId}</code> of
        backend <code className="jp-mlops-Mono">{props.model.backend}</code> was
        not found: it may have been deleted.
      </p>
      {props.model.error && (
        <p className="jp-mlops-Muted">{props.model.error.message}</p>
      )}
    </div>
  );
}

/** The candidate detail: header, then sections like GitLab's candidate page. */
export function DetailView(props: IDetailViewProps): JSX.Element {
  const { model } = props;
  useSignals(model.changed);
  const detail = model.detail;
  const support = props.support ?? editSupport(null);
  const refresh = (
    <ToolbarButtonComponent
      icon={refreshIcon}
      tooltip="Refresh"
      className="jp-mlops-RefreshButton"
      onClick={() => void model.load()}
    />
  );

  if (model.deleted) {
    return (
      <div className="jp-mlops-Detail" data-state="deleted">
        <DeletedRunBanner model={model} detail={detail} />
      </div>
    );
  }
  if (model.notFound) {
    return (
      <div className="jp-mlops-Detail" data-state="not-found">
        <div className="jp-mlops-Detail-tools">{refresh}</div>
        <NotFound model={model} />
      </div>
    );
  }
  if (!detail) {
    return (
      <div className="jp-mlops-Detail" data-state={model.phase}>
        {model.error ? (
          <ErrorBox
            title="Cannot load the run"
            error={model.error}
            onRetry={() => void model.load()}
          />
        ) : (
          <Loading text="Loading the run…" />
        )}
      </div>
    );
  }

  const { info, links } = detail;
  const openExperiment = (): void =>
    void props.commands.execute(OPEN_EXPERIMENT_COMMAND, {
      backend: model.backend,
      experiment_id: info.experiment_id,
      name: props.experimentName ?? ''
    });
  const isNotebook = detail.system_tags['mlflow.source.type'] === 'NOTEBOOK';
  return (
    <div
      className="jp-mlops-Detail"
      data-state="ready"
      data-status={info.status}
    >
      <ProgressBar active={model.phase === 'loading'} />
      <header className="jp-mlops-Detail-header">
        <div className="jp-mlops-Detail-titleRow">
          <RunTitle model={model} detail={detail} support={support} />
          <StatusBadge status={info.status} />
          <span className="jp-mlops-Spacer" />
          {links.candidate?.url && (
            <ExternalLink href={links.candidate.url}>
              Candidate {links.candidate.iid} in GitLab
            </ExternalLink>
          )}
          {links.backend_ui_url && (
            <ExternalLink href={links.backend_ui_url}>
              Open in MLflow
            </ExternalLink>
          )}
          {refresh}
          <DeleteRunButton model={model} detail={detail} support={support} />
        </div>
        <div className="jp-mlops-Detail-subtitle">
          <span className="jp-mlops-Detail-experiment">
            Run in{' '}
            <ExperimentName
              name={props.experimentName}
              experimentId={info.experiment_id}
              onOpen={openExperiment}
            />
          </span>
          <span className="jp-mlops-Detail-id">
            ID <CopyId id={info.run_id} what="run ID" show short={8} />
          </span>
          {info.start_time !== null && (
            <span title={new Date(info.start_time).toLocaleString()}>
              started {formatRelative(info.start_time)}
              {info.user_id ? ` by ${info.user_name ?? info.user_id}` : ''}
            </span>
          )}
        </div>
      </header>
      {model.error && (
        <ErrorBox
          compact
          title="Cannot refresh the run; showing what was loaded"
          error={model.error}
          onRetry={() => void model.load()}
        />
      )}
      <DescriptionSection model={model} detail={detail} support={support} />
      <div className="jp-mlops-DetailGrid">
        <DetailsSection
          detail={detail}
          experimentName={props.experimentName}
          onOpenExperiment={openExperiment}
          onOpenSource={props.onOpenSource}
        />
        <div className="jp-mlops-DetailColumn">
          <CiSection detail={detail} />
          <ParamsSection params={detail.params} />
          <TagsSection model={model} detail={detail} support={support} />
        </div>
      </div>
      <MetricsSection model={model} metrics={detail.metrics} />
      <ArtifactsSection
        model={model}
        files={detail.artifacts.files}
        note={detail.artifacts.note}
        actions={props.artifacts}
      />
      <LoggedModelsSection
        list={detail.logged_models}
        files={props.artifacts}
        actions={{
          promote: m =>
            void props.commands.execute(PROMOTE_COMMAND, {
              backend: model.backend,
              run_id: info.run_id,
              label: info.run_name || info.run_id.slice(0, 8),
              source: m.model_id
            })
        }}
      />
      <SnapshotSection
        commands={props.commands}
        backend={model.backend}
        runId={model.runId}
        isNotebook={isNotebook}
        detail={detail}
      />
    </div>
  );
}
