/** The model registry tab: models list → model → version, with breadcrumbs. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { versionLabel } from '../common/format';
import { mlopsIcon } from '../common/icons';
import { RegistryModel } from '../models/registry';
import { createModelWithDialog } from './CreateModel';
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
    this.registry = new RegistryModel({ serverSettings: settings });
    this._show(this._route);
  }

  /** What the tab shows, fetched through `src/api/`. */
  readonly registry: RegistryModel;

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
      this.registry.setSearch(route.search, true);
    }
    this._show(this._route);
    this.onRouteChanged?.(this._route);
    this.update();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.registry.dispose();
    super.dispose();
  }

  /** "Create model": the dialog, then the new model's page. */
  async createModel(): Promise<void> {
    const page = await createModelWithDialog(this.registry);
    if (page && !this.isDisposed) {
      this.navigate({ page: 'model', backend: page.backend, name: page.name });
    }
  }

  /** Called after each navigation (the tab title follows). */
  onRouteChanged: ((route: RegistryRoute) => void) | null = null;

  protected render(): JSX.Element {
    const route = this._route;
    const actions = this._actions;
    const registry = this.registry;
    return (
      <div className="jp-mlops-RegistryPage" data-page={route.page}>
        <Breadcrumbs route={route} navigate={actions.navigate} />
        {route.page === 'list' && (
          <>
            <h2 className="jp-mlops-PageTitle">Model registry</h2>
            <ModelsTable
              actions={actions}
              registry={registry}
              search={this._search}
              onSearch={s => {
                this._search = s;
                registry.setSearch(s);
                this.update();
              }}
              onCreate={() => void this.createModel()}
            />
          </>
        )}
        {route.page === 'model' && registry.modelPage && (
          <ModelPageView
            key={`${route.backend}/${route.name}`}
            backend={route.backend}
            name={route.name}
            actions={actions}
            registry={registry}
            page={registry.modelPage}
          />
        )}
        {route.page === 'version' && registry.versionPage && (
          <VersionPageView
            key={`${route.backend}/${route.name}/${route.version}`}
            backend={route.backend}
            name={route.name}
            version={route.version}
            actions={actions}
            registry={registry}
            page={registry.versionPage}
          />
        )}
      </div>
    );
  }

  /** Ask the registry model for the route's page; a version's label follows its answer. */
  private _show(route: RegistryRoute): void {
    if (route.page === 'list') {
      this.registry.showList();
    } else if (route.page === 'model') {
      this.registry.showModel(route.backend, route.name);
    } else {
      const page = this.registry.showVersion(
        route.backend,
        route.name,
        route.version
      );
      page.changed.connect(this._onVersionLoaded, this);
    }
  }

  /** Once loaded, the route (tab title, breadcrumbs) says the version's semver. */
  private _onVersionLoaded(): void {
    const value = this.registry.versionPage?.value;
    const route = this._route;
    if (!value || route.page !== 'version') {
      return;
    }
    const label = versionLabel(value);
    if (route.label !== label) {
      this.navigate({ ...route, label });
    }
  }

  private _actions: IRegistryActions;
  private _route: RegistryRoute = { page: 'list' };
  private _search = '';
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
