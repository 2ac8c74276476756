/** Where the registry tab is: the models list, a model, or a version. */
export type RegistryRoute =
  | { page: 'list'; search?: string }
  | { page: 'model'; backend: string; name: string }
  | {
      page: 'version';
      backend: string;
      name: string;
      version: string;
      label?: string;
    };

/** What the registry views ask the application to do. */
export interface IRegistryActions {
  navigate: (route: RegistryRoute) => void;
  /** Open a candidate (run) in the sidebar; `null` when the sidebar cannot. */
  openCandidate: ((backend: string, runId: string) => void) | null;
  /** Insert code below the active notebook cell; returns the notebook path. */
  insertInNotebook: (code: string) => string;
  /** Save a version file in the Jupyter root and open it in a viewer. */
  openArtifact: (
    backend: string,
    model: string,
    version: string,
    path: string
  ) => Promise<void>;
}

/** A readable title for a route (tab title, breadcrumbs). */
export function routeTitle(route: RegistryRoute): string {
  switch (route.page) {
    case 'list':
      return 'Model registry';
    case 'model':
      return `Model ${route.name}`;
    case 'version':
      return `${route.name} version ${route.label ?? route.version}`;
  }
}
