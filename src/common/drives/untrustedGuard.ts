/**
 * Keep untrusted HTML and SVG out of JupyterLab's own viewers. The HTML
 * Viewer frames files with `allow-same-origin` and offers "Trust HTML" (or
 * trusts by default per a setting), which would run a backend file's script
 * in Jupyter's origin; a third-party viewer may inline SVG. So every widget
 * factory that is not known to be inert (text, `<img>`) yields the sandboxed
 * view for untrusted markup, whatever opened it: the MLOps panels, "Open
 * With", "Open from Path", `docmanager:open` with any factory. Until the
 * guard is installed the extension's drives refuse markup to every viewer
 * (untrusted.ts `refuseUnguarded`), so a tab restored earlier cannot show it.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import type { INotebookModel } from '@jupyterlab/notebook';

import { keepUntrusted } from './notebookTrust';
import { UntrustedViewerFactory } from './untrustedFactory';
import {
  isUntrustedPath,
  markViewersGuarded,
  mustRedirect,
  UNTRUSTED_VIEWER
} from './untrusted';

type AnyFactory = DocumentRegistry.WidgetFactory;

const guarded = new WeakSet<AnyFactory>();

/** Make one factory yield `viewer`'s widget for untrusted markup. */
function guard(factory: AnyFactory, viewer: AnyFactory): void {
  if (guarded.has(factory) || factory === viewer) {
    return;
  }
  guarded.add(factory);
  if (factory.modelName === 'notebook') {
    factory.widgetCreated.connect((_, widget) => {
      if (isUntrustedPath(widget.context.path)) {
        keepUntrusted(widget.context.model as INotebookModel);
      }
    });
  }
  const original = factory.createNew.bind(factory);
  factory.createNew = (context, source) =>
    mustRedirect(factory.name, context.path)
      ? viewer.createNew(context)
      : original(context, source);
}

/**
 * Guard every factory of `registry`, now and when one is added later.
 * Inert factories (Editor, Image) and `viewer` itself are left as they are.
 */
export function guardFactories(
  registry: DocumentRegistry,
  viewer: AnyFactory
): void {
  for (const factory of registry.widgetFactories()) {
    guard(factory, viewer);
  }
  registry.changed.connect((_, change) => {
    if (change.type === 'widgetFactory' && change.change === 'added') {
      const factory = change.name
        ? registry.getWidgetFactory(change.name)
        : undefined;
      if (factory) {
        guard(factory, viewer);
      }
    }
  });
}

const installed = new WeakSet<DocumentRegistry>();

/**
 * Register the sandboxed viewer and guard the other factories (once per
 * registry). Call it before any untrusted file opens: at activation, and
 * again (a no-op then) right before opening one. `openSource` opens a path
 * as text (the viewer's "Source" button).
 */
export function installUntrustedViewer(
  registry: DocumentRegistry,
  openSource?: (path: string) => void
): void {
  if (installed.has(registry)) {
    return;
  }
  installed.add(registry);
  let viewer = registry.getWidgetFactory(UNTRUSTED_VIEWER);
  if (!viewer) {
    viewer = new UntrustedViewerFactory({ openSource });
    registry.addWidgetFactory(viewer);
  }
  guardFactories(registry, viewer);
  markViewersGuarded();
}

/**
 * {@link installUntrustedViewer} for an application ("Source" opens the file
 * in the Editor). Idempotent: the openers call it before opening a file; the
 * plugin should call it at activation too (restored tabs, saved copies).
 */
export function guardViewers(app: JupyterFrontEnd): void {
  installUntrustedViewer(
    app.docRegistry,
    path =>
      void app.commands.execute('docmanager:open', { path, factory: 'Editor' })
  );
}
