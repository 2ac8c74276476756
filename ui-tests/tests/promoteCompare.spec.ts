/**
 * Issue 13 (items 4, 5, 6, 8) on the embedded MLflow backend: promote refuses
 * an existing version before submit; a toast's "Details" holds the whole
 * text; compare shows a metric logged once as a bar per run; a version's
 * file opens read-only (banner, nothing written in the workspace); the
 * registry names the candidate run. Screenshots in both themes at 1440x900.
 */
import { APIRequestContext } from '@playwright/test';
import { expect, galata, test } from '@jupyterlab/galata';

import { command, fillPromote, toast } from './registryPage';
import { ISeededRun, seedRuns, waitHealthy } from './registrySeed';

type Page = galata.IJupyterLabPageFixture;

const SHOTS = 'screenshots/issue13';
const MODEL = `churn-live-${Date.now().toString(36)}`;
const REGISTRY_ID = 'jupyterlab-mlops-registry';
const PROXY = '/jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow';

/** Final metrics logged once per run (what people care most about). */
const AUC = [0.81, 0.93, 0.88];

async function logOnce(
  request: APIRequestContext,
  run: ISeededRun,
  key: string,
  value: number
): Promise<void> {
  const response = await request.post(`${PROXY}/runs/log-metric`, {
    data: {
      run_id: run.run_id,
      key,
      value,
      timestamp: Date.now(),
      step: 0
    }
  });
  expect(response.status(), await response.text()).toBe(200);
}

/** A screenshot in the light theme, then the dark one (the page is left light). */
async function bothThemes(
  page: Page,
  name: string,
  ready: () => Promise<void> = async () => undefined
): Promise<void> {
  await page.waitForTimeout(300); // charts and fonts settle
  await page.screenshot({ path: `${SHOTS}/${name}-light.png` });
  await page.theme.setDarkTheme();
  await ready();
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${SHOTS}/${name}-dark.png` });
  await page.theme.setLightTheme();
}

test.use({ viewport: { width: 1440, height: 900 } });
test.describe.configure({ mode: 'serial' });

test.describe('promote, toasts, compare and version files (issue 13)', () => {
  let runs: ISeededRun[] = [];

  test.beforeAll(async ({ request }) => {
    test.setTimeout(150000);
    await waitHealthy(request);
    runs = await seedRuns(request, `issue13-${Date.now()}`);
    for (const [i, run] of runs.entries()) {
      await logOnce(request, run, 'auc', AUC[i]);
    }
    // The model exists with version 1.0.0, from the first run.
    const response = await request.post(
      `/jupyterlab-mlops/backends/default/models/${MODEL}/versions`,
      {
        data: {
          run_id: runs[0].run_id,
          version: '1.0.0',
          create_model: true
        }
      }
    );
    expect(response.status(), await response.text()).toBe(201);
  });

  test('promote refuses an existing version before submit', async ({
    page
  }) => {
    await page.sidebar.close('left');
    const posts: string[] = [];
    page.on('request', r => {
      if (r.method() === 'POST' && /\/versions(\?|$)/.test(r.url())) {
        posts.push(r.url());
      }
    });
    // No label: the dialog reads the run's name itself.
    await command(page, 'mlops:promote', {
      backend: 'default',
      run_id: runs[1].run_id
    });
    const title = page.locator('.jp-Dialog .jp-Dialog-header');
    await expect(title).toHaveText(
      `Promote ${runs[1].name} to a model version`
    );
    const dialog = await fillPromote(page, MODEL, /Existing model/);
    const version = dialog.locator('input[name="version"]');
    await expect(version).toHaveValue('1.0.1');
    await expect(dialog.locator('.jp-mod-accept')).toBeEnabled();
    await version.fill('1.0.0');
    const status = dialog.getByTestId('version-status');
    await expect(status).toContainText(
      `Version 1.0.0 of ${MODEL} already exists.`
    );
    await expect(status).toContainText('Next free: 1.0.1');
    await expect(dialog.locator('.jp-mod-accept')).toBeDisabled();
    // Enter does not submit either.
    await version.press('Enter');
    await expect(page.locator('.jp-Dialog')).toBeVisible();
    await bothThemes(page, 'promote-live-refusal');
    expect(posts).toEqual([]);

    // The suggestion is one click away, and then it may be promoted.
    await dialog.getByTestId('use-free-version').click();
    await expect(version).toHaveValue('1.0.1');
    await expect(dialog.locator('.jp-mod-accept')).toBeEnabled();
    await dialog.locator('.jp-mod-accept').click();
    const done = toast(
      page,
      `Registered ${MODEL} version 1.0.1 from run ${runs[1].name}.`
    );
    await expect(done).toBeVisible({ timeout: 30000 });
    expect(posts).toHaveLength(1);
    await done.getByRole('button', { name: 'Open version' }).click();

    // The version page names its candidate run; the id is one click away.
    const registry = page.locator(`#${REGISTRY_ID}`);
    const lineage = registry.getByTestId('lineage');
    await expect(lineage).toContainText(runs[1].name);
    await expect(
      lineage.locator(`[data-copy-id="${runs[1].run_id}"]`)
    ).toBeVisible();
    await expect(registry.getByTestId('version-page')).toContainText('1.0.1');
    await bothThemes(page, 'registry-version-names', async () => {
      await expect(lineage).toContainText(runs[1].name);
    });
    await command(page, 'mlops:open-model', {
      backend: 'default',
      name: MODEL
    });
    const versions = registry.getByTestId('versions-table');
    await expect(versions).toContainText(runs[0].name);
    await expect(versions).toContainText(runs[1].name);
    await bothThemes(page, 'registry-model-names');
  });

  test("a toast's Details shows the whole text", async ({ page }) => {
    await page.sidebar.close('left');
    // A long, valid model name that does not exist: the server's 404 names it whole.
    const name = `no-such-model-${'abcdefghij'.repeat(12)}-end`;
    await command(page, 'mlops:use-in-notebook', {
      backend: 'default',
      name,
      version: '9.9.9'
    });
    const shown = toast(page, 'Cannot use');
    await expect(shown).toBeVisible();
    const message = await shown.locator('.jp-toast-message').innerText();
    expect(message).not.toContain(`${name} version`);
    await shown.getByRole('button', { name: 'Details' }).click();
    const details = page.locator('.jp-Dialog .jp-mlops-ToastDetails');
    await expect(details).toContainText(
      `Cannot use ${name} version 9.9.9 in a notebook:`
    );
    await expect(details).toContainText("has no version '9.9.9'");
    const whole = await details.innerText();
    expect(whole.length).toBeGreaterThan(message.length);
    // Selectable: a user can select and copy it.
    expect(
      await details.evaluate(el => getComputedStyle(el).userSelect)
    ).not.toBe('none');
    await bothThemes(page, 'toast-details');
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Close' })
      .click();
  });

  test('compare shows a metric logged once as a bar per run', async ({
    page
  }) => {
    await page.sidebar.close('left');
    await command(page, 'mlops:compare', {
      runs: runs.map(r => ({ backend: r.backend, run_id: r.run_id }))
    });
    const compare = page.locator('.jp-mlops-CompareTab:visible');
    const auc = compare.locator('.jp-mlops-CurveCard[data-metric="auc"]');
    await expect(auc.locator('.jp-mlops-MetricBars tr')).toHaveCount(3);
    await expect(auc.locator('canvas')).toHaveCount(0);
    for (const [i, run] of runs.entries()) {
      const row = auc.locator(`tr[data-run-index="${i}"]`);
      await expect(row).toContainText(run.name);
      await expect(row).toContainText(String(AUC[i]));
    }
    // Curves stay curves; chips and headers by run name.
    await expect(
      compare.locator('.jp-mlops-CurveCard[data-metric="loss"] canvas').first()
    ).toBeVisible();
    for (const run of runs) {
      await expect(
        compare.locator(`.jp-mlops-RunChip[data-run-id="${run.run_id}"]`)
      ).toContainText(run.name);
    }
    await auc.scrollIntoViewIfNeeded();
    await bothThemes(page, 'compare-single-value', async () => {
      await expect(auc.locator('.jp-mlops-MetricBars')).toBeVisible();
    });
  });

  test('a version file opens read-only, nothing is written in the workspace', async ({
    page,
    request
  }) => {
    await page.sidebar.close('left');
    await command(page, 'mlops:open-version', {
      backend: 'default',
      name: MODEL,
      version: '1'
    });
    const registry = page.locator(`#${REGISTRY_ID}`);
    await expect(registry.getByTestId('artifacts')).toContainText('MLmodel');
    await registry
      .getByRole('button', { name: 'MLmodel', exact: true })
      .click();
    const editor = page.locator('.jp-FileEditor:visible');
    await expect(editor).toContainText('loader_module: mlops_demo_model');
    const banner = page.locator('.jp-mlops-ReadOnlyBanner:visible');
    await expect(banner).toContainText(
      'Model version files are read-only here.'
    );
    expect((await banner.boundingBox())?.height ?? 0).toBeGreaterThan(10);
    await expect(
      page.locator('.lm-TabBar-tab.lm-mod-current', { hasText: 'MLmodel' })
    ).toBeVisible();
    await bothThemes(page, 'version-file-read-only', async () => {
      await expect(banner).toBeVisible();
    });
    // Nothing written: the contents API has no mlops-artifacts/ folder.
    const saved = await request.get('/api/contents/mlops-artifacts', {
      params: { content: '0' }
    });
    expect(saved.status()).toBe(404);
    const root = await request.get('/api/contents', {
      params: { content: '1' }
    });
    const names = ((await root.json()).content as { name: string }[]).map(
      c => c.name
    );
    expect(names).not.toContain('mlops-artifacts');
  });
});
