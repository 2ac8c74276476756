import { Clipboard } from '@jupyterlab/apputils';
import { checkIcon, copyIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IRunDetail } from '../api/types';
import { formatDuration, formatTime, runDuration } from '../common/format';
import { StatusBadge } from '../common/StatusBadge';
import { ExternalLink, Field, Section } from './Section';

/** A value with a button that copies it to the clipboard. */
export function CopyButton(props: {
  text: string;
  label: string;
}): JSX.Element {
  const [copied, setCopied] = React.useState(false);
  React.useEffect(() => {
    if (!copied) {
      return;
    }
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  const Icon = copied ? checkIcon : copyIcon;
  return (
    <button
      className="jp-mlops-CopyButton"
      title={copied ? 'Copied' : `Copy ${props.label}`}
      aria-label={`Copy ${props.label}`}
      onClick={() => {
        Clipboard.copyToSystem(props.text);
        setCopied(true);
      }}
    >
      <Icon.react tag="span" elementSize="small" />
    </button>
  );
}

/** Status, times, user, ids, source notebook, tags. */
export function DetailsSection(props: {
  detail: IRunDetail;
  experimentName?: string;
  onOpenSource?: (path: string) => void;
}): JSX.Element {
  const { info, links, tags } = props.detail;
  const source = links.source;
  const tagEntries = Object.entries(tags).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  return (
    <Section id="details" title="Details and metadata">
      <dl className="jp-mlops-Fields">
        <Field label="Status" name="status">
          <StatusBadge status={info.status} />
        </Field>
        <Field label="Experiment" name="experiment">
          <ExternalLink href={links.experiment_url}>
            {props.experimentName || `#${info.experiment_id}`}
          </ExternalLink>
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
          <code className="jp-mlops-Mono">{info.run_id}</code>
          <CopyButton text={info.run_id} label="the run ID" />
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
            <code className="jp-mlops-Mono" title={source.git_commit}>
              {source.git_commit.slice(0, 12)}
            </code>
            <CopyButton text={source.git_commit} label="the commit" />
          </Field>
        )}
        <Field label="Artifact URI" name="artifact-uri">
          {info.artifact_uri && (
            <span className="jp-mlops-Mono jp-mlops-Wrap">
              {info.artifact_uri}
            </span>
          )}
        </Field>
        {tagEntries.length > 0 && (
          <Field label="Tags" name="tags">
            <span className="jp-mlops-Chips">
              {tagEntries.map(([k, v]) => (
                <span className="jp-mlops-Chip" key={k} title={`${k}=${v}`}>
                  {k}
                  {v ? `: ${v}` : ''}
                </span>
              ))}
            </span>
          </Field>
        )}
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
