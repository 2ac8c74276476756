/**
 * Links that open a run, an experiment or a model version in this
 * JupyterLab: `{base_url}lab?mlops=<kind>/<backend>/<id>...`, each part
 * percent-encoded. The kernel builds the same form
 * (`jupyterlab_mlops/kernel/links.py`); the router and a click handler
 * (`src/linksPlugin.ts`) open them.
 */
import { PageConfig, URLExt } from '@jupyterlab/coreutils';

/** The query key of a link. */
export const LINK_QUERY_KEY = 'mlops';

/** What a link opens. */
export type MlopsLink =
  | { kind: 'run'; backend: string; run_id: string }
  | { kind: 'experiment'; backend: string; experiment_id: string }
  | { kind: 'version'; backend: string; name: string; version: string };

/** The ids of each kind of link, in URL order after the backend. */
const ID_KEYS: Record<MlopsLink['kind'], string[]> = {
  run: ['run_id'],
  experiment: ['experiment_id'],
  version: ['name', 'version']
};

/** `run/<backend>/<run_id>` and so on (the query value). */
export function linkRoute(link: MlopsLink): string {
  const ids = ID_KEYS[link.kind].map(
    key => (link as unknown as Record<string, string>)[key]
  );
  return [link.kind, link.backend, ...ids].map(encodeURIComponent).join('/');
}

/** The path of this JupyterLab's page (`/user/alice/lab`), from the page config. */
export function labPath(): string {
  const base = URLExt.parse(PageConfig.getBaseUrl()).pathname || '/';
  return URLExt.join(base, PageConfig.getOption('appUrl') || '/lab');
}

/** A link (a path on this origin) that opens `link` in this JupyterLab. */
export function labLink(link: MlopsLink, lab: string = labPath()): string {
  return `${lab}?${LINK_QUERY_KEY}=${linkRoute(link)}`;
}

/** The raw (still encoded) value of the `mlops` query parameter, or null. */
function rawQueryValue(search: string): string | null {
  for (const pair of search.replace(/^\?/, '').split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq) === LINK_QUERY_KEY) {
      return pair.slice(eq + 1);
    }
  }
  return null;
}

/** What the query string `search` (`?mlops=...`) links to, or null when it is no (valid) link. */
export function parseLink(search: string): MlopsLink | null {
  const raw = rawQueryValue(search);
  if (!raw) {
    return null;
  }
  let parts: string[];
  try {
    parts = raw.split('/').map(decodeURIComponent);
  } catch {
    return null; // a malformed escape
  }
  const [kind, backend, ...ids] = parts;
  const keys = ID_KEYS[kind as MlopsLink['kind']];
  if (!keys || !backend || ids.length !== keys.length || ids.some(id => !id)) {
    return null;
  }
  const link: Record<string, string> = { kind, backend };
  keys.forEach((key, i) => (link[key] = ids[i]));
  return link as unknown as MlopsLink;
}

/**
 * What an anchor's `href` links to when it is a link into this JupyterLab
 * (same origin, under this server's base URL), else null.
 */
export function parseHref(href: string, location: Location): MlopsLink | null {
  let url: URL;
  try {
    url = new URL(href, location.href);
  } catch {
    return null;
  }
  const base = URLExt.parse(PageConfig.getBaseUrl()).pathname || '/';
  if (url.origin !== location.origin || !url.pathname.startsWith(base)) {
    return null;
  }
  return parseLink(url.search);
}

/** The query string `search` without the `mlops` parameter (`''` when nothing is left). */
export function withoutLink(search: string): string {
  const rest = search
    .replace(/^\?/, '')
    .split('&')
    .filter(pair => pair && !pair.startsWith(`${LINK_QUERY_KEY}=`));
  return rest.length ? `?${rest.join('&')}` : '';
}
