/** A version: lineage, params, metrics, files, linked items, use in notebook. */
import { ServerConnection } from '@jupyterlab/services';
import * as React from 'react';

import { getVersion, IVersionPage } from '../api/registry';
import { formatNumber } from '../compare/table';
import { timeCell, versionLabel } from './format';
import { useWriteBlocked } from '../models/capabilities';
import { LinkedItems } from './LinkedItems';
import { describeError } from './notify';
import { IRegistryActions } from './route';
import { UseInNotebook } from './UseInNotebook';
import { ExternalLink, KeyValues, Lineage } from './VersionParts';
import { VersionArtifacts } from './VersionArtifacts';

/** Props of {@link VersionPageView}. */
export interface IVersionPageProps {
  backend: string;
  name: string;
  version: string;
  actions: IRegistryActions;
  settings?: ServerConnection.ISettings;
  /** Called with the version's label (its semver) once loaded. */
  onLoaded?: (label: string) => void;
}

/** The version page. */
export function VersionPageView(props: IVersionPageProps): JSX.Element {
  const { backend, name, version, actions, settings } = props;
  const [page, setPage] = React.useState<IVersionPage | null>(null);
  const writeBlocked = useWriteBlocked(settings);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    let live = true;
    setPage(null);
    getVersion(backend, name, version, settings).then(
      p => {
        if (live) {
          setPage(p);
          props.onLoaded?.(versionLabel(p));
        }
      },
      e => live && setError(describeError(e).message)
    );
    return () => {
      live = false;
    };
  }, [backend, name, version]);

  if (error) {
    return (
      <div className="jp-mlops-Notice jp-mlops-mod-error" role="alert">
        {error}
      </div>
    );
  }
  if (!page) {
    return (
      <p className="jp-mlops-Loading">
        Loading version {version} of {name}…
      </p>
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
  return (
    <div className="jp-mlops-VersionPage" data-testid="version-page">
      <h2 className="jp-mlops-PageTitle">
        Version {versionLabel(page)} <span className="jp-mlops-Subtle">of</span>{' '}
        <button
          type="button"
          className="jp-mlops-LinkButton jp-mlops-Name"
          onClick={() => actions.navigate({ page: 'model', backend, name })}
        >
          {name}
        </button>
      </h2>
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
      {page.description && (
        <p className="jp-mlops-Description">{page.description}</p>
      )}
      <UseInNotebook
        snippet={page.use_snippet}
        hasParams={params.length > 0}
        insert={actions.insertInNotebook}
      />
      <div className="jp-mlops-Columns">
        <section>
          <h3 className="jp-mlops-SectionTitle">Lineage</h3>
          <Lineage page={page} actions={actions} />
          <h3 className="jp-mlops-SectionTitle">Linked items</h3>
          <LinkedItems
            backend={backend}
            model={name}
            version={page.version}
            links={page.links}
            settings={settings}
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
            settings={settings}
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
