/**
 * Untrusted artifacts (HTML, SVG, a notebook claiming to be trusted) written
 * by "a colleague" to a run: whatever the user clicks in the candidate
 * detail, the sandboxed viewer, its toolbar, JupyterLab's "Trust HTML" and
 * "Trust Notebook" and the file browser's "Open With" menu, their scripts
 * never act in Jupyter's origin: the page's title, storage, cookies and the
 * user's files stay as they were, and no frame ever gets
 * `allow-same-origin`. Screenshots (light and dark) go to test-results/.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import { APIRequestContext, Page } from '@playwright/test';

import {
  createRun,
  experiment,
  mlflow,
  putArtifact,
  waitForHealthy
} from './seed';

const EXP = 'untrusted-e2e';
const MODEL = 'untrusted-e2e-model';
/** Where the screenshots go (other suites running meanwhile empty test-results/). */
const SHOTS = process.env.MLOPS_SHOTS_DIR || 'test-results';
const ids: Record<string, string> = {};

/**
 * What a hostile script tries, from the frame: the Jupyter page (title,
 * storage, a global), Jupyter's API (read, then write a file, relative and
 * absolute URLs). Each outcome is written into the frame's own <body> so the
 * test can tell the script DID run, isolated.
 */
const ATTACK = `
  const mark = (k, v) => document.body.setAttribute('data-' + k, v);
  mark('ran', 'yes');
  document.getElementById('status').textContent = 'script ran';
  try { parent.document.title = 'pwned'; mark('parent', 'reached'); } catch (e) { mark('parent', 'blocked'); }
  try { window.top.localStorage.setItem('pwned', '1'); mark('storage', 'reached'); } catch (e) { mark('storage', 'blocked'); }
  try { parent.pwned = 1; mark('global', parent.pwned === 1 ? 'reached' : 'blocked'); } catch (e) { mark('global', 'blocked'); }
  try { document.cookie = 'pwned=1'; } catch (e) { /* opaque origin: no cookies */ }
  const origin = (location.ancestorOrigins && location.ancestorOrigins[0]) || '';
  const put = (url) => fetch(url, {
    method: 'PUT', credentials: 'include',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'file', format: 'text', content: 'pwned' })
  });
  fetch('/api/contents').then(r => r.text()).then(
    t => mark('read', 'reached ' + t.slice(0, 40)),
    e => mark('read', 'blocked'));
  put('/api/contents/pwned.txt').then(
    r => mark('write', 'answered ' + r.status), e => mark('write', 'blocked'));
  put(origin + '/api/contents/pwned-abs.txt').then(
    r => mark('write-abs', 'answered ' + r.status), e => mark('write-abs', 'blocked'));
`;

const HTML = `<!doctype html>
<html><head><title>Model report</title>
<style>body{font-family:sans-serif;margin:24px}h1{color:#1565c0}td,th{padding:4px 12px;border-bottom:1px solid #ccc}</style>
</head><body>
<h1>Model report</h1>
<p id="status">static</p>
<table><tr><th>metric</th><th>value</th></tr><tr><td>accuracy</td><td>0.95</td></tr><tr><td>f1</td><td>0.93</td></tr></table>
<img src="x" onerror="parent.document.title='pwned-img'" alt="">
<a id="anchor" href="#bottom">to the bottom</a>
<script>${ATTACK}</script>
<p id="bottom">end</p>
</body></html>`;

const SVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="320" height="160" viewBox="0 0 320 160"
     onload="parent.document.title='pwned-svg'; top.localStorage.setItem('pwned','svg')">
  <script>fetch('/api/contents/pwned-svg.txt', {method: 'PUT', body: '{}'});</script>
  <rect width="320" height="160" fill="#e3f2fd"/>
  <polyline fill="none" stroke="#1565c0" stroke-width="4" points="10,150 80,90 150,110 220,40 310,20"/>
  <text x="16" y="28" font-family="sans-serif" font-size="18" fill="#0d47a1">loss curve</text>
</svg>`;

/** A notebook whose JSON claims its cells are trusted, with outputs that would run in the page. */
const NOTEBOOK = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    {
      cell_type: 'code',
      id: 'c1',
      execution_count: 1,
      metadata: { trusted: true },
      source: 'display(HTML(...))',
      outputs: [
        {
          output_type: 'display_data',
          metadata: {},
          data: {
            'text/html':
              '<b id="nb-html">rendered</b><img src="x" onerror="document.title=\'pwned-nb\';localStorage.setItem(\'pwned\',\'nb\')">',
            'text/plain': 'html'
          }
        },
        {
          output_type: 'display_data',
          metadata: {},
          data: {
            'application/javascript':
              "localStorage.setItem('pwned','js'); document.title='pwned-js';",
            'text/plain': 'js'
          }
        }
      ]
    }
  ]
});

/** Run a JupyterLab command in the page (its result is not sent back). */
async function command(
  page: Page,
  id: string,
  args: Record<string, unknown> = {}
): Promise<void> {
  await page.evaluate(
    async ([id, args]) => {
      await (window as any).jupyterapp.commands.execute(id, args);
    },
    [id, args] as const
  );
}

async function root(request: APIRequestContext): Promise<string[]> {
  const listing = await (await request.get('/api/contents')).json();
  return listing.content.map((f: { name: string }) => f.name).sort();
}

/** Record every title and every sandbox value any frame of the page ever has. */
async function watch(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as any;
    w.__titles = [document.title];
    w.__frames = [];
    w.__leaks = [];
    const record = (f: Element, value: string | null) => {
      w.__frames.push({
        sandbox: value,
        widget:
          f.closest('.jp-MainAreaWidget, .jp-Document')?.className ??
          f.parentElement?.className ??
          ''
      });
      // A same-origin frame (any, e.g. JupyterLab's HTML viewer): did it
      // ever hold one of the hostile files?
      if (
        /allow-same-origin/.test(value ?? '') &&
        !f.hasAttribute('data-watched')
      ) {
        f.setAttribute('data-watched', '');
        f.addEventListener('load', () => {
          const html =
            (f as HTMLIFrameElement).contentDocument?.documentElement
              ?.outerHTML ?? '';
          if (/Model report|loss curve|pwned/.test(html)) {
            w.__leaks.push(html.slice(0, 300));
          }
        });
      }
    };
    new MutationObserver(records => {
      for (const r of records) {
        if (r.type === 'attributes' && r.target instanceof HTMLIFrameElement) {
          record(r.target, r.oldValue);
          record(r.target, r.target.getAttribute('sandbox'));
        }
        for (const n of Array.from(r.addedNodes)) {
          if (n instanceof Element) {
            const frames =
              n.tagName === 'IFRAME'
                ? [n]
                : Array.from(n.querySelectorAll('iframe'));
            frames.forEach(f => record(f, f.getAttribute('sandbox')));
          }
        }
      }
    }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeOldValue: true,
      attributeFilter: ['sandbox', 'srcdoc', 'src']
    });
    new MutationObserver(() => w.__titles.push(document.title)).observe(
      document.querySelector('title')!,
      { childList: true, characterData: true, subtree: true }
    );
  });
}

/** The page is as a hostile script would NOT leave it. */
async function untouched(
  page: Page,
  request: APIRequestContext,
  filesBefore: string[],
  framed = true
): Promise<void> {
  const state = await page.evaluate(() => ({
    titles: (window as any).__titles as string[],
    frames: (window as any).__frames as {
      sandbox: string | null;
      widget: string;
    }[],
    leaks: (window as any).__leaks as string[],
    storage: localStorage.getItem('pwned'),
    session: sessionStorage.getItem('pwned'),
    cookie: document.cookie,
    global: (window as any).pwned
  }));
  expect(state.titles.filter(t => /pwned/i.test(t))).toEqual([]);
  expect(await page.title()).not.toMatch(/pwned/i);
  expect(state.storage).toBeNull();
  expect(state.session).toBeNull();
  expect(state.cookie).not.toContain('pwned');
  expect(state.global).toBeUndefined();
  // The sandboxed views' frames were never same-origin, no same-origin frame
  // ever held a hostile file, and no JupyterLab HTML viewer is left open.
  if (framed) {
    expect(
      state.frames.filter(f => /jp-mlops-UntrustedView/.test(f.widget)).length
    ).toBeGreaterThan(0);
  }
  expect(
    state.frames.filter(
      f =>
        /jp-mlops-UntrustedView/.test(f.widget) &&
        /allow-same-origin/.test(f.sandbox ?? '')
    )
  ).toEqual([]);
  expect(state.leaks).toEqual([]);
  await expect(page.locator('.jp-HTMLViewer')).toHaveCount(0);
  // The user's files: none added, none written.
  expect(await root(request)).toEqual(filesBefore);
  for (const name of ['pwned.txt', 'pwned-abs.txt', 'pwned-svg.txt']) {
    expect((await request.get(`/api/contents/${name}`)).status()).toBe(404);
  }
}

async function openDetail(page: galata.IJupyterLabPageFixture): Promise<void> {
  await command(page, 'mlops:open-run', {
    backend: 'default',
    run_id: ids.run
  });
  await expect(
    page.locator('.jp-mlops-Detail[data-state="ready"]')
  ).toBeVisible();
}

async function clickArtifact(page: Page, path: string): Promise<void> {
  await page
    .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'hostile' })
    .click();
  await page
    .locator(
      `.jp-mlops-Detail .jp-mlops-Artifact[data-path="${path}"] .jp-mlops-Artifact-main`
    )
    .click();
}

/** Screenshot the view in the light then the dark theme. */
async function bothThemes(page: galata.IJupyterLabPageFixture, name: string) {
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${SHOTS}/${name}-light.png` });
  await page.theme.setDarkTheme();
  await page.waitForTimeout(800);
  await page.screenshot({ path: `${SHOTS}/${name}-dark.png` });
  await page.theme.setLightTheme();
}

/** Every entry of the file browser's "Open With" menu for a file, one after the other. */
async function openWithEveryFactory(
  page: galata.IJupyterLabPageFixture,
  name: string
): Promise<string[]> {
  const item = page.locator('.jp-DirListing-item', { hasText: name }).first();
  const menuItem = (label: string) =>
    page.locator('.lm-Menu-item:visible', { hasText: label }).first();
  await item.click({ button: 'right' });
  await menuItem('Open With').hover();
  const submenu = page.locator('.lm-Menu').last();
  await expect(submenu.locator('.lm-Menu-item').first()).toBeVisible();
  const labels = (await submenu.locator('.lm-Menu-itemLabel').allTextContents())
    .map(l => l.trim())
    .filter(Boolean);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  for (const label of labels) {
    await item.click({ button: 'right' });
    await menuItem('Open With').hover();
    await page
      .locator('.lm-Menu')
      .last()
      .locator('.lm-Menu-item', { hasText: label })
      .first()
      .click();
    await page.waitForTimeout(700);
  }
  return labels;
}

test.describe.configure({ mode: 'serial' });

test.describe('Untrusted artifacts', () => {
  test.afterAll(async ({ playwright }) => {
    const request = await playwright.request.newContext({
      baseURL: `http://127.0.0.1:${process.env.JLAB_PORT || '8888'}`
    });
    await request.post(
      '/jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow/registered-models/delete',
      { data: { name: MODEL } }
    );
    if (ids.exp) {
      await request.post(
        '/jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow/experiments/delete',
        { data: { experiment_id: ids.exp } }
      );
    }
    await request.dispose();
  });

  test('seed a run with hostile artifacts', async ({ request }) => {
    test.setTimeout(180000);
    await waitForHealthy(request);
    ids.exp = await experiment(request, EXP);
    ids.run = await createRun(request, ids.exp, {
      name: 'hostile',
      status: 'FINISHED',
      startTime: Date.now() - 3600000,
      params: { lr: '0.01' },
      metrics: { loss: [1, 0.5, 0.25] }
    });
    await putArtifact(
      request,
      ids.exp,
      ids.run,
      'report.html',
      HTML,
      'text/html'
    );
    await putArtifact(
      request,
      ids.exp,
      ids.run,
      'plot.svg',
      SVG,
      'image/svg+xml'
    );
    await putArtifact(
      request,
      ids.exp,
      ids.run,
      'trusted.ipynb',
      NOTEBOOK,
      'application/json'
    );
    // A model version whose files are the run's artifacts.
    await mlflow(request, 'registered-models/create', { name: MODEL });
    await mlflow(request, 'model-versions/create', {
      name: MODEL,
      source: `mlflow-artifacts:/${ids.exp}/${ids.run}/artifacts`,
      run_id: ids.run
    });
  });

  test('HTML: sandboxed, scripts only ever isolated, whatever is clicked', async ({
    page,
    request
  }) => {
    await page.setViewportSize({ width: 1280, height: 820 });
    const before = await root(request);
    await watch(page);
    await openDetail(page);
    await expect(
      page.locator(
        '.jp-mlops-Artifact[data-path="report.html"] .jp-mlops-Artifact-main'
      )
    ).toHaveAttribute('title', /sandboxed viewer/);
    await clickArtifact(page, 'report.html');

    const view = page.locator('.jp-mlops-UntrustedView:visible');
    await expect(view).toBeVisible();
    await expect(view.locator('.jp-mlops-UntrustedNotice')).toContainText(
      'Untrusted file from backend “default”: shown without script access to Jupyter.'
    );
    await expect(view.locator('.jp-mlops-UntrustedNotice')).toContainText(
      'Scripts are off'
    );
    const iframe = view.locator('iframe');
    await expect(iframe).toHaveAttribute('sandbox', '');
    const frame = page.frameLocator('.jp-mlops-UntrustedView:visible iframe');
    await expect(frame.locator('h1')).toHaveText('Model report');
    await expect(frame.locator('#status')).toHaveText('static');
    await expect(frame.locator('body')).not.toHaveAttribute('data-ran', 'yes');
    await bothThemes(page, 'untrusted-html');

    // Every button of the view's toolbar.
    const toolbar = view.locator('.jp-Toolbar');
    const labels = (
      await toolbar
        .locator('.jp-ToolbarButtonComponent:visible')
        .allTextContents()
    ).map(t => t.trim());
    expect(labels).toEqual(['Run scripts (isolated)', 'Source']);
    expect(labels.filter(l => /trust/i.test(l))).toEqual([]);

    await toolbar
      .locator('.jp-ToolbarButtonComponent', {
        hasText: 'Run scripts (isolated)'
      })
      .click();
    await expect(iframe).toHaveAttribute('sandbox', 'allow-scripts');
    await expect(view.locator('.jp-mlops-UntrustedNotice')).toContainText(
      'isolated frame'
    );
    // The script ran, in its own opaque origin: everything outside is out of reach.
    await expect(frame.locator('#status')).toHaveText('script ran');
    const body = frame.locator('body');
    await expect(body).toHaveAttribute('data-parent', 'blocked');
    await expect(body).toHaveAttribute('data-storage', 'blocked');
    await expect(body).toHaveAttribute('data-global', 'blocked');
    await expect(body).toHaveAttribute('data-read', 'blocked');
    await expect(body).toHaveAttribute('data-write', 'blocked');
    await expect(body).toHaveAttribute('data-write-abs', 'blocked');
    // In-page links still work (the base keeps them in the document).
    await frame.locator('#anchor').click();
    await expect(frame.locator('#bottom')).toBeVisible();
    await expect(frame.locator('h1')).toHaveText('Model report');
    await bothThemes(page, 'untrusted-html-scripts');

    await toolbar
      .locator('.jp-ToolbarButtonComponent', { hasText: 'Stop scripts' })
      .click();
    await expect(iframe).toHaveAttribute('sandbox', '');
    await expect(frame.locator('#status')).toHaveText('static');

    await toolbar
      .locator('.jp-ToolbarButtonComponent', { hasText: 'Source' })
      .click();
    await expect(page.locator('.jp-FileEditor:visible')).toContainText(
      '<script>'
    );

    // JupyterLab's own trust command (the HTML viewer's): nothing to trust.
    await command(page, 'htmlviewer:trust-html');
    // Opening the drive path with the HTML Viewer factory yields the sandboxed view.
    await command(page, 'docmanager:open', {
      path: `MLOpsArtifacts:default/${ids.run}/report.html`,
      factory: 'HTML Viewer'
    });
    await expect(page.locator('.jp-mlops-UntrustedView:visible')).toBeVisible();
    await expect(page.locator('.jp-HTMLViewer')).toHaveCount(0);
    await page.waitForTimeout(1000);
    await untouched(page, request, before);
  });

  test('HTML and SVG on the drive: every factory JupyterLab would offer', async ({
    page,
    request
  }) => {
    const before = await root(request);
    await watch(page);
    const report = `MLOpsArtifacts:default/${ids.run}/report.html`;
    // A fresh page (as after a reload with the tab in the layout), before the
    // extension opened anything: the guard is installed at activation, so the
    // HTML Viewer factory already yields the sandboxed view.
    await command(page, 'docmanager:open', {
      path: report,
      factory: 'HTML Viewer'
    });
    await expect(page.locator('.jp-mlops-UntrustedView:visible')).toBeVisible();
    await expect(page.locator('.jp-HTMLViewer')).toHaveCount(0);
    await untouched(page, request, before);

    // Once the MLOps panel opened a file, what "Open With" lists for a path,
    // each opened as its menu entry does. (The stock file browser cannot
    // browse the extension's drives: that menu is tested on saved copies below.)
    await openDetail(page);
    await clickArtifact(page, 'report.html');
    await expect(page.locator('.jp-mlops-UntrustedView:visible')).toBeVisible();
    const opened: Record<string, string[]> = {};
    for (const name of ['report.html', 'plot.svg']) {
      const path = `MLOpsArtifacts:default/${ids.run}/${name}`;
      opened[name] = await page.evaluate(
        p =>
          (window as any).jupyterapp.docRegistry
            .preferredWidgetFactories(p)
            .map((f: { name: string }) => f.name),
        path
      );
      for (const factory of opened[name]) {
        await command(page, 'docmanager:open', { path, factory });
        await page.waitForTimeout(500);
      }
    }
    console.log(`factories offered: ${JSON.stringify(opened)}`);
    expect(opened['report.html']).toEqual(
      expect.arrayContaining(['HTML Viewer', 'MLOps Sandboxed Viewer'])
    );
    expect(opened['plot.svg']).toEqual(
      expect.arrayContaining(['MLOps Sandboxed Viewer'])
    );
    await expect(page.locator('.jp-HTMLViewer')).toHaveCount(0);
    await page.waitForTimeout(1000);
    await untouched(page, request, before);
  });

  test('version files saved earlier under mlops-artifacts/: the file browser "Open With" menu', async ({
    page,
    request
  }) => {
    const folder = 'mlops-artifacts/default/churn/1';
    const parts = folder.split('/');
    for (let i = 1; i <= parts.length; i++) {
      await request.put(`/api/contents/${parts.slice(0, i).join('/')}`, {
        data: { type: 'directory' }
      });
    }
    for (const [name, content] of [
      ['old.html', HTML],
      ['old.svg', SVG]
    ]) {
      const saved = await request.put(`/api/contents/${folder}/${name}`, {
        data: { type: 'file', format: 'text', content }
      });
      expect(saved.ok()).toBe(true);
    }
    try {
      const before = await root(request);
      await watch(page);
      // The guard is installed when the extension first opens a file in the
      // page (the drives refuse markup until then; local copies cannot be
      // refused: see the report, jupyterlab_mlops should call guardViewers()
      // at activation).
      await openDetail(page);
      await clickArtifact(page, 'plot.svg');
      await expect(
        page.locator('.jp-mlops-UntrustedView:visible')
      ).toBeVisible();
      await command(page, 'filebrowser:go-to-path', { path: `${folder}/` });
      await expect(
        page.locator('.jp-DirListing-item', { hasText: 'old.html' })
      ).toBeVisible();
      const html = await openWithEveryFactory(page, 'old.html');
      expect(html).toEqual(
        expect.arrayContaining(['HTML Viewer', 'Sandboxed Viewer'])
      );
      const svg = await openWithEveryFactory(page, 'old.svg');
      expect(svg).toEqual(expect.arrayContaining(['Sandboxed Viewer']));
      // Double-click: the default factory (JupyterLab's HTML Viewer) is redirected too.
      await page
        .locator('.jp-DirListing-item', { hasText: 'old.html' })
        .dblclick();
      await expect(
        page.locator('.jp-mlops-UntrustedView:visible')
      ).toBeVisible();
      await expect(page.locator('.jp-HTMLViewer')).toHaveCount(0);
      await page.waitForTimeout(1000);
      await untouched(page, request, before);
      console.log(
        `Open With: old.html → ${html.join(', ')}; old.svg → ${svg.join(', ')}`
      );

      // Control: the same file as the user's own (elsewhere) keeps JupyterLab's
      // HTML viewer, and the watcher sees it framed same-origin: the checks
      // above are not vacuous.
      await request.put('/api/contents/control.html', {
        data: { type: 'file', format: 'text', content: HTML }
      });
      await command(page, 'docmanager:open', { path: 'control.html' });
      await expect(page.locator('.jp-HTMLViewer:visible')).toBeVisible();
      await expect
        .poll(() => page.evaluate(() => (window as any).__leaks.length))
        .toBeGreaterThan(0);
    } finally {
      await request.delete('/api/contents/control.html');
      for (const name of ['old.html', 'old.svg']) {
        await request.delete(`/api/contents/${folder}/${name}`);
      }
      for (let i = parts.length; i >= 1; i--) {
        await request.delete(`/api/contents/${parts.slice(0, i).join('/')}`);
      }
    }
  });

  test('SVG: an image in a frame without scripts', async ({
    page,
    request
  }) => {
    await page.setViewportSize({ width: 1280, height: 820 });
    const before = await root(request);
    await watch(page);
    await openDetail(page);
    await clickArtifact(page, 'plot.svg');
    const view = page.locator('.jp-mlops-UntrustedView:visible');
    await expect(view.locator('.jp-mlops-UntrustedNotice')).toContainText(
      'Shown as an image'
    );
    await expect(view.locator('iframe')).toHaveAttribute('sandbox', '');
    const frame = page.frameLocator('.jp-mlops-UntrustedView:visible iframe');
    const img = frame.locator('img');
    await expect(img).toBeVisible();
    expect(await img.evaluate(i => (i as HTMLImageElement).naturalWidth)).toBe(
      320
    );
    // No script toggle for SVG: every button offered, clicked.
    const buttons = view.locator(
      '.jp-Toolbar .jp-ToolbarButtonComponent:visible'
    );
    expect((await buttons.allTextContents()).map(t => t.trim())).toEqual([
      'Source'
    ]);
    await bothThemes(page, 'untrusted-svg');
    await buttons.first().click();
    await expect(page.locator('.jp-FileEditor:visible')).toContainText(
      'onload'
    );
    await page.waitForTimeout(1000);
    await untouched(page, request, before);
  });

  test('a notebook claiming trusted cells stays untrusted, "Trust" too', async ({
    page,
    request
  }) => {
    const before = await root(request);
    await watch(page);
    await openDetail(page);
    await clickArtifact(page, 'trusted.ipynb');
    const panel = page.locator('.jp-NotebookPanel:visible');
    await expect(panel).toBeVisible();
    // A kernel prompt may come: no kernel is needed to read outputs.
    const kernelDialog = page.locator('.jp-Dialog', { hasText: /kernel/i });
    if (
      await kernelDialog
        .waitFor({ timeout: 8000 })
        .then(() => true)
        .catch(() => false)
    ) {
      await kernelDialog
        .locator('button', { hasText: /No Kernel|Cancel/ })
        .first()
        .click();
      await expect(kernelDialog).toHaveCount(0);
    }
    // The HTML output renders sanitized (no handler), the JavaScript one not at all.
    await expect(
      panel.locator('b', { hasText: 'rendered' }).first()
    ).toBeVisible();
    expect(await panel.locator('img[onerror]').count()).toBe(0);
    await page.waitForTimeout(1000);
    await untouched(page, request, before, false);

    // Not awaited: the command resolves when its dialog closes.
    await page.evaluate(() => {
      void (window as any).jupyterapp.commands.execute('notebook:trust');
    });
    const dialog = page.locator('.jp-Dialog', {
      hasText: 'Trust this notebook?'
    });
    await expect(dialog).toBeVisible();
    await page.screenshot({
      path: `${SHOTS}/untrusted-notebook-trust.png`
    });
    await dialog.locator('button', { hasText: 'Trust' }).last().click();
    await expect(dialog).toHaveCount(0);
    await page.waitForTimeout(1500);
    expect(await panel.locator('img[onerror]').count()).toBe(0);
    await untouched(page, request, before, false);
  });

  test('a model version’s HTML and SVG: sandboxed, never saved in the user’s files', async ({
    page,
    request
  }) => {
    await page.setViewportSize({ width: 1280, height: 820 });
    const before = await root(request);
    await watch(page);
    await command(page, 'mlops:open-version', {
      backend: 'default',
      name: MODEL,
      version: '1'
    });
    const files = page.getByTestId('artifacts');
    await expect(files).toContainText('report.html');
    for (const name of ['report.html', 'plot.svg']) {
      await page.evaluate(() =>
        (window as any).jupyterapp.shell.activateById(
          'jupyterlab-mlops-registry'
        )
      );
      await files.getByRole('button', { name, exact: true }).click();
      const view = page.locator('.jp-mlops-UntrustedView:visible');
      await expect(view).toBeVisible();
      await expect(view.locator('.jp-mlops-UntrustedNotice')).toContainText(
        'Untrusted file from backend “default”'
      );
      await expect(view.locator('iframe')).toHaveAttribute('sandbox', '');
      if (name === 'report.html') {
        const toolbar = view.locator('.jp-Toolbar');
        await toolbar
          .locator('.jp-ToolbarButtonComponent', { hasText: 'Run scripts' })
          .click();
        const frame = page.frameLocator(
          '.jp-mlops-UntrustedView:visible iframe'
        );
        await expect(frame.locator('#status')).toHaveText('script ran');
        await expect(frame.locator('body')).toHaveAttribute(
          'data-parent',
          'blocked'
        );
        await expect(frame.locator('body')).toHaveAttribute(
          'data-write',
          'blocked'
        );
        await bothThemes(page, 'untrusted-version-html');
      }
    }
    await page.waitForTimeout(1000);
    // Nothing was written under mlops-artifacts/ (or anywhere): same root listing.
    await untouched(page, request, before);
  });
});
