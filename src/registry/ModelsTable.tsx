/** The registry's first page: models of every configured backend, searchable. */
import {
  addIcon,
  Button,
  InputGroup,
  refreshIcon,
  searchIcon,
  ToolbarButtonComponent
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { timeCell, versionLabel } from '../common/format';
import { useSignals } from '../common/hooks';
import { RegistryModel } from '../models/registry';
import { IRegistryActions } from './route';

/** Props of {@link ModelsTable}. */
export interface IModelsTableProps {
  actions: IRegistryActions;
  registry: RegistryModel;
  /** The text in the search box (the list follows it, debounced). */
  search: string;
  onSearch: (search: string) => void;
  /** Open the "Create model" dialog. */
  onCreate: () => void;
}

/** Search box and the table. */
export function ModelsTable(props: IModelsTableProps): JSX.Element {
  const { actions, registry } = props;
  useSignals(registry.list.changed);
  const list = registry.list.value;
  const error = registry.list.error?.message ?? null;
  const search = registry.listedSearch;

  const multi = new Set(list?.models.map(m => m.backend)).size > 1;
  return (
    <div className="jp-mlops-RegistryList">
      <div className="jp-mlops-Controls">
        <InputGroup
          className="jp-mlops-Search"
          type="search"
          placeholder="Search models by name"
          aria-label="Search models"
          rightIcon={searchIcon}
          value={props.search}
          onChange={e => props.onSearch(e.currentTarget.value)}
        />
        <ToolbarButtonComponent
          icon={refreshIcon}
          tooltip="Reload"
          onClick={() => void registry.refreshList()}
        />
        <Button
          className="jp-mlops-CreateModelButton"
          title="Create a model (without versions) on a backend"
          onClick={props.onCreate}
        >
          <addIcon.react tag="span" elementSize="small" />
          Create model
        </Button>
      </div>
      {error && (
        <div className="jp-mlops-Notice jp-mlops-mod-error" role="alert">
          {error}
        </div>
      )}
      {list?.errors.map(e => (
        <div
          key={e.backend}
          className="jp-mlops-Notice jp-mlops-mod-warn"
          role="status"
        >
          Backend {e.backend}: {e.message}
        </div>
      ))}
      {!list && !error && <p className="jp-mlops-Loading">Loading models…</p>}
      {list && list.models.length === 0 && (
        <p className="jp-mlops-Compare-empty">
          {search
            ? `No model matches "${search}".`
            : 'No models yet. Create one, or promote a candidate from an experiment page.'}
        </p>
      )}
      {list && list.models.length > 0 && (
        <div className="jp-mlops-TableScroll">
          <table className="jp-mlops-DataTable" data-testid="models-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">{multi ? 'Backend / project' : 'Backend'}</th>
                <th scope="col">Latest version</th>
                <th scope="col">Versions</th>
                <th scope="col">Last updated</th>
                <th scope="col">By</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {list.models.map(m => {
                const t = timeCell(m.last_updated_timestamp);
                return (
                  <tr key={`${m.backend}/${m.name}`}>
                    <td>
                      <button
                        type="button"
                        className="jp-mlops-LinkButton"
                        onClick={() =>
                          actions.navigate({
                            page: 'model',
                            backend: m.backend,
                            name: m.name
                          })
                        }
                      >
                        {m.name}
                      </button>
                    </td>
                    <td>
                      {m.backend}{' '}
                      <span className="jp-mlops-Kind">{m.backend_kind}</span>
                    </td>
                    <td>
                      {m.latest_version ? (
                        <button
                          type="button"
                          className="jp-mlops-LinkButton"
                          onClick={() =>
                            actions.navigate({
                              page: 'version',
                              backend: m.backend,
                              name: m.name,
                              version: m.latest_version!.version,
                              label: versionLabel(m.latest_version!)
                            })
                          }
                        >
                          {versionLabel(m.latest_version)}
                        </button>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>{m.version_count ?? '—'}</td>
                    <td title={t.title}>{t.text}</td>
                    <td>{m.updated_by_name ?? m.updated_by ?? '—'}</td>
                    <td className="jp-mlops-Description">
                      {m.description || ''}
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
