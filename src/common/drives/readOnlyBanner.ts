/**
 * A banner over every document opened from a read-only drive ("Model version
 * files are read-only here..."), whatever opened it: the MLOps panels, "Open
 * With", a tab restored at start-up. It hooks every widget factory's
 * `widgetCreated`, now and for factories added later.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { DocumentRegistry, IDocumentWidget } from '@jupyterlab/docregistry';
import { Widget } from '@lumino/widgets';

/** Class of the banner. */
export const READ_ONLY_BANNER_CLASS = 'jp-mlops-ReadOnlyBanner';

/** The banner widget: the text, as text. */
function banner(text: string): Widget {
  const node = document.createElement('div');
  node.className = READ_ONLY_BANNER_CLASS;
  node.setAttribute('role', 'note');
  node.textContent = text;
  return new Widget({ node });
}

/** Put the banner over `widget` when its file lives on `drive` (once). */
export function addReadOnlyBanner(
  widget: IDocumentWidget,
  drive: string,
  text: string
): void {
  const header = widget instanceof MainAreaWidget ? widget.contentHeader : null;
  if (!header || !widget.context.path.startsWith(`${drive}:`)) {
    return;
  }
  if (!header.widgets.some(w => w.hasClass(READ_ONLY_BANNER_CLASS))) {
    header.addWidget(banner(text));
  }
}

/** Show `text` over every document of `drive` opened in `registry`'s factories. */
export function showReadOnlyBanners(
  registry: DocumentRegistry,
  drive: string,
  text: string
): void {
  const hooked = new WeakSet<DocumentRegistry.WidgetFactory>();
  const hook = (factory: DocumentRegistry.WidgetFactory | undefined) => {
    if (!factory || hooked.has(factory)) {
      return;
    }
    hooked.add(factory);
    factory.widgetCreated.connect((_, widget) =>
      addReadOnlyBanner(widget as IDocumentWidget, drive, text)
    );
  };
  for (const factory of registry.widgetFactories()) {
    hook(factory);
  }
  registry.changed.connect((_, change) => {
    if (change.type === 'widgetFactory' && change.change === 'added') {
      hook(change.name ? registry.getWidgetFactory(change.name) : undefined);
    }
  });
}
