/** A model and its versions. */
import * as React from 'react';

import { IModelPage } from '../api/registry';
import { CopyId } from '../common/CopyId';
import { DescriptionEditor } from '../common/DescriptionEditor';
import { safeHref, timeCell, versionLabel } from '../common/format';
import { useSignals } from '../common/hooks';
import { sortVersions } from '../common/registryRules';
import { TagsEditor } from '../common/TagsEditor';
import { RegistryModel } from '../models/registry';
import { Resource } from '../models/resource';
import { AliasEditor } from './Aliases';
import { DeleteVersionButton, ModelActions } from './EditActions';
import {
  DESCRIPTION_MAX,
  GITLAB_NO_TAGS,
  registryEditing,
  tagKeyProblem
} from './editRules';
import { PageState } from './PageState';
import { IRegistryActions } from './route';

/** A run id shortened for a table cell. */
function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

/**
 * Link to a candidate, by its run name (the id shortened when it has none),
 * the id in the tooltip and its copy button: the sidebar's candidate view
 * opens it when it can.
 */
export function CandidateLink(props: {
  actions: IRegistryActions;
  candidate: {
    backend: string;
    run_id: string;
    run_name?: string | null;
  } | null;
}): JSX.Element {
  const { candidate, actions } = props;
  if (!candidate) {
    return <span>—</span>;
  }
  const name = candidate.run_name || shortId(candidate.run_id);
  const open = actions.openCandidate;
  return (
    <span className="jp-mlops-Candidate" data-run-id={candidate.run_id}>
      {open ? (
        <button
          type="button"
          className="jp-mlops-LinkButton jp-mlops-Candidate-name"
          title={`Open run ${name} (ID ${candidate.run_id}, backend ${candidate.backend})`}
          onClick={() => open(candidate.backend, candidate.run_id)}
        >
          {name}
        </button>
      ) : (
        <span
          className="jp-mlops-Candidate-name"
          title={`Run ID ${candidate.run_id}`}
        >
          {name}
        </span>
      )}
      <CopyId id={candidate.run_id} what="run ID" />
    </span>
  );
}

/** Props of {@link ModelPageView}. */
export interface IModelPageProps {
  backend: string;
  name: string;
  actions: IRegistryActions;
  registry: RegistryModel;
  /** The page, from the registry model. */
  page: Resource<IModelPage>;
}

/** Model header and the versions table. */
export function ModelPageView(props: IModelPageProps): JSX.Element {
  const { backend, name, actions, registry } = props;
  useSignals(props.page.changed, registry.status.changed);
  const page = props.page.value;
  const error = props.page.error?.message ?? null;
  if (error || !page) {
    return <PageState error={error} loading={`Loading model ${name}…`} />;
  }
  const created = timeCell(page.creation_timestamp);
  const updated = timeCell(page.last_updated_timestamp);
  const web = safeHref(page.web_url);
  const blocked = registry.writeBlocked(backend);
  const editing = registryEditing(page.backend_kind);
  const what = `model ${page.name}`;
  return (
    <div className="jp-mlops-ModelPage" data-testid="model-page">
      <div className="jp-mlops-PageHeader">
        <h2 className="jp-mlops-PageTitle">
          Model <span className="jp-mlops-Name">{page.name}</span>
        </h2>
        <ModelActions page={page} registry={registry} actions={actions} />
      </div>
      <dl className="jp-mlops-Meta">
        <dt>Backend</dt>
        <dd>
          {page.backend}{' '}
          <span className="jp-mlops-Kind">{page.backend_kind}</span>
        </dd>
        <dt>Created</dt>
        <dd title={created.title}>
          {created.text}
          {page.user_id ? ` by ${page.user_name ?? page.user_id}` : ''}
        </dd>
        <dt>Last updated</dt>
        <dd title={updated.title}>{updated.text}</dd>
        {page.latest_version && (
          <>
            <dt>Latest version</dt>
            <dd data-testid="model-latest">
              {versionLabel(page.latest_version)}
            </dd>
          </>
        )}
        <dt>Aliases</dt>
        <dd data-testid="model-aliases">
          {page.aliases_note ??
            (page.aliases.length === 0
              ? 'none (the champion check uses the latest version)'
              : page.aliases.map(a => `@${a.alias} → ${a.version}`).join(', '))}
        </dd>
        {web && (
          <>
            <dt>On the backend</dt>
            <dd>
              <a href={web} target="_blank" rel="noopener noreferrer">
                {web}
              </a>
            </dd>
          </>
        )}
      </dl>
      <DescriptionEditor
        what={what}
        text={page.description}
        blocked={blocked}
        maxLength={DESCRIPTION_MAX}
        save={description =>
          registry.editModel(backend, page.name, { description })
        }
      />
      <h3 className="jp-mlops-SectionTitle">Tags</h3>
      <TagsEditor
        what={what}
        tags={page.tags ?? {}}
        addBlocked={editing.tags ? blocked : GITLAB_NO_TAGS}
        changeBlocked={editing.tags ? blocked : GITLAB_NO_TAGS}
        keyProblem={tagKeyProblem}
        setTag={(key, value) =>
          registry.editModel(backend, page.name, { set_tags: { [key]: value } })
        }
        removeTag={key =>
          registry.editModel(backend, page.name, { remove_tags: [key] })
        }
      />
      <h3 className="jp-mlops-SectionTitle">
        Versions ({page.versions.length})
      </h3>
      {page.versions.length === 0 ? (
        <p className="jp-mlops-Compare-empty">No versions yet.</p>
      ) : (
        <div className="jp-mlops-TableScroll">
          <table className="jp-mlops-DataTable" data-testid="versions-table">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Created</th>
                <th scope="col">Candidate</th>
                {!page.aliases_note && <th scope="col">Aliases</th>}
                <th scope="col">Status</th>
                <th scope="col">Description</th>
                <th scope="col">
                  <span className="jp-mlops-VisuallyHidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sortVersions(page.versions).map(v => {
                const t = timeCell(v.created);
                return (
                  <tr key={v.version}>
                    <td>
                      <button
                        type="button"
                        className="jp-mlops-LinkButton"
                        onClick={() =>
                          actions.navigate({
                            page: 'version',
                            backend,
                            name,
                            version: v.version,
                            label: versionLabel(v)
                          })
                        }
                      >
                        Version {versionLabel(v)}
                      </button>
                    </td>
                    <td title={t.title}>
                      {t.text}
                      {v.user_id ? ` by ${v.user_name ?? v.user_id}` : ''}
                    </td>
                    <td>
                      <CandidateLink
                        actions={actions}
                        candidate={v.candidate}
                      />
                    </td>
                    {!page.aliases_note && (
                      <td>
                        <AliasEditor
                          backend={backend}
                          model={name}
                          version={v.version}
                          label={versionLabel(v)}
                          aliases={v.aliases}
                          modelAliases={page.aliases}
                          registry={registry}
                          note={null}
                          writeBlocked={registry.writeBlocked(backend)}
                        />
                      </td>
                    )}
                    <td>
                      <span
                        className={`jp-mlops-Status jp-mlops-mod-${(v.status ?? 'unknown').toLowerCase()}`}
                      >
                        {v.status ?? '—'}
                      </span>
                    </td>
                    <td className="jp-mlops-Description">
                      {v.description || ''}
                    </td>
                    <td>
                      <DeleteVersionButton
                        backend={backend}
                        backendKind={page.backend_kind}
                        model={name}
                        version={v.version}
                        label={versionLabel(v)}
                        aliases={v.aliases}
                        webUrl={v.web_url}
                        registry={registry}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
