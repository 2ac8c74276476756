/**
 * One preview tab per kind of page, as editors have it (VS Code's preview
 * editor): a single click opens the page in the preview tab, replacing the
 * previous preview in place; a double click on the tab, an edit inside it or
 * an explicit open pins it. The preview shows as an italic tab title.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

/** Class of the title (and so of the tab) of a preview tab. */
export const PREVIEW_CLASS = 'jp-mlops-mod-preview';

/** Data attribute naming the widget on its tab (`data-mlops-tab`). */
const TAB_DATA_KEY = 'mlops-tab';

/** Elements whose use counts as an edit: it pins the preview. */
const EDIT_SELECTOR =
  'button, input, select, textarea, summary, [role="button"], [role="tab"]';
/** Controls that only read (copy an id, refresh): they do not pin. */
const READ_ONLY_SELECTOR = '.jp-mlops-CopyButton, .jp-mlops-RefreshButton';

/** Whether `widget` is shown as a preview (italic title). */
export function isPreview(widget: Widget): boolean {
  return widget.title.className.split(/\s+/).includes(PREVIEW_CLASS);
}

function setPreviewClass(widget: Widget, on: boolean): void {
  const classes = widget.title.className
    .split(/\s+/)
    .filter(c => c && c !== PREVIEW_CLASS);
  if (on) {
    classes.push(PREVIEW_CLASS);
  }
  widget.title.className = classes.join(' ');
}

/** The preview tab of one kind of page (e.g. the run detail). */
export class PreviewTab<T extends Widget> implements IDisposable {
  constructor(options: { shell: JupyterFrontEnd.IShell; document?: Document }) {
    this._shell = options.shell;
    this._document = options.document ?? document;
    this._document.addEventListener('dblclick', this._onDoubleClick, true);
  }

  /** Emitted when the preview tab is pinned (its state should be saved). */
  get pinned(): ISignal<this, T> {
    return this._pinned;
  }

  /** The preview tab, or null. */
  get current(): T | null {
    const w = this._current;
    return w && !w.isDisposed && isPreview(w) ? w : null;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Add `widget` to the main area: as the preview (it takes the place of the
   * previous preview, which is closed) or pinned.
   */
  add(widget: T, preview: boolean): void {
    widget.title.dataset = {
      ...widget.title.dataset,
      [TAB_DATA_KEY]: widget.id
    };
    const previous = this.current;
    setPreviewClass(widget, preview);
    if (preview) {
      this._current = widget;
      widget.node.addEventListener('click', this._onEdit, true);
      widget.node.addEventListener('input', this._onEdit, true);
      widget.node.addEventListener('change', this._onEdit, true);
    }
    this._shell.add(
      widget,
      'main',
      previous ? { ref: previous.id, mode: 'tab-after' } : undefined
    );
    if (preview && previous) {
      previous.close();
    }
  }

  /** Keep `widget` open: it is no longer the preview. */
  pin(widget: T): void {
    if (!isPreview(widget)) {
      return;
    }
    setPreviewClass(widget, false);
    widget.node.removeEventListener('click', this._onEdit, true);
    widget.node.removeEventListener('input', this._onEdit, true);
    widget.node.removeEventListener('change', this._onEdit, true);
    if (this._current === widget) {
      this._current = null;
    }
    this._pinned.emit(widget);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._document.removeEventListener('dblclick', this._onDoubleClick, true);
    Signal.clearData(this);
  }

  private _onDoubleClick = (event: MouseEvent): void => {
    const current = this.current;
    const tab = (event.target as Element | null)?.closest?.('.lm-TabBar-tab');
    if (current && tab?.getAttribute(`data-${TAB_DATA_KEY}`) === current.id) {
      this.pin(current);
    }
  };

  private _onEdit = (event: Event): void => {
    const current = this.current;
    const target = event.target as Element | null;
    if (!current || !target) {
      return;
    }
    const control = target.closest?.(EDIT_SELECTOR);
    if (
      event.type !== 'click' ||
      (control && !control.closest(READ_ONLY_SELECTOR))
    ) {
      this.pin(current);
    }
  };

  private _current: T | null = null;
  private _document: Document;
  private _isDisposed = false;
  private _pinned = new Signal<this, T>(this);
  private _shell: JupyterFrontEnd.IShell;
}
