/**
 * Links that open where the user is (issue 13, item 9): `{base_url}lab?mlops=
 * run/<backend>/<run_id>` (also `experiment/...`, `version/...`, see
 * `common/links.ts`) opens the run, experiment or model version in this
 * JupyterLab. Loaded in the address bar, JupyterLab's router hands the query
 * to this plugin; clicked inside JupyterLab (a notebook output, a widget, a
 * toast), the link opens without reloading the page.
 */
import {
  IRouter,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { getExperimentSummary } from './api/endpoints';
import { MlopsLink, parseHref, parseLink, withoutLink } from './common/links';
import { notifyError } from './common/notify';

/** The (hidden) command the router runs for a link in the address bar. */
const ROUTE_COMMAND = 'mlops:route-link';

/** Commands that open what a link points at (registered by the other plugins). */
const OPEN = {
  run: 'mlops:open-run',
  experiment: 'mlops:open-experiment',
  version: 'mlops:open-version'
} as const;

/** Open what `link` points at, once the layout is restored; a toast says why it cannot. */
export async function openLink(
  app: JupyterFrontEnd,
  link: MlopsLink
): Promise<void> {
  await app.restored;
  try {
    switch (link.kind) {
      case 'run':
        await app.commands.execute(OPEN.run, {
          backend: link.backend,
          run_id: link.run_id
        });
        return;
      case 'experiment': {
        const row = await getExperimentSummary(
          link.backend,
          link.experiment_id,
          false,
          app.serviceManager.serverSettings
        );
        await app.commands.execute(OPEN.experiment, {
          backend: link.backend,
          experiment_id: link.experiment_id,
          name: row.name
        });
        return;
      }
      case 'version':
        await app.commands.execute(OPEN.version, {
          backend: link.backend,
          name: link.name,
          version: link.version
        });
        return;
    }
  } catch (error) {
    notifyError(`Cannot open the ${link.kind} of this link`, error);
  }
}

/** The anchor a click landed on, when it is a plain left click. */
function clickedAnchor(event: MouseEvent): HTMLAnchorElement | null {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  ) {
    return null; // a new tab or window: the page route handles it there
  }
  const target = event.target as Element | null;
  return target?.closest?.('a[href]') as HTMLAnchorElement | null;
}

function activate(app: JupyterFrontEnd, router: IRouter): void {
  app.commands.addCommand(ROUTE_COMMAND, {
    label: 'Open an MLOps Link',
    describedBy: { args: { type: 'object', properties: {} } },
    execute: async args => {
      const location = args as unknown as IRouter.ILocation;
      const link = parseLink(location.search ?? '');
      if (!link) {
        return;
      }
      // Drop the query so that a reload or a restored workspace does not open it again.
      const { pathname, search, hash } = window.location;
      window.history.replaceState(
        window.history.state,
        '',
        pathname + withoutLink(search) + hash
      );
      await openLink(app, link);
    }
  });
  router.register({ command: ROUTE_COMMAND, pattern: /[?&]mlops=/ });

  document.addEventListener(
    'click',
    event => {
      const anchor = clickedAnchor(event);
      const link = anchor && parseHref(anchor.href, window.location);
      if (link) {
        event.preventDefault();
        void openLink(app, link);
      }
    },
    true
  );
}

/** The router pattern and the in-page handler of MLOps links. */
export const linksPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab_mlops:links',
  description:
    'Opens the runs, experiments and model versions that links into this JupyterLab point at.',
  autoStart: true,
  requires: [IRouter],
  activate
};
