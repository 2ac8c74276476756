/**
 * Tabs with identity and links (issue 13, items 3 and 9): the opener's
 * identity and preview tab with real lumino widgets in a real DockPanel, and
 * the link helpers the kernel's links are parsed with.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { CommandRegistry } from '@lumino/commands';
import { MessageLoop } from '@lumino/messaging';
import { DockPanel, Widget } from '@lumino/widgets';

import { isPreview } from '../common/previewTab';
import {
  labLink,
  linkRoute,
  parseHref,
  parseLink,
  withoutLink
} from '../common/links';
import { ArtifactsDrive } from '../detail/artifacts/drive';
import { RunDetailOpener } from '../detail/opener';
import { MlopsModel } from '../models/mlops';
import { FakeServer, jsonReply } from './fakeServer';

/** The part of JupyterLab's shell the opener uses, on a real DockPanel. */
class DockShell {
  constructor() {
    Widget.attach(this.dock, document.body);
  }
  readonly dock = new DockPanel();

  widgets(): Widget[] {
    return Array.from(this.dock.widgets());
  }
  add(
    widget: Widget,
    _area: string,
    options?: { ref?: string; mode?: DockPanel.InsertMode }
  ): void {
    const ref = this.widgets().find(w => w.id === options?.ref) ?? null;
    this.dock.addWidget(widget, { ref, mode: options?.mode });
  }
  activateById(id: string): void {
    const widget = this.widgets().find(w => w.id === id);
    if (widget) {
      this.dock.activateWidget(widget);
    }
  }
  /** The tab element of `widget`, rendered. */
  tab(widget: Widget): HTMLElement {
    for (const bar of this.dock.tabBars()) {
      MessageLoop.sendMessage(bar, Widget.Msg.UpdateRequest);
      const i = bar.titles.indexOf(widget.title);
      if (i >= 0) {
        return bar.contentNode.children[i] as HTMLElement;
      }
    }
    throw new Error(`no tab for ${widget.id}`);
  }
  dispose(): void {
    this.dock.dispose();
  }
}

describe('RunDetailOpener', () => {
  let shell: DockShell;
  let opener: RunDetailOpener;
  let model: MlopsModel;

  beforeEach(() => {
    const server = new FakeServer();
    server.handler = () =>
      jsonReply(404, { message: 'not here', reason: 'not_found' });
    shell = new DockShell();
    model = new MlopsModel({ serverSettings: server.settings });
    const app = {
      shell,
      commands: new CommandRegistry(),
      docRegistry: new DocumentRegistry()
    } as unknown as JupyterFrontEnd;
    opener = new RunDetailOpener({
      app,
      model,
      drive: new ArtifactsDrive(server.settings),
      restorer: null
    });
  });

  afterEach(() => {
    opener.preview.dispose();
    shell.dispose();
    model.dispose();
  });

  it('activates a run already open instead of opening it again', async () => {
    const first = await opener.open({ backend: 'default', run_id: 'r1' });
    const second = await opener.open({ backend: 'default', run_id: 'r1' });
    expect(second).toBe(first);
    expect(shell.widgets()).toHaveLength(1);
    await opener.open({ backend: 'other', run_id: 'r1' });
    expect(shell.widgets()).toHaveLength(2);
  });

  it('titles a tab by the run name it was opened with', async () => {
    const w = await opener.open({
      backend: 'default',
      run_id: '0123456789abcdef',
      run_name: 'bold-fox'
    });
    expect(w.title.label).toBe('bold-fox');
    expect(w.title.caption).toContain('0123456789abcdef');
  });

  it('reuses one preview tab for single clicks, in place', async () => {
    const pinned = await opener.open({ backend: 'default', run_id: 'p' });
    const a = await opener.open({
      backend: 'default',
      run_id: 'a',
      preview: true
    });
    expect(isPreview(a)).toBe(true);
    expect(isPreview(pinned)).toBe(false);
    const b = await opener.open({
      backend: 'default',
      run_id: 'b',
      preview: true
    });
    expect(a.isDisposed).toBe(true);
    expect(shell.widgets()).toEqual([pinned, b]);
    expect(opener.preview.current).toBe(b);
    expect(shell.tab(b).classList).toContain('jp-mlops-mod-preview');
  });

  it('pins the preview on a double click on its tab', async () => {
    const a = await opener.open({
      backend: 'default',
      run_id: 'a',
      preview: true
    });
    const tab = shell.tab(a);
    tab.dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));
    expect(isPreview(a)).toBe(false);
    expect(shell.tab(a).classList).not.toContain('jp-mlops-mod-preview');
    const b = await opener.open({
      backend: 'default',
      run_id: 'b',
      preview: true
    });
    expect(a.isDisposed).toBe(false);
    expect(shell.widgets()).toHaveLength(2);
    expect(opener.preview.current).toBe(b);
  });

  it('pins the preview on an edit inside it, not on a copy', async () => {
    const a = await opener.open({
      backend: 'default',
      run_id: 'a',
      preview: true
    });
    const copy = document.createElement('button');
    copy.className = 'jp-mlops-CopyButton';
    a.content.node.appendChild(copy);
    copy.click();
    expect(isPreview(a)).toBe(true);
    const input = document.createElement('input');
    a.content.node.appendChild(input);
    input.dispatchEvent(new Event('change', { bubbles: true }));
    expect(isPreview(a)).toBe(false);
  });

  it('pins a preview when the run is opened explicitly', async () => {
    const a = await opener.open({
      backend: 'default',
      run_id: 'a',
      preview: true
    });
    await opener.open({ backend: 'default', run_id: 'a', preview: true });
    expect(isPreview(a)).toBe(true);
    await opener.open({ backend: 'default', run_id: 'a' });
    expect(isPreview(a)).toBe(false);
    expect(shell.widgets()).toEqual([a]);
  });
});

describe('links', () => {
  it('builds and parses the same form as the kernel', () => {
    const link = {
      kind: 'version' as const,
      backend: 'team',
      name: 'a/b c',
      version: '1.0+x'
    };
    expect(linkRoute(link)).toBe('version/team/a%2Fb%20c/1.0%2Bx');
    const url = labLink(link, '/user/alice/lab');
    expect(url).toBe('/user/alice/lab?mlops=version/team/a%2Fb%20c/1.0%2Bx');
    expect(parseLink(url.slice(url.indexOf('?')))).toEqual(link);
    expect(parseLink('?x=1&mlops=run/default/r1')).toEqual({
      kind: 'run',
      backend: 'default',
      run_id: 'r1'
    });
  });

  it('refuses what is no link', () => {
    for (const search of [
      '',
      '?mlops=',
      '?mlops=run/default',
      '?mlops=run/default/r1/extra',
      '?mlops=job/default/1',
      '?mlops=run//r1',
      '?mlops=run/default/%E0%A4%A',
      '?notmlops=run/default/r1'
    ]) {
      expect(parseLink(search)).toBeNull();
    }
  });

  it('opens in-page only links of this origin and base URL', () => {
    const location = new URL(
      'http://localhost/lab/tree/x.ipynb'
    ) as unknown as Location;
    expect(parseHref('/lab?mlops=run/default/r1', location)).toEqual({
      kind: 'run',
      backend: 'default',
      run_id: 'r1'
    });
    expect(
      parseHref('http://evil.example/lab?mlops=run/default/r1', location)
    ).toBeNull();
    expect(parseHref('/lab?other=1', location)).toBeNull();
  });

  it('drops only the link from the query', () => {
    expect(withoutLink('?mlops=run/d/r')).toBe('');
    expect(withoutLink('?reset&mlops=run/d/r&a=1')).toBe('?reset&a=1');
  });
});
