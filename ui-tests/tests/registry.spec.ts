/**
 * Compare → promote → registry → "Use in notebook", end to end on the
 * embedded MLflow backend, with screenshots of every view in both themes.
 */
import { expect, test } from '@jupyterlab/galata';

import { command, fillPromote, shot, SHOTS, toast } from './registryPage';
import {
  COMMIT,
  ISeededRun,
  seedRuns,
  SNAPSHOT,
  waitHealthy,
  XSS
} from './registrySeed';

const MODEL = 'churn-e2e';
const REGISTRY_ID = 'jupyterlab-mlops-registry';

test.describe.configure({ mode: 'serial' });

test.describe('compare, promote and the model registry', () => {
  let runs: ISeededRun[] = [];
  let best: ISeededRun;

  test.beforeAll(async ({ request }) => {
    test.setTimeout(150000);
    await waitHealthy(request);
    runs = await seedRuns(request, `registry-e2e-${Date.now()}`);
    best = runs.reduce((a, b) => (b.loss < a.loss ? b : a));
  });

  test('compare three runs, promote the best, find it in the registry, load it in a notebook', async ({
    page
  }) => {
    test.setTimeout(300000);
    await page.sidebar.close('left');
    const refs = runs.map(r => ({ backend: r.backend, run_id: r.run_id }));

    // -- compare ------------------------------------------------------------------------------
    await command(page, 'mlops:compare', { runs: refs });
    const compare = page.locator('.jp-mlops-CompareTab:visible');
    const params = compare.getByTestId('compare-params');
    await expect(params).toContainText('optimizer');
    await expect(params).toContainText('depth');
    for (const r of runs) {
      await expect(compare.locator('.jp-mlops-RunChips')).toContainText(r.name);
    }
    await expect(params).toContainText(XSS);
    expect(await compare.locator('img').count()).toBe(0);
    expect(
      await page.evaluate(() => (window as any).__mlopsXss)
    ).toBeUndefined();
    await compare.getByLabel('Differences only').check();
    await expect(params).not.toContainText('depth');
    await expect(params).toContainText('lr');
    const metrics = compare.getByTestId('compare-metrics');
    const bestLoss = metrics
      .locator('tr', { hasText: 'loss' })
      .locator('.jp-mlops-mod-best');
    await expect(bestLoss).toHaveText(/0\.21/);
    await expect(compare.locator('.jp-mlops-CurveCard')).toHaveCount(2);
    await expect(
      compare.locator('.jp-mlops-CurveCard canvas').first()
    ).toBeVisible();
    await expect(compare.locator('.jp-mlops-ParallelLine')).toHaveCount(3);
    await expect(compare.locator('.jp-mlops-ScatterDot')).toHaveCount(3);
    await shot(page, 'registry-compare-light');
    await compare
      .locator('[data-section="parallel"]')
      .screenshot({ path: `${SHOTS}/registry-parallel-light.png` });
    await compare
      .locator('[data-section="scatter"]')
      .screenshot({ path: `${SHOTS}/registry-scatter-light.png` });
    await compare
      .getByLabel('x axis of the metric curves')
      .selectOption('time');
    await expect(compare.locator('.jp-mlops-CurveCard canvas')).toHaveCount(2);
    await compare
      .getByLabel('x axis of the metric curves')
      .selectOption('step');
    await compare.getByLabel('One row per run').check();
    await expect(params.locator('tbody tr')).toHaveCount(3);
    await compare.getByLabel('One row per run').uncheck();

    const csv = page.waitForEvent('download');
    await compare.getByRole('button', { name: 'Export CSV' }).click();
    expect((await csv).suggestedFilename()).toMatch(/^compare-3-runs-.*\.csv$/);

    // -- promote the best ----------------------------------------------------------------------
    await compare
      .locator(
        `.jp-mlops-RunChip[data-run-id="${best.run_id}"] .jp-mlops-RunChip-promote`
      )
      .click();
    const dialog = await fillPromote(page, 'bad name', /No spaces/);
    await expect(dialog.locator('.jp-mod-accept')).toBeDisabled();
    await dialog.locator('input[name="model"]').fill(MODEL);
    await expect(dialog.getByTestId('name-status')).toContainText(
      `New model "${MODEL}" will be created`
    );
    const version = dialog.locator('input[name="version"]');
    await expect(version).toHaveValue('1.0.0');
    await version.fill('v1.0');
    await expect(
      dialog.locator('.jp-mlops-Rule.jp-mlops-mod-error')
    ).toContainText('MAJOR.MINOR.PATCH');
    await expect(dialog.locator('.jp-mod-accept')).toBeDisabled();
    await version.fill('1.0.0');
    await dialog
      .locator('textarea[name="description"]')
      .fill('Best loss of the e2e sweep.');
    await expect(dialog.locator('.jp-mod-accept')).toBeEnabled();
    await shot(page, 'registry-promote-light');
    await dialog.locator('.jp-mod-accept').click();
    const done = toast(
      page,
      `Created model ${MODEL} with version 1.0.0 from run ${best.name}`
    );
    await expect(done).toBeVisible({ timeout: 30000 });
    await done.getByRole('button', { name: 'Open version' }).click();

    // -- the version page, with its lineage ---------------------------------------------------
    const registry = page.locator(`#${REGISTRY_ID}`);
    const versionPage = registry.getByTestId('version-page');
    await expect(versionPage).toContainText('Version 1.0.0');
    const lineage = registry.getByTestId('lineage');
    // The candidate by its run name; its id one click away (copy button).
    await expect(lineage).toContainText(best.name);
    await expect(
      lineage.locator(`[data-copy-id="${best.run_id}"]`)
    ).toBeVisible();
    await expect(lineage).toContainText(`sha256 ${SNAPSHOT.slice(0, 12)}`);
    await expect(
      lineage.getByRole('link', { name: COMMIT.slice(0, 10) })
    ).toHaveAttribute(
      'href',
      `https://gitlab.example.com/data/churn/-/commit/${COMMIT}`
    );
    await expect(registry.getByTestId('version-params')).toContainText('0.01');
    await expect(registry.getByTestId('artifacts')).toContainText('MLmodel');
    await expect(registry.getByTestId('use-snippet')).toContainText(
      'mlflow.pyfunc.load_model'
    );

    // -- the registry list and the model page -------------------------------------------------
    await registry
      .locator('.jp-mlops-Breadcrumbs')
      .getByRole('button', { name: 'Models' })
      .click();
    const row = registry
      .getByTestId('models-table')
      .locator('tr', { hasText: MODEL });
    await expect(row).toContainText('1.0.0');
    await shot(page, 'registry-list-light');
    await row.getByRole('button', { name: MODEL }).click();
    const versions = registry.getByTestId('versions-table');
    await expect(versions).toContainText('Version 1.0.0');
    await expect(versions).toContainText(best.name);
    await expect(versions).toContainText('Best loss of the e2e sweep.');
    await shot(page, 'registry-model-light');
    await versions.getByRole('button', { name: 'Version 1.0.0' }).click();
    await expect(versionPage).toBeVisible();

    // -- linked items and upload --------------------------------------------------------------
    const links = registry.getByTestId('linked-items');
    await links
      .locator('input[type="url"]')
      .fill('https://gitlab.example.com/g/p/-/issues/7');
    await links.getByRole('button', { name: 'Add link' }).click();
    await expect(links.locator('li')).toHaveCount(1);
    await expect(links.locator('a')).toHaveAttribute(
      'href',
      'https://gitlab.example.com/g/p/-/issues/7'
    );
    await registry
      .getByTestId('artifacts')
      .locator('input[type="file"]')
      .setInputFiles({
        name: 'notes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('evaluated on the holdout set\n')
      });
    await expect(registry.getByTestId('artifacts')).toContainText('notes.txt');
    await shot(page, 'registry-version-light');
    // Files open in JupyterLab's viewers from the read-only drive (nothing saved).
    await registry
      .getByRole('button', { name: 'notes.txt', exact: true })
      .click();
    await expect(
      page.locator('.lm-TabBar-tab', { hasText: 'notes.txt' })
    ).toBeVisible();
    await expect(page.locator('.jp-FileEditor:visible')).toContainText(
      'evaluated on the holdout set'
    );
    await page.evaluate(() =>
      (window as any).jupyterapp.shell.activateById('jupyterlab-mlops-registry')
    );

    // -- promoting the same candidate again: the server's 409, readable -----------------------
    await command(page, 'mlops:promote', {
      backend: best.backend,
      run_id: best.run_id,
      label: best.name
    });
    const again = await fillPromote(
      page,
      MODEL,
      /Existing model; latest version 1\.0\.0/
    );
    await expect(again.getByTestId('champion-check')).toContainText('loss');
    await expect(again.locator('input[name="version"]')).toHaveValue('1.0.1');
    await shot(page, 'registry-promote-champion-light');
    await again.locator('.jp-mod-accept').click();
    const refused = toast(page, 'Promotion failed');
    await expect(refused).toBeVisible({ timeout: 30000 });
    await expect(
      refused.getByRole('button', { name: 'Open version 1.0.0' })
    ).toBeVisible();
    await shot(page, 'registry-promote-409-light');
    await refused.getByRole('button', { name: 'Open version 1.0.0' }).click();

    // -- "Use in notebook" --------------------------------------------------------------------
    await registry.getByRole('button', { name: 'Use in notebook' }).click();
    await expect(toast(page, 'No notebook is open')).toBeVisible();
    await page.notebook.createNew('use-model.ipynb');
    await command(page, 'mlops:open-version', {
      backend: 'default',
      name: MODEL,
      version: '1'
    });
    await registry
      .getByLabel("Include the candidate's params as a dict")
      .check();
    await registry.getByRole('button', { name: 'Use in notebook' }).click();
    await expect(page.locator('.jp-NotebookPanel:visible')).toBeVisible();
    const inserted = await page.notebook.getCellTextInput(1);
    expect(inserted).toContain('mlflow.pyfunc.load_model');
    expect(inserted).toContain("'lr': 0.01");
    await page.notebook.addCell(
      'code',
      'print("prediction", model.predict([{"x": 1.0}]), params["optimizer"])'
    );
    await page.notebook.run();
    const output = ((await page.notebook.getCellTextOutput(2)) ?? []).join(
      '\n'
    );
    expect(output).toContain('prediction [2.21] adam');
    await shot(page, 'registry-notebook-light');
  });

  test('every view in the dark theme', async ({ page }) => {
    test.setTimeout(180000);
    await page.theme.setDarkTheme();
    await page.sidebar.close('left');
    await command(page, 'mlops:compare', {
      runs: runs.map(r => ({ backend: r.backend, run_id: r.run_id }))
    });
    const compare = page.locator('.jp-mlops-CompareTab:visible');
    await expect(
      compare.locator('.jp-mlops-CurveCard canvas').first()
    ).toBeVisible();
    await shot(page, 'registry-compare-dark');
    await compare
      .locator('[data-section="parallel"]')
      .screenshot({ path: `${SHOTS}/registry-parallel-dark.png` });
    await compare
      .locator('[data-section="scatter"]')
      .screenshot({ path: `${SHOTS}/registry-scatter-dark.png` });

    await command(page, 'mlops:promote', {
      backend: runs[0].backend,
      run_id: runs[0].run_id,
      label: runs[0].name
    });
    const dialog = await fillPromote(page, MODEL, /Existing model/);
    await expect(dialog.getByTestId('champion-check')).toContainText('worse');
    await shot(page, 'registry-promote-dark');
    await dialog.locator('.jp-mod-reject').click();

    await command(page, 'mlops:open-registry');
    const registry = page.locator(`#${REGISTRY_ID}`);
    await expect(registry.getByTestId('models-table')).toContainText(MODEL);
    await shot(page, 'registry-list-dark');
    await command(page, 'mlops:open-model', {
      backend: 'default',
      name: MODEL
    });
    await expect(registry.getByTestId('versions-table')).toContainText(
      'Version 1.0.0'
    );
    await shot(page, 'registry-model-dark');
    await command(page, 'mlops:open-version', {
      backend: 'default',
      name: MODEL,
      version: '1'
    });
    await expect(registry.getByTestId('artifacts')).toContainText('notes.txt');
    await shot(page, 'registry-version-dark');

    // Upload refused before it starts when the file is over the backend's cap (cap faked small).
    await page.route(/\/models\/churn-e2e\/versions\/1(\?|$)/, async route => {
      const response = await route.fetch();
      const body = await response.json();
      await route.fulfill({
        response,
        json: { ...body, upload: { ...body.upload, max_bytes: 8 } }
      });
    });
    let uploads = 0;
    page.on('request', r => (uploads += r.method() === 'PUT' ? 1 : 0));
    await command(page, 'mlops:open-model', {
      backend: 'default',
      name: MODEL
    });
    await command(page, 'mlops:open-version', {
      backend: 'default',
      name: MODEL,
      version: '1'
    });
    await registry
      .getByTestId('artifacts')
      .locator('input[type="file"]')
      .setInputFiles({
        name: 'big.bin',
        mimeType: 'application/octet-stream',
        buffer: Buffer.alloc(64)
      });
    await expect(
      registry.getByTestId('artifacts').getByRole('alert')
    ).toContainText('at most 8 B');
    expect(uploads).toBe(0);
    await shot(page, 'registry-upload-too-large-dark');

    // More than 50 runs: a clear message, and the first 50 on request.
    const many = Array.from({ length: 51 }, (_, i) => ({
      backend: 'default',
      run_id: `r${i}`
    }));
    await command(page, 'mlops:compare', { runs: many });
    await expect(
      page.locator('.jp-mlops-CompareTab:visible [role="alert"]')
    ).toContainText('Compare takes at most 50 runs; 51 are selected.');
    await shot(page, 'registry-compare-too-many-dark');
    await page.theme.setLightTheme();
  });
});
