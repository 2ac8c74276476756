import * as React from 'react';

import { IRunDetail } from '../api/types';
import { formatDuration, formatTime, runDuration } from '../common/format';
import { CopyId } from '../common/CopyId';
import { StatusBadge } from '../common/StatusBadge';
import { ExternalLink, Field, Section } from './Section';

/** An experiment by name: a link to its page when it can be opened. */
export function ExperimentName(props: {
  name?: string;
  experimentId: string;
  onOpen?: () => void;
}): JSX.Element {
  const text = props.name || `experiment ${props.experimentId}`;
  if (!props.onOpen) {
    return (
      <strong title={`Experiment ID ${props.experimentId}`}>{text}</strong>
    );
  }
  return (
    <button
      type="button"
      className="jp-mlops-LinkButton jp-mlops-ExperimentLink"
      title={`Open experiment ${text} (ID ${props.experimentId})`}
      onClick={props.onOpen}
    >
      {text}
    </button>
  );
}

/** Status, times, user, ids, source notebook (tags: the Tags section). */
export function DetailsSection(props: {
  detail: IRunDetail;
  experimentName?: string;
  onOpenSource?: (path: string) => void;
  /** Open the experiment's page (by name; its id is one click away). */
  onOpenExperiment?: () => void;
}): JSX.Element {
  const { info, links } = props.detail;
  const source = links.source;
  return (
    <Section id="details" title="Details and metadata">
      <dl className="jp-mlops-Fields">
        <Field label="Status" name="status">
          <StatusBadge status={info.status} />
        </Field>
        <Field label="Experiment" name="experiment">
          <ExperimentName
            name={props.experimentName}
            experimentId={info.experiment_id}
            onOpen={props.onOpenExperiment}
          />
          <CopyId id={info.experiment_id} what="experiment ID" />
          {links.experiment_url && (
            <ExternalLink href={links.experiment_url}>
              on the backend
            </ExternalLink>
          )}
        </Field>
        <Field label="Started" name="start">
          {formatTime(info.start_time)}
        </Field>
        <Field label="Ended" name="end">
          {formatTime(info.end_time)}
        </Field>
        <Field label="Duration" name="duration">
          {formatDuration(runDuration(info.start_time, info.end_time))}
          {info.status === 'RUNNING' && info.start_time !== null
            ? ' (running)'
            : ''}
        </Field>
        <Field label="User" name="user">
          {info.user_name ?? info.user_id ?? ''}
        </Field>
        <Field label="Run ID" name="run-id">
          <CopyId id={info.run_id} what="run ID" show />
        </Field>
        {source && (
          <Field label="Source" name="source">
            {source.path && props.onOpenSource ? (
              <button
                className="jp-mlops-LinkButton"
                title={`Open ${source.path}`}
                onClick={() => props.onOpenSource!(source.path!)}
              >
                {source.path}
              </button>
            ) : (
              <span className="jp-mlops-Mono">{source.name}</span>
            )}
            {source.type && (
              <span className="jp-mlops-Chip">{source.type}</span>
            )}
          </Field>
        )}
        {source?.git_commit && (
          <Field label="Git commit" name="commit">
            <CopyId id={source.git_commit} what="commit" show short={12} />
          </Field>
        )}
        <Field label="Artifact URI" name="artifact-uri">
          {info.artifact_uri && (
            <span className="jp-mlops-Mono jp-mlops-Wrap">
              {info.artifact_uri}
            </span>
          )}
        </Field>
      </dl>
    </Section>
  );
}

/** GitLab CI job, pipeline and merge request of the run. */
export function CiSection(props: { detail: IRunDetail }): JSX.Element {
  const { ci_job, pipeline, merge_request } = props.detail.links;
  const any = ci_job || pipeline || merge_request;
  return (
    <Section id="ci" title="CI">
      {any ? (
        <dl className="jp-mlops-Fields">
          {ci_job && (
            <Field label="Job" name="ci-job">
              <ExternalLink href={ci_job.url}>#{ci_job.id}</ExternalLink>
            </Field>
          )}
          {pipeline && (
            <Field label="Pipeline" name="pipeline">
              <ExternalLink href={pipeline.url}>
                {pipeline.id ? `#${pipeline.id}` : 'pipeline'}
              </ExternalLink>
            </Field>
          )}
          {merge_request && (
            <Field label="Merge request" name="merge-request">
              <ExternalLink href={merge_request.url}>
                !{merge_request.iid}
              </ExternalLink>
            </Field>
          )}
        </dl>
      ) : (
        <p className="jp-mlops-Muted">
          Not created by a CI job (no <code>gitlab.CI_JOB_ID</code> tag).
        </p>
      )}
    </Section>
  );
}
