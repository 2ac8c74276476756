/** A version: lineage, params, metrics, files, linked items, use in notebook. */
import * as React from 'react';

import { IVersionPage } from '../api/registry';
import { DescriptionEditor } from '../common/DescriptionEditor';
import { useSignals } from '../common/hooks';
import { TagsEditor } from '../common/TagsEditor';
import { RegistryModel } from '../models/registry';
import { Resource } from '../models/resource';
import { AliasEditor } from './Aliases';
import { DeleteVersionButton } from './EditActions';
import {
  DESCRIPTION_MAX,
  GITLAB_NO_TAGS,
  registryEditing,
  tagKeyProblem
} from './editRules';
import { LinkedItems } from './LinkedItems';
import { PageState } from './PageState';
import { IRegistryActions } from './route';
import { UseInNotebook } from './UseInNotebook';
import { ExternalLink, KeyValues, Lineage } from './VersionParts';
import { VersionArtifacts } from './VersionArtifacts';
import { formatNumber, timeCell, versionLabel } from '../common/format';

/** Props of {@link VersionPageView}. */
export interface IVersionPageProps {
  backend: string;
  name: string;
  version: string;
  actions: IRegistryActions;
  registry: RegistryModel;
  /** The page, from the registry model. */
  page: Resource<IVersionPage>;
}

/** The version page. */
export function VersionPageView(props: IVersionPageProps): JSX.Element {
  const { backend, name, version, actions, registry } = props;
  useSignals(props.page.changed, registry.status.changed);
  const page = props.page.value;
  const writeBlocked = registry.writeBlocked;
  const error = props.page.error?.message ?? null;

  if (error || !page) {
    return (
      <PageState
        error={error}
        loading={`Loading version ${version} of ${name}…`}
      />
    );
  }
  const created = timeCell(page.created);
  const params = Object.entries(page.params).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  const metrics = Object.entries(page.metrics).map(
    ([k, m]): [string, string] => [
      k,
      `${formatNumber(m.value)}  (step ${m.step})`
    ]
  );
  const label = versionLabel(page);
  const editing = registryEditing(page.backend_kind);
  const what = `version ${label} of ${name}`;
  const ref = { backend, model: name, version: page.version };
  return (
    <div className="jp-mlops-VersionPage" data-testid="version-page">
      <div className="jp-mlops-PageHeader">
        <h2 className="jp-mlops-PageTitle">
          Version {label} <span className="jp-mlops-Subtle">of</span>{' '}
          <button
            type="button"
            className="jp-mlops-LinkButton jp-mlops-Name"
            onClick={() => actions.navigate({ page: 'model', backend, name })}
          >
            {name}
          </button>
        </h2>
        <div className="jp-mlops-PageActions">
          <DeleteVersionButton
            backend={backend}
            backendKind={page.backend_kind}
            model={name}
            version={page.version}
            label={label}
            aliases={page.aliases}
            webUrl={page.web_url}
            registry={registry}
            text
            onDeleted={() => actions.navigate({ page: 'model', backend, name })}
          />
        </div>
      </div>
      <p className="jp-mlops-Subtle">
        {page.backend} ({page.backend_kind}) · created{' '}
        <span title={created.title}>{created.text}</span>
        {page.user_id ? ` by ${page.user_name ?? page.user_id}` : ''} ·{' '}
        {page.status ?? 'unknown status'}
        {page.semver && page.semver !== page.version
          ? ` · registry version ${page.version}`
          : ''}
        {page.web_url && (
          <>
            {' · '}
            <ExternalLink url={page.web_url} text="open on the backend" />
          </>
        )}
      </p>
      <DescriptionEditor
        what={what}
        text={page.description}
        blocked={writeBlocked(backend)}
        maxLength={DESCRIPTION_MAX}
        save={description => registry.editVersion(ref, { description })}
      />
      <div className="jp-mlops-VersionAliases">
        <span className="jp-mlops-Subtle">Aliases</span>
        <AliasEditor
          backend={backend}
          model={name}
          version={page.version}
          label={versionLabel(page)}
          aliases={page.aliases}
          registry={registry}
          note={page.aliases_note}
          writeBlocked={writeBlocked(backend)}
        />
      </div>
      <UseInNotebook
        snippet={page.use_snippet}
        hasParams={params.length > 0}
        insert={actions.insertInNotebook}
      />
      <div className="jp-mlops-Columns">
        <section>
          <h3 className="jp-mlops-SectionTitle">Lineage</h3>
          <Lineage page={page} actions={actions} />
          <h3 className="jp-mlops-SectionTitle">Tags</h3>
          <TagsEditor
            what={what}
            tags={page.tags}
            addBlocked={editing.tags ? writeBlocked(backend) : GITLAB_NO_TAGS}
            changeBlocked={
              editing.tags ? writeBlocked(backend) : GITLAB_NO_TAGS
            }
            keyProblem={tagKeyProblem}
            setTag={(key, value) =>
              registry.editVersion(ref, { set_tags: { [key]: value } })
            }
            removeTag={key => registry.editVersion(ref, { remove_tags: [key] })}
          />
          <h3 className="jp-mlops-SectionTitle">Linked items</h3>
          <LinkedItems
            backend={backend}
            model={name}
            version={page.version}
            links={page.links}
            registry={registry}
            writeBlocked={writeBlocked(backend)}
          />
        </section>
        <section>
          <h3 className="jp-mlops-SectionTitle">Files</h3>
          <VersionArtifacts
            backend={backend}
            model={name}
            version={page.version}
            files={page.artifacts}
            error={page.artifacts_error}
            upload={page.upload}
            registry={registry}
            writeBlocked={writeBlocked(backend)}
            open={path =>
              actions.openArtifact(backend, name, page.version, path)
            }
          />
        </section>
      </div>
      <div className="jp-mlops-Columns">
        <section>
          <h3 className="jp-mlops-SectionTitle">
            Parameters ({params.length})
          </h3>
          <KeyValues rows={params} empty="No params." testId="version-params" />
        </section>
        <section>
          <h3 className="jp-mlops-SectionTitle">Metrics ({metrics.length})</h3>
          <KeyValues
            rows={metrics}
            empty="No metrics."
            testId="version-metrics"
          />
        </section>
      </div>
    </div>
  );
}
