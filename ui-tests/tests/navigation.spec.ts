import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

import { deleteExperiment } from './cleanup';
import { createRun, experiment, waitForHealthy } from './seed';

/**
 * Issue 13, items 2 (status-bar item), 3 (tabs with identity), 4 (names over
 * ids in the run detail) and 9 (links that open where the user is), against
 * the embedded backend.
 */
const EXPERIMENT = 'galata-navigation';
const SHOTS = 'screenshots/issue13';

test.use({
  viewport: { width: 1440, height: 900 },
  // Galata waits for an active Launcher after a load; here a run's detail is active instead.
  waitForApplication: async ({}, use) => {
    await use(async page => {
      await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
    });
  }
});

test.beforeAll(() => fs.mkdirSync(SHOTS, { recursive: true }));
test.afterAll(async ({ playwright }) => {
  await deleteExperiment(playwright, EXPERIMENT);
});

/** Open a run through the command, as the sidebar and tables do. */
async function openRun(
  page: Page,
  runId: string,
  preview = false
): Promise<void> {
  await page.evaluate(
    ([run_id, preview]) =>
      (window as any).jupyterapp.commands
        .execute('mlops:open-run', { backend: 'default', run_id, preview })
        .then(() => undefined),
    [runId, preview] as [string, boolean]
  );
}

/** The main-area tab of a run's detail. */
function runTab(page: Page, runId: string) {
  return page.locator(
    `#jp-main-dock-panel .lm-TabBar-tab[data-mlops-tab="jp-mlops-run-default-${runId}"]`
  );
}

async function shoot(page: IJupyterLabPageFixture, name: string) {
  await page.screenshot({ path: `${SHOTS}/${name}-light.png` });
  await page.theme.setDarkTheme();
  await page.screenshot({ path: `${SHOTS}/${name}-dark.png` });
  await page.theme.setLightTheme();
}

test('a run opened twice is one tab; single clicks share a preview tab; a double click pins it; reload keeps names', async ({
  page,
  request
}) => {
  test.setTimeout(240000);
  await waitForHealthy(request);
  const exp = await experiment(request, EXPERIMENT);
  const now = Date.now();
  const ids: Record<string, string> = {};
  for (const name of ['nav-alpha', 'nav-beta', 'nav-gamma']) {
    ids[name] = await createRun(request, exp, {
      name,
      status: 'FINISHED',
      startTime: now - 60000,
      params: { lr: '0.01' },
      metrics: { loss: [0.9, 0.5, 0.3], auc: [0.91] }
    });
  }
  const alpha = ids['nav-alpha'];
  const beta = ids['nav-beta'];
  const gamma = ids['nav-gamma'];

  await openRun(page, alpha);
  await openRun(page, alpha);
  await expect(runTab(page, alpha)).toHaveCount(1);
  await expect(runTab(page, alpha)).toHaveText('nav-alpha');
  await expect(runTab(page, alpha)).not.toHaveClass(/jp-mlops-mod-preview/);

  // Names over ids: the experiment by name, the ids one click away.
  const detail = page.locator('.jp-mlops-Detail[data-state="ready"]');
  await expect(detail.locator('.jp-mlops-Detail-title')).toHaveText(
    'nav-alpha'
  );
  await expect(detail.locator('.jp-mlops-Detail-subtitle')).toContainText(
    `Run in ${EXPERIMENT}`
  );
  await expect(
    detail.locator(
      `.jp-mlops-Detail-subtitle [data-copy-id="${alpha}"] button[title^="Copy run ID"]`
    )
  ).toBeVisible();
  await expect(detail.locator(`[data-field="experiment"]`)).toContainText(
    EXPERIMENT
  );
  await expect(detail.locator(`[data-copy-id="${exp}"]`)).toHaveCount(1);
  await shoot(page, 'run-detail-names');

  // Single clicks: one preview tab, replaced in place.
  await openRun(page, beta, true);
  await expect(runTab(page, beta)).toHaveClass(/jp-mlops-mod-preview/);
  await openRun(page, gamma, true);
  await expect(runTab(page, gamma)).toHaveClass(/jp-mlops-mod-preview/);
  await expect(runTab(page, beta)).toHaveCount(0);
  await expect(runTab(page, gamma)).toHaveText('nav-gamma');
  await expect(runTab(page, gamma).locator('.lm-TabBar-tabLabel')).toHaveCSS(
    'font-style',
    'italic'
  );
  await shoot(page, 'tabs-preview-and-pinned');

  // A double click on the preview tab pins it: the next single click opens a new preview.
  await runTab(page, gamma).dblclick();
  await expect(runTab(page, gamma)).not.toHaveClass(/jp-mlops-mod-preview/);
  // The workspace is saved debounced: the reload below waits for the save of what follows.
  const saved = page.waitForRequest(
    r => r.method() === 'PUT' && r.url().includes('/api/workspaces'),
    { timeout: 30000 }
  );
  await openRun(page, beta, true);
  await expect(runTab(page, beta)).toHaveClass(/jp-mlops-mod-preview/);
  await expect(runTab(page, gamma)).toHaveCount(1);
  await expect(runTab(page, alpha)).toHaveCount(1);

  // Restored tabs are titled by name (the restorer keeps it), never by an id prefix.
  await saved;
  await page.reload();
  for (const [name, id] of [
    ['nav-alpha', alpha],
    ['nav-gamma', gamma]
  ]) {
    await expect(runTab(page, id)).toHaveText(name);
  }
});

test('a link printed by %mlops start opens the run here; the ?mlops= URL opens it directly', async ({
  page,
  request,
  baseURL
}) => {
  test.setTimeout(240000);
  await waitForHealthy(request);
  // Made beforehand: on a busy machine the magics must not go offline (an offline run has no id to link to yet).
  await experiment(request, EXPERIMENT);
  await page.notebook.createNew('navigation.ipynb');
  const lines = [
    '%load_ext jupyterlab_mlops',
    `%mlops experiment ${EXPERIMENT}`,
    // On a busy machine the first verbs may go on offline: flush waits until the backend has the experiment.
    '%mlops flush',
    '%mlops start --name nav-linked',
    '%mlops end'
  ];
  await page.notebook.setCell(0, 'code', lines[0]);
  for (const line of lines.slice(1)) {
    await page.notebook.addCell('code', line);
  }
  await page.notebook.run();

  const link = page.locator('.jp-OutputArea-output a[href*="?mlops=run/"]');
  await expect(link, `${await page.notebook.getCellTextOutput(3)}`).toHaveCount(
    1
  );
  await expect(link).toHaveText('Open run nav-linked in JupyterLab');
  const href = (await link.getAttribute('href'))!;
  expect(href).toMatch(/^\/lab\?mlops=run\/default\/[0-9a-f]{32}$/);
  const runId = href.split('/').pop()!;
  await page.screenshot({ path: `${SHOTS}/notebook-link-light.png` });

  // The click opens the detail in this page: no reload (the marker survives).
  await page.evaluate(() => ((window as any).__mlopsMarker = 'kept'));
  await link.click();
  await expect(runTab(page, runId)).toHaveText('nav-linked');
  expect(await page.evaluate(() => (window as any).__mlopsMarker)).toBe('kept');
  expect(page.url()).not.toContain('mlops=');

  // Loaded in the address bar (a new browser tab, a colleague, after a restart).
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('application:close-all')
  );
  await expect(runTab(page, runId)).toHaveCount(0);
  await page.goto(`${baseURL}${href}`);
  // It opens once the layout is restored (the notebook restored with it may take a while on a busy machine).
  await expect(runTab(page, runId)).toHaveText('nav-linked', {
    timeout: 60000
  });
  await expect(
    page.locator('.jp-mlops-Detail[data-state="ready"] .jp-mlops-Detail-title')
  ).toHaveText('nav-linked');
  // The query is dropped once handled: a reload does not open it again.
  await expect.poll(() => page.url()).not.toContain('mlops=');
});

test('the status-bar item shows the backend health and spooled points, and opens the sidebar', async ({
  page,
  request
}) => {
  await waitForHealthy(request);
  await page.sidebar.close('left');
  const item = page.locator('#jp-main-statusbar .jp-mlops-StatusItem');
  // The status bar shows the health while the sidebar is closed.
  await expect(item).toHaveAttribute('data-health', 'healthy', {
    timeout: 60000
  });
  await expect(item).toContainText('default: healthy');
  await expect(item).toHaveAttribute('title', /embedded\): healthy/);
  await expect(page.locator('#jupyterlab-mlops-sidebar')).toBeHidden();
  const bar = page.locator('#jp-main-statusbar');
  await bar.screenshot({ path: `${SHOTS}/statusbar-healthy-light.png` });
  await page.theme.setDarkTheme();
  await bar.screenshot({ path: `${SHOTS}/statusbar-healthy-dark.png` });
  await page.theme.setLightTheme();

  // Points the kernels could not deliver: the spool's depth files, as the kernels' outbox writes them.
  const spool = (await (await request.get('/jupyterlab-mlops/status')).json())
    .spool.path as string;
  const depthFile = path.join(spool, 'galata-navigation.depth');
  fs.mkdirSync(spool, { recursive: true });
  fs.writeFileSync(depthFile, '1234');
  try {
    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('mlops:refresh')
    );
    await expect(item).toContainText('1,234 spooled', { timeout: 30000 });
    await expect(item).toHaveAttribute('title', /1234 log points wait/);
    await bar.screenshot({ path: `${SHOTS}/statusbar-spooled-light.png` });
    await page.theme.setDarkTheme();
    await bar.screenshot({ path: `${SHOTS}/statusbar-spooled-dark.png` });
    await page.theme.setLightTheme();
  } finally {
    fs.rmSync(depthFile, { force: true });
  }

  await item.click();
  await expect(page.locator('#jupyterlab-mlops-sidebar')).toBeVisible();
});
