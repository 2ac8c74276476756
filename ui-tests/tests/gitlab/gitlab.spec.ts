/**
 * The core loop against GitLab (the stand-in of tests/gitlab/, which behaves as
 * GITLAB_API.md §0.1 says GitLab does): experiments, a candidate's chart from
 * metrics/get-history (runs/get holds only the latest value), compare, promote
 * to a model version, and a version file that GitLab serves through a 302 to
 * object storage. Light and dark screenshots go to test-results/gitlab-*.
 */
import { expect, galata, test } from '@jupyterlab/galata';

import { command, fillPromote, shot, toast } from '../registryPage';
import { ISeededRun, seedRuns, waitHealthy } from '../registrySeed';

const BACKEND = 'gitlab';
const SIDEBAR = '#jupyterlab-mlops-sidebar';
const REGISTRY = '#jupyterlab-mlops-registry';
const EXPERIMENT = `gitlab-e2e-${Date.now()}`;
const MODEL = `churn-gitlab-${Date.now()}`;
/** The experiment's page in the main area. */
const PAGE = '.jp-mlops-ExperimentPage';

test.describe.configure({ mode: 'serial' });

async function openExperiment(page: galata.IJupyterLabPageFixture) {
  await page.sidebar.openTab('jupyterlab-mlops-sidebar');
  await page
    .locator(`${SIDEBAR} .jp-mlops-ExperimentItem-button`, {
      hasText: EXPERIMENT
    })
    .first()
    .click();
  await expect(page.locator(`${PAGE} .jp-mlops-Table-row`)).toHaveCount(3);
}

test.describe('GitLab: experiments, chart, compare, promote, 302 download', () => {
  let runs: ISeededRun[] = [];
  let best: ISeededRun;

  test.beforeAll(async ({ request }) => {
    test.setTimeout(150000);
    await waitHealthy(request);
    runs = await seedRuns(request, EXPERIMENT, BACKEND);
    best = runs.reduce((a, b) => (b.loss < a.loss ? b : a));
  });

  for (const theme of ['light', 'dark'] as const) {
    test(`the whole flow (${theme})`, async ({ page }) => {
      test.setTimeout(240000);
      if (theme === 'dark') {
        await page.theme.setDarkTheme();
      }
      await page.setViewportSize({ width: 1440, height: 1000 });
      await openExperiment(page);
      await shot(page, `gitlab-candidates-${theme}`);

      // -- candidate detail: the whole series, not runs/get's latest value ---------------------
      await page
        .locator(`${PAGE} .jp-mlops-Table-row .jp-mlops-Table-name`, {
          hasText: best.name
        })
        .click();
      const detail = page.locator('.jp-mlops-Detail[data-state="ready"]');
      await expect(detail.locator('.jp-mlops-Detail-title')).toHaveText(
        best.name
      );
      const loss = detail.locator('.jp-mlops-MetricCard[data-metric="loss"]');
      await loss.scrollIntoViewIfNeeded();
      await expect(loss.locator('canvas').first()).toBeVisible();
      const note = loss.locator('.jp-mlops-MetricCard-note');
      await expect(note).toContainText(/\d+ points/);
      const points = Number(/(\d+) points/.exec(await note.innerText())![1]);
      expect(points).toBeGreaterThanOrEqual(50);
      // Users by name (C11), nested artifact names whole (C8).
      await expect(detail.locator('[data-field="user"]')).toContainText(
        'Dee Developer'
      );
      await expect(
        detail.locator(
          '.jp-mlops-Artifact[data-path="code/mlops_demo_model.py"]'
        )
      ).toContainText('code/mlops_demo_model.py');
      await shot(page, `gitlab-detail-${theme}`);

      // -- compare -------------------------------------------------------------------------------
      await page.sidebar.close('left');
      await command(page, 'mlops:compare', {
        runs: runs.map(r => ({ backend: r.backend, run_id: r.run_id }))
      });
      const compare = page.locator('.jp-mlops-CompareTab:visible');
      await expect(compare.getByTestId('compare-params')).toContainText('lr');
      await expect(compare.locator('.jp-mlops-CurveCard')).toHaveCount(2);
      await expect(
        compare.locator('.jp-mlops-CurveCard canvas').first()
      ).toBeVisible();
      await expect(
        compare
          .getByTestId('compare-metrics')
          .locator('tr', { hasText: 'loss' })
          .locator('.jp-mlops-mod-best')
      ).toHaveText(/0\.21/);
      await shot(page, `gitlab-compare-${theme}`);

      if (theme === 'dark') {
        // The model exists from the light run: the dialog knows it, and is not sent.
        await command(page, 'mlops:promote', {
          backend: BACKEND,
          run_id: runs[0].run_id,
          label: runs[0].name
        });
        await fillPromote(page, MODEL, /Existing model/);
        await shot(page, 'gitlab-promote-dark');
        await page.locator('.jp-Dialog .jp-mod-reject').click();
        await command(page, 'mlops:open-registry');
        await expect(
          page.locator(REGISTRY).getByTestId('models-table')
        ).toContainText(MODEL);
        await shot(page, 'gitlab-registry-dark');
        await page.theme.setLightTheme();
        return;
      }

      // -- promote the best candidate ---------------------------------------------------------------
      await compare
        .locator(
          `.jp-mlops-RunChip[data-run-id="${best.run_id}"] .jp-mlops-RunChip-promote`
        )
        .click();
      const dialog = await fillPromote(
        page,
        MODEL,
        new RegExp(`New model "${MODEL}" will be created`)
      );
      await expect(dialog.locator('input[name="version"]')).toHaveValue(
        '1.0.0'
      );
      await shot(page, 'gitlab-promote-light');
      await dialog.locator('.jp-mod-accept').click();
      const done = toast(page, `Created model ${MODEL} with version 1.0.0`);
      await expect(done).toBeVisible({ timeout: 30000 });
      await done.getByRole('button', { name: 'Open version' }).click();

      // -- the version page, and its file through GitLab's 302 to object storage ---------------------
      const registry = page.locator(REGISTRY);
      await expect(registry.getByTestId('version-page')).toContainText(
        'Version 1.0.0'
      );
      const artifacts = registry.getByTestId('artifacts');
      await expect(artifacts).toContainText('MLmodel');
      await shot(page, 'gitlab-version-light');
      const download = page.waitForResponse(
        r =>
          /\/versions\/[^/]+\/artifacts\/download\?path=MLmodel(&|$)/.test(
            r.url()
          ) && r.request().method() === 'GET'
      );
      await registry
        .getByRole('button', { name: 'MLmodel', exact: true })
        .click();
      const response = await download;
      expect(response.status()).toBe(200);
      // The same route fetched again: the file's bytes, never GitLab's redirect notice.
      const again = await page.request.get(response.url());
      expect(again.status()).toBe(200);
      const body = await again.text();
      expect(body).toContain('loader_module: mlops_demo_model');
      expect(body).not.toContain('moved temporarily');
      await expect(page.locator('.jp-FileEditor:visible')).toContainText(
        'loader_module'
      );
      await shot(page, 'gitlab-version-file-light');
      // A nested name (stored as code%2F... by GitLab, C8) through the same 302.
      await page.evaluate(() =>
        (window as any).jupyterapp.shell.activateById(
          'jupyterlab-mlops-registry'
        )
      );
      await registry
        .getByRole('button', { name: 'code/mlops_demo_model.py', exact: true })
        .click();
      await expect(page.locator('.jp-FileEditor:visible')).toContainText(
        '_load_pyfunc'
      );
    });
  }
});
