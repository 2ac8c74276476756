/**
 * The read-only view of an untrusted HTML or SVG file: a notice bar saying
 * where it comes from, and a frame whose sandbox never has
 * `allow-same-origin` (see sandboxFrame.ts). HTML may run its scripts on
 * request, still in an opaque origin; SVG is only ever an image.
 */
import { DocumentRegistry, DocumentWidget } from '@jupyterlab/docregistry';
import { IFrame, notTrustedIcon } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import { Panel, Widget } from '@lumino/widgets';

import { frameDocument, sandboxFor } from './sandboxFrame';
import { backendOf, MarkupKind, markupKind } from './untrusted';

/** Text of the notice bar for a file and mode. */
export function noticeText(
  path: string,
  kind: MarkupKind,
  scripts: boolean
): { title: string; detail: string } {
  const backend = backendOf(path);
  const from = backend ? `backend “${backend}”` : 'a backend';
  const title = `Untrusted file from ${from}: shown without script access to Jupyter.`;
  const detail =
    kind === 'svg'
      ? 'Shown as an image: its scripts never run and it loads nothing.'
      : scripts
        ? 'Its scripts run in an isolated frame: no access to this page, to your files or to the Jupyter server.'
        : 'Scripts are off and nothing is loaded from the network.';
  return { title, detail };
}

/** The bar above the frame. */
class NoticeBar extends Widget {
  constructor() {
    super();
    this.addClass('jp-mlops-UntrustedNotice');
    this.node.setAttribute('role', 'note');
    const icon = notTrustedIcon.element({
      tag: 'span',
      className: 'jp-mlops-UntrustedNotice-icon'
    });
    this._title.className = 'jp-mlops-UntrustedNotice-title';
    this._detail.className = 'jp-mlops-UntrustedNotice-detail';
    const text = document.createElement('div');
    text.className = 'jp-mlops-UntrustedNotice-text';
    text.append(this._title, this._detail);
    this.node.append(icon, text);
  }

  setText(notice: { title: string; detail: string }): void {
    this._title.textContent = notice.title;
    this._detail.textContent = notice.detail;
  }

  private _title = document.createElement('div');
  private _detail = document.createElement('div');
}

/** A decoded text of the context's model (base64 models too). */
function modelText(context: DocumentRegistry.Context): string {
  const raw = context.model.toString();
  if (context.contentsModel?.format !== 'base64') {
    return raw;
  }
  const binary = atob(raw.replace(/\s+/g, ''));
  const bytes = Uint8Array.from(binary, c => c.charCodeAt(0));
  return new TextDecoder('utf-8').decode(bytes);
}

/** The sandboxed document widget: the notice bar above the frame (a flex column). */
export class UntrustedView extends DocumentWidget<Panel> {
  constructor(options: { context: DocumentRegistry.Context }) {
    const content = new Panel();
    super({ context: options.context, content });
    this.kind = markupKind(this.context.path) ?? 'html';
    this.addClass('jp-mlops-UntrustedView');
    content.addClass('jp-mlops-UntrustedView-body');
    this._iframe.addClass('jp-mlops-UntrustedView-frame');
    this._iframe.node.dataset.kind = this.kind;
    content.addWidget(this._notice);
    content.addWidget(this._iframe);
    this.frame.title = `Sandboxed view of ${this.context.path}`;
    this._notice.setText(noticeText(this.context.path, this.kind, false));
    void this.context.ready.then(() => {
      this._render();
      this.context.model.contentChanged.connect(this._render, this);
    });
  }

  /** HTML or SVG (from the file name). */
  readonly kind: MarkupKind;

  /** The frame element (its sandbox is set by this widget only). */
  get frame(): HTMLIFrameElement {
    return this._iframe.node.querySelector('iframe')!;
  }

  /** Whether the HTML's scripts run (isolated); always false for SVG. */
  get scripts(): boolean {
    return this._scripts;
  }
  set scripts(value: boolean) {
    const next = value && this.kind === 'html';
    if (next === this._scripts) {
      return;
    }
    this._scripts = next;
    this._render();
    this._scriptsChanged.emit(next);
  }

  get scriptsChanged(): ISignal<this, boolean> {
    return this._scriptsChanged;
  }

  /** Re-frame the file: sandbox first, then the document (a new navigation). */
  private _render(): void {
    if (this.isDisposed || !this.context.isReady) {
      return;
    }
    const tokens = sandboxFor(this.kind, this._scripts);
    this._iframe.sandbox = tokens ? [tokens] : [];
    this.frame.srcdoc = frameDocument(
      this.kind,
      modelText(this.context),
      this._scripts
    );
    this._notice.setText(
      noticeText(this.context.path, this.kind, this._scripts)
    );
    this.node.dataset.scripts = String(this._scripts);
  }

  private _iframe = new IFrame({ sandbox: [], referrerPolicy: 'no-referrer' });
  private _notice = new NoticeBar();
  private _scripts = false;
  private _scriptsChanged = new Signal<this, boolean>(this);
}
