/**
 * Untrusted HTML and SVG: which viewer opens them, that JupyterLab's own
 * viewers are redirected for them, and that the frame's sandbox never gets
 * `allow-same-origin` whatever is toggled.
 */
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { ServerConnection } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';

import { ArtifactsDrive } from '../detail/artifacts/drive';
import { keepUntrusted, withoutTrust } from '../common/drives/notebookTrust';
import {
  frameDocument,
  isSafeSandbox,
  sandboxFor
} from '../common/drives/sandboxFrame';
import {
  backendOf,
  isUntrustedMarkup,
  isUntrustedPath,
  markupKind,
  mustRedirect,
  refuseUnguarded,
  UNTRUSTED_VIEWER,
  viewerFor
} from '../common/drives/untrusted';
import { UntrustedViewerFactory } from '../common/drives/untrustedFactory';
import {
  guardFactories,
  installUntrustedViewer
} from '../common/drives/untrustedGuard';
import { UntrustedView } from '../common/drives/UntrustedView';
import { VersionFilesDrive, versionFilePath } from '../registry/versionDrive';
import { SnapshotDrive } from '../snapshot/drive';

const settings = ServerConnection.makeSettings();
const artifacts = new ArtifactsDrive(settings);
new SnapshotDrive(settings);
new VersionFilesDrive(settings);

const RUN_HTML = artifacts.pathFor('default', 'ab12', 'plots/report.html');
const RUN_SVG = artifacts.pathFor('default', 'ab12', 'plots/Curve.SVG');
const VERSION_HTML = versionFilePath({
  backend: 'team',
  model: 'a/b',
  version: '1.0.0',
  path: 'card.htm'
});

/** A context as much as the view reads of one. */
function fakeContext(path: string, text: string): DocumentRegistry.Context {
  const model = {
    toString: () => text,
    contentChanged: new Signal<unknown, void>({}),
    stateChanged: new Signal<unknown, unknown>({}),
    dirty: false
  };
  return {
    path,
    localPath: path.split(':').pop(),
    isReady: true,
    ready: Promise.resolve(),
    model,
    contentsModel: { format: 'text' },
    pathChanged: new Signal<unknown, string>({})
  } as unknown as DocumentRegistry.Context;
}

describe('before the viewers are guarded', () => {
  it('the drives refuse HTML and SVG to any viewer, then serve them', async () => {
    await expect(
      artifacts.get('default/ab12/report.html', { type: 'file' })
    ).rejects.toThrow('opens only in the sandboxed viewer');
    expect(() => refuseUnguarded('MLOpsVersionFiles:b/m/1/x.svg')).toThrow();
    expect(() => refuseUnguarded('MLOpsArtifacts:b/r/x.csv')).not.toThrow();
    installUntrustedViewer(new DocumentRegistry());
    expect(() =>
      refuseUnguarded('MLOpsVersionFiles:b/m/1/x.svg')
    ).not.toThrow();
  });
});

describe('the viewer of a file', () => {
  it('is the sandboxed viewer for HTML and SVG, the default otherwise', () => {
    expect(viewerFor(RUN_HTML)).toBe(UNTRUSTED_VIEWER);
    expect(viewerFor(RUN_SVG)).toBe(UNTRUSTED_VIEWER);
    expect(viewerFor(VERSION_HTML)).toBe(UNTRUSTED_VIEWER);
    expect(viewerFor(artifacts.pathFor('default', 'ab12', 'a.xhtml'))).toBe(
      UNTRUSTED_VIEWER
    );
    for (const name of [
      'metrics.csv',
      'model.png',
      'MLmodel',
      'html',
      'a.html.txt'
    ]) {
      expect(
        viewerFor(artifacts.pathFor('default', 'ab12', name))
      ).toBeUndefined();
    }
  });

  it('knows what comes from a backend', () => {
    expect(markupKind('x/y.HTM')).toBe('html');
    expect(markupKind('x/y.svg')).toBe('svg');
    expect(markupKind('x/svg')).toBeNull();
    expect(isUntrustedPath(RUN_HTML)).toBe(true);
    expect(isUntrustedPath(VERSION_HTML)).toBe(true);
    expect(isUntrustedPath('MLOpsSnapshot:default/ab12/train@ab12.ipynb')).toBe(
      true
    );
    // Version files saved before this viewer existed are still untrusted.
    expect(isUntrustedMarkup('mlops-artifacts/default/m/1/r.html')).toBe(true);
    // The user's own files keep JupyterLab's viewers.
    expect(isUntrustedPath('reports/r.html')).toBe(false);
    expect(isUntrustedPath('OtherDrive:r.html')).toBe(false);
    expect(backendOf(RUN_HTML)).toBe('default');
    expect(backendOf(VERSION_HTML)).toBe('team');
    expect(backendOf('mlops-artifacts/prod/m/1/r.html')).toBe('prod');
  });

  it('redirects every factory but the inert ones, for untrusted markup only', () => {
    for (const f of ['HTML Viewer', 'Some Extension Viewer', 'Notebook']) {
      expect(mustRedirect(f, RUN_HTML)).toBe(true);
      expect(mustRedirect(f, RUN_SVG)).toBe(true);
      expect(mustRedirect(f, 'reports/r.html')).toBe(false);
    }
    for (const f of ['Editor', 'Image', 'Image (Text)', UNTRUSTED_VIEWER]) {
      expect(mustRedirect(f, RUN_HTML)).toBe(false);
    }
  });
});

describe('guarded factories', () => {
  function registry() {
    const reg = new DocumentRegistry();
    const sameOrigin = jest.fn(() => 'same-origin viewer');
    const htmlViewer = {
      name: 'HTML Viewer',
      fileTypes: ['html'],
      defaultFor: ['html'],
      modelName: 'text',
      widgetCreated: new Signal({}),
      createNew: sameOrigin
    };
    reg.addWidgetFactory(htmlViewer as any);
    const viewer = new UntrustedViewerFactory();
    reg.addWidgetFactory(viewer);
    guardFactories(reg, viewer);
    return { reg, sameOrigin };
  }

  it('opens drive HTML in the sandboxed view even with the HTML Viewer', () => {
    const { reg, sameOrigin } = registry();
    const factory = reg.getWidgetFactory('HTML Viewer')!;
    const widget = factory.createNew(fakeContext(RUN_HTML, '<p>hi</p>'));
    expect(widget).toBeInstanceOf(UntrustedView);
    expect(sameOrigin).not.toHaveBeenCalled();
    // The user's own HTML still opens in JupyterLab's viewer.
    expect(factory.createNew(fakeContext('r.html', ''))).toBe(
      'same-origin viewer'
    );
    (widget as UntrustedView).dispose();
  });

  it('also guards a factory registered later', () => {
    const { reg } = registry();
    const inline = jest.fn(() => 'inlined svg');
    const late = {
      name: 'Late Viewer',
      fileTypes: ['svg'],
      defaultFor: [],
      modelName: 'text',
      widgetCreated: new Signal({}),
      createNew: inline
    };
    reg.addWidgetFactory(late as any);
    const widget = reg
      .getWidgetFactory('Late Viewer')!
      .createNew(fakeContext(RUN_SVG, '<svg/>'));
    expect(widget).toBeInstanceOf(UntrustedView);
    expect(inline).not.toHaveBeenCalled();
    (widget as UntrustedView).dispose();
  });
});

describe('the sandboxed view', () => {
  it('never frames with allow-same-origin, scripts on or off', async () => {
    const html =
      '<!DOCTYPE html><script>parent.document.title="pwned"</script><p>x</p>';
    const view = new UntrustedView({ context: fakeContext(RUN_HTML, html) });
    await Promise.resolve();
    const seen: (string | null)[] = [view.frame.getAttribute('sandbox')];
    view.scripts = true;
    seen.push(view.frame.getAttribute('sandbox'));
    view.scripts = false;
    seen.push(view.frame.getAttribute('sandbox'));
    expect(seen).toEqual(['', 'allow-scripts', '']);
    expect(seen.every(isSafeSandbox)).toBe(true);
    expect(
      view.frame.srcdoc.startsWith(
        '<!DOCTYPE html><meta http-equiv="Content-Security-Policy"'
      )
    ).toBe(true);
    expect(view.content.node.textContent).toContain(
      'Untrusted file from backend “default”'
    );
    view.dispose();
  });

  it('shows SVG as an image only, with no script toggle', async () => {
    const view = new UntrustedView({
      context: fakeContext(RUN_SVG, '<svg onload="alert(1)"/>')
    });
    await Promise.resolve();
    view.scripts = true;
    expect(view.scripts).toBe(false);
    expect(view.frame.getAttribute('sandbox')).toBe('');
    expect(view.frame.srcdoc).toContain(
      '<img alt="SVG image" src="data:image/svg+xml'
    );
    expect(view.frame.srcdoc).not.toContain('<svg');
    view.dispose();
  });

  it('builds documents whose policy comes first', () => {
    expect(sandboxFor('svg', true)).toBe('');
    expect(sandboxFor('html', false)).toBe('');
    expect(sandboxFor('html', true)).toBe('allow-scripts');
    const doc = frameDocument('html', '<!-- a --><!doctype html><p>x', false);
    expect(doc.indexOf('Content-Security-Policy')).toBeLessThan(
      doc.indexOf('<p>')
    );
    expect(doc.startsWith('<!-- a --><!doctype html><meta')).toBe(true);
    expect(doc).toContain("default-src 'none'");
    expect(frameDocument('html', '<p>', true)).toContain("connect-src 'none'");
  });
});

describe('notebooks from a backend', () => {
  it('arrive with no trusted cell', () => {
    const nb = {
      nbformat: 4,
      cells: [
        {
          cell_type: 'code',
          metadata: { trusted: true, tags: ['a'] },
          outputs: []
        },
        { cell_type: 'markdown', metadata: {}, source: 'x' }
      ]
    };
    const out = withoutTrust(nb);
    expect(out.cells[0].metadata).toEqual({ tags: ['a'] });
    expect(nb.cells[0].metadata.trusted).toBe(true); // the input is left alone
    expect(withoutTrust('not a notebook')).toBe('not a notebook');
  });

  it('ignore "Trust Notebook" once open', () => {
    const cell = { trusted: false };
    const changed = new Signal<unknown, { newValues: unknown[] }>({});
    const model = { cells: Object.assign([cell], { changed }) };
    keepUntrusted(model as any);
    cell.trusted = true;
    expect(cell.trusted).toBe(false);
    const added = { trusted: true };
    changed.emit({ newValues: [added] });
    expect(added.trusted).toBe(false);
    added.trusted = true;
    expect(added.trusted).toBe(false);
  });
});
