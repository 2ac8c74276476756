/** The model registry tab: models list → model → version, with breadcrumbs. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { mlopsIcon } from '../sidebar/icons';
import { ModelPageView } from './ModelPage';
import { ModelsTable } from './ModelsTable';
import { IRegistryActions, RegistryRoute, routeTitle } from './route';
import { VersionPageView } from './VersionPage';

/** DOM id of the registry tab (one per JupyterLab window). */
export const REGISTRY_ID = 'jupyterlab-mlops-registry';

function Breadcrumbs(props: {
  route: RegistryRoute;
  navigate: (r: RegistryRoute) => void;
}): JSX.Element {
  const { route, navigate } = props;
  const crumb = (label: string, target: RegistryRoute | null) =>
    target ? (
      <button
        type="button"
        className="jp-mlops-LinkButton"
        onClick={() => navigate(target)}
      >
        {label}
      </button>
    ) : (
      <span aria-current="page">{label}</span>
    );
  return (
    <nav className="jp-mlops-Breadcrumbs" aria-label="Registry location">
      {crumb('Models', route.page === 'list' ? null : { page: 'list' })}
      {route.page !== 'list' && (
        <>
          <span className="jp-mlops-Sep">›</span>
          {crumb(
            route.name,
            route.page === 'model'
              ? null
              : { page: 'model', backend: route.backend, name: route.name }
          )}
        </>
      )}
      {route.page === 'version' && (
        <>
          <span className="jp-mlops-Sep">›</span>
          {crumb(`Version ${route.label ?? route.version}`, null)}
        </>
      )}
    </nav>
  );
}

/** The React content of the registry tab. */
export class RegistryBody extends ReactWidget {
  constructor(
    actions: Omit<IRegistryActions, 'navigate'>,
    settings?: ServerConnection.ISettings
  ) {
    super();
    this.addClass('jp-mlops-Registry');
    this._actions = { ...actions, navigate: route => this.navigate(route) };
    this._settings = settings;
  }

  /** Where the tab is. */
  get route(): RegistryRoute {
    return this._route;
  }

  /** Go to a page (the list keeps its search). */
  navigate(route: RegistryRoute): void {
    const current = this._route;
    if (
      route.page === 'version' &&
      !route.label &&
      current.page === 'version' &&
      current.backend === route.backend &&
      current.name === route.name &&
      current.version === route.version
    ) {
      route = { ...route, label: current.label }; // same page: keep what it loaded
    }
    this._route =
      route.page === 'list'
        ? { page: 'list', search: route.search ?? this._search }
        : route;
    if (route.page === 'list' && route.search !== undefined) {
      this._search = route.search;
    }
    this.onRouteChanged?.(this._route);
    this.update();
  }

  /** Called after each navigation (the tab title follows). */
  onRouteChanged: ((route: RegistryRoute) => void) | null = null;

  protected render(): JSX.Element {
    const route = this._route;
    const actions = this._actions;
    const settings = this._settings;
    return (
      <div className="jp-mlops-RegistryPage" data-page={route.page}>
        <Breadcrumbs route={route} navigate={actions.navigate} />
        {route.page === 'list' && (
          <>
            <h2 className="jp-mlops-PageTitle">Model registry</h2>
            <ModelsTable
              actions={actions}
              settings={settings}
              search={this._search}
              onSearch={s => {
                this._search = s;
                this.update();
              }}
            />
          </>
        )}
        {route.page === 'model' && (
          <ModelPageView
            key={`${route.backend}/${route.name}`}
            backend={route.backend}
            name={route.name}
            actions={actions}
            settings={settings}
          />
        )}
        {route.page === 'version' && (
          <VersionPageView
            key={`${route.backend}/${route.name}/${route.version}`}
            backend={route.backend}
            name={route.name}
            version={route.version}
            actions={actions}
            settings={settings}
            onLoaded={label => {
              if (
                this._route.page === 'version' &&
                this._route.label !== label
              ) {
                this.navigate({ ...this._route, label });
              }
            }}
          />
        )}
      </div>
    );
  }

  private _actions: IRegistryActions;
  private _route: RegistryRoute = { page: 'list' };
  private _search = '';
  private _settings?: ServerConnection.ISettings;
}

/** Create the registry tab (not yet attached). */
export function createRegistryWidget(
  actions: Omit<IRegistryActions, 'navigate'>,
  settings?: ServerConnection.ISettings
): MainAreaWidget<RegistryBody> {
  const content = new RegistryBody(actions, settings);
  const widget = new MainAreaWidget({ content });
  widget.id = REGISTRY_ID;
  widget.title.icon = mlopsIcon;
  widget.title.closable = true;
  widget.title.label = 'Model registry';
  content.onRouteChanged = route => {
    widget.title.label = routeTitle(route);
    widget.title.caption = routeTitle(route);
  };
  return widget;
}
