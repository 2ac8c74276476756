import { expect, galata, test } from '@jupyterlab/galata';

const PLUGIN_ID = 'jupyterlab_mlops:plugin';
const SIDEBAR_ID = 'jupyterlab-mlops-sidebar';
const SIDEBAR = `#${SIDEBAR_ID}`;
const BANNER = `${SIDEBAR} .jp-mlops-StatusBanner`;
const STATUS_URL = /\/jupyterlab-mlops\/status(\?|$)/;
/** The embedded MLflow server takes ~10 s to start; allow for a slow machine. */
const BACKEND_START_TIMEOUT = 90000;

async function openHealthySidebar(page: galata.IJupyterLabPageFixture) {
  await page.sidebar.openTab(SIDEBAR_ID);
  const healthy = page.locator(`${BANNER}[data-health="healthy"]`);
  await expect(healthy).toBeVisible({ timeout: BACKEND_START_TIMEOUT });
  return healthy;
}

test.describe('MLOps sidebar', () => {
  test('the plugin is activated', async ({ page }) => {
    const activated = await page.evaluate(
      (id: string) => (window as any).jupyterapp.isPluginActivated(id),
      PLUGIN_ID
    );
    expect(activated).toBe(true);
  });

  test('the sidebar tab exists and opens', async ({ page }) => {
    const tab = page.sidebar.getTabLocator(SIDEBAR_ID);
    await expect(tab).toHaveCount(1);
    await expect(tab).toHaveAttribute('title', 'MLOps');
    await page.sidebar.openTab(SIDEBAR_ID);
    expect(await page.sidebar.isTabOpen(SIDEBAR_ID)).toBe(true);
    await expect(page.locator(SIDEBAR)).toBeVisible();
    await expect(page.locator(`${SIDEBAR} .jp-mlops-Header-title`)).toHaveText(
      'MLOps'
    );
  });

  test('the embedded backend becomes healthy', async ({ page }) => {
    test.setTimeout(BACKEND_START_TIMEOUT + 30000);
    await page.sidebar.openTab(SIDEBAR_ID);
    await expect(page.locator(BANNER).first()).toBeVisible();

    const healthy = await openHealthySidebar(page);
    await expect(healthy).toHaveAttribute('data-status', 'ready');
    await expect(healthy).toContainText('MLflow · embedded · healthy');
    await expect(healthy.locator('.jp-mlops-StatusBanner-url')).toContainText(
      'http://127.0.0.1:'
    );
    await expect(page.locator(`${SIDEBAR} .jp-mlops-EmptyState`)).toContainText(
      'No experiments yet'
    );
  });

  test('the sidebar renders in the light and dark themes', async ({ page }) => {
    test.setTimeout(BACKEND_START_TIMEOUT + 60000);
    await openHealthySidebar(page);
    const sidebar = page.locator(SIDEBAR);
    await expect(page.locator(`${SIDEBAR} .jp-mlops-EmptyState`)).toBeVisible();
    // The embedded backend's port changes from run to run; the spool is the
    // user's (shared with other Jupyter servers): keep both out of the image.
    const mask = [page.locator(`${SIDEBAR} .jp-mlops-StatusBanner-url`)];
    await page.addStyleTag({
      content: '.jp-mlops-SpoolNote { display: none !important; }'
    });

    await page.screenshot({ path: 'test-results/mlops-light.png' });
    await sidebar.screenshot({ path: 'test-results/mlops-sidebar-light.png' });
    await expect(sidebar).toHaveScreenshot('mlops-sidebar-light.png', {
      mask,
      maxDiffPixelRatio: 0.02
    });

    await page.theme.setDarkTheme();
    await page.screenshot({ path: 'test-results/mlops-dark.png' });
    await sidebar.screenshot({ path: 'test-results/mlops-sidebar-dark.png' });
    await expect(sidebar).toHaveScreenshot('mlops-sidebar-dark.png', {
      mask,
      maxDiffPixelRatio: 0.02
    });
  });

  test('each banner state renders (status answers fulfilled in the browser)', async ({
    page
  }) => {
    // The real server only shows "healthy" here; the other states are
    // rendered from recorded answers so that they can be looked at.
    const backend = {
      name: 'default',
      kind: 'mlflow',
      url: 'http://127.0.0.1:5000',
      embedded: true,
      capabilities: {}
    };
    const status = (health: string, message: string) =>
      JSON.stringify({
        version: '0.1.0',
        backends: [{ ...backend, health, message }],
        default_backend: 'default',
        spool: { depth: health === 'unreachable' ? 42 : 0 }
      });
    const states: [string, number, string, string][] = [
      ['missing', 404, '<html><body>404: Not Found</body></html>', 'text/html'],
      [
        'starting',
        200,
        status('starting', 'starting MLflow (pid 1)…'),
        'application/json'
      ],
      [
        'unreachable',
        200,
        status('unreachable', 'Connection refused: 127.0.0.1:5000'),
        'application/json'
      ],
      [
        'failed',
        200,
        status(
          'failed',
          'mlflow server exited with code 1: address already in use'
        ),
        'application/json'
      ]
    ];
    let answer = { status: 404, body: '', contentType: 'text/html' };
    await page.route(STATUS_URL, route => route.fulfill(answer));
    await page.sidebar.openTab(SIDEBAR_ID);
    for (const [name, code, body, contentType] of states) {
      answer = { status: code, body, contentType };
      await page.locator(`${SIDEBAR} .jp-mlops-RefreshButton`).click();
      const banner =
        name === 'missing'
          ? page.locator(`${BANNER}[data-status="missing"]`)
          : page.locator(`${BANNER}[data-health="${name}"]`);
      await expect(banner).toBeVisible();
      if (name === 'unreachable') {
        await expect(page.locator(`${SIDEBAR} .jp-mlops-SpoolNote`)).toHaveText(
          '42 logged points are waiting to be sent.'
        );
      }
      await page
        .locator(SIDEBAR)
        .screenshot({ path: `test-results/mlops-sidebar-${name}.png` });
    }
  });

  test('the settings schema is served with its defaults', async ({ page }) => {
    const plugin = await page.evaluate(
      (id: string) =>
        (window as any).jupyterapp.serviceManager.settings.fetch(id),
      PLUGIN_ID
    );
    expect(plugin.schema.title).toBe('MLOps');
    const props = plugin.schema.properties;
    expect(props.pageSize.default).toBe(50);
    expect(props.refreshInterval.default).toBe(10);
    expect(props.defaultColumns.default).toEqual([]);
    expect(props.autoSnapshot.default).toBe(true);
  });

  test('the palette has the MLOps commands', async ({ page }) => {
    const commands = await page.evaluate(() =>
      (window as any).jupyterapp.commands.listCommands()
    );
    expect(commands).toEqual(
      expect.arrayContaining([
        'mlops:open-sidebar',
        'mlops:refresh',
        'mlops:open-experiment',
        'mlops:open-run'
      ])
    );
    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('mlops:open-sidebar')
    );
    expect(await page.sidebar.isTabOpen(SIDEBAR_ID)).toBe(true);
  });

  test('the View menu has an MLOps section; nothing to act on, disabled', async ({
    page
  }) => {
    await page.locator('.lm-MenuBar-item', { hasText: 'View' }).click();
    const mlops = page.locator('.lm-Menu-item[data-type="submenu"]', {
      hasText: 'MLOps'
    });
    await mlops.hover();
    const submenu = page.locator('.lm-Menu').last();
    for (const label of [
      'Open MLOps Sidebar',
      'Open Model Registry',
      'Compare Selected Candidates',
      'Promote Selected Candidate…',
      'Restart the embedded backend'
    ]) {
      await expect(submenu).toContainText(label);
    }
    // No experiment page, no selection: compare and promote are disabled.
    for (const label of [
      'Compare Selected Candidates',
      'Promote Selected Candidate…'
    ]) {
      await expect(
        submenu.locator('.lm-Menu-item', { hasText: label })
      ).toHaveAttribute('aria-disabled', 'true');
    }
    await page.screenshot({
      path: 'screenshots/issue13/view-menu-mlops-light.png'
    });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
  });
});
