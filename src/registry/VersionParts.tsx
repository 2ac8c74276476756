/** Parts of the version page: links, key/value tables, lineage. */
import * as React from 'react';

import { IVersionPage } from '../api/registry';
import { CandidateLink } from './ModelPage';
import { IRegistryActions } from './route';
import { safeHref } from '../common/format';
import { KeyValueTable } from '../common/KeyValueTable';

/** An http(s) link opened in a new tab; plain text otherwise. */
export function ExternalLink(props: {
  url: string | null | undefined;
  text?: string;
}): JSX.Element | null {
  const href = safeHref(props.url);
  if (!href) {
    return props.text || props.url ? (
      <span>{props.text ?? props.url}</span>
    ) : null;
  }
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {props.text ?? href}
    </a>
  );
}

/** A two-column table of keys and values (as text). */
export function KeyValues(props: {
  rows: [string, string][];
  empty: string;
  testId: string;
}): JSX.Element {
  if (props.rows.length === 0) {
    return <p className="jp-mlops-Hint">{props.empty}</p>;
  }
  return (
    <KeyValueTable
      rows={props.rows}
      className="jp-mlops-DataTable"
      testId={props.testId}
    />
  );
}

/** Where the version comes from: candidate, promotion path, snapshot, repository, CI job. */
export function Lineage(props: {
  page: IVersionPage;
  actions: IRegistryActions;
}): JSX.Element {
  const { page, actions } = props;
  const l = page.lineage;
  const repo = page.repository;
  return (
    <dl className="jp-mlops-Meta" data-testid="lineage">
      <dt>Candidate</dt>
      <dd>
        <CandidateLink actions={actions} candidate={page.candidate} />
        {l.source_experiment ? ` (experiment ${l.source_experiment})` : ''}
      </dd>
      {l.path && (
        <>
          <dt>Promotion</dt>
          <dd>
            {
              {
                run: 'run linked by GitLab',
                copy: 'copied from the candidate',
                registered: 'registered from the run'
              }[l.path]
            }
          </dd>
        </>
      )}
      {l.snapshot_sha256 && (
        <>
          <dt>Notebook snapshot</dt>
          <dd>
            <code title={l.snapshot_sha256}>
              sha256 {l.snapshot_sha256.slice(0, 12)}
            </code>
          </dd>
        </>
      )}
      {(repo || l.git_commit) && (
        <>
          <dt>Repository</dt>
          <dd>
            {repo?.url && <ExternalLink url={repo.url} />}
            {(repo?.commit || l.git_commit) && (
              <>
                {' '}
                commit{' '}
                <ExternalLink
                  url={repo?.commit_url}
                  text={(repo?.commit ?? l.git_commit ?? '').slice(0, 10)}
                />
              </>
            )}
          </dd>
        </>
      )}
      {(page.ci?.ci_job || l.ci_job_id) && (
        <>
          <dt>CI job</dt>
          <dd data-testid="version-ci">
            <ExternalLink
              url={page.ci?.ci_job?.url}
              text={`#${page.ci?.ci_job?.id ?? l.ci_job_id}`}
            />
            {page.ci?.pipeline && (
              <>
                {' · pipeline '}
                <ExternalLink
                  url={page.ci.pipeline.url}
                  text={`#${page.ci.pipeline.id ?? ''}`}
                />
              </>
            )}
            {page.ci?.merge_request && (
              <>
                {' · merge request '}
                <ExternalLink
                  url={page.ci.merge_request.url}
                  text={`!${page.ci.merge_request.iid}`}
                />
              </>
            )}
          </dd>
        </>
      )}
    </dl>
  );
}
