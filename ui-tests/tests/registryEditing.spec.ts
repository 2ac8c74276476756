/**
 * Editing the registry on the embedded MLflow backend: create a model from
 * the registry page (the name checked as it is typed), edit its description,
 * tag it, edit a version's description and tags, delete a version after the
 * confirmation naming what is lost (its run stays), rename the model (its
 * versions and tags move with it) and delete it (typing its name).
 * Screenshots (light and dark, 1440x900) go to ui-tests/screenshots/issue14/.
 */
import { APIRequestContext, expect, test } from '@jupyterlab/galata';

import { deleteExperiment } from './cleanup';
import { command, Page } from './registryPage';
import { waitHealthy } from './registrySeed';

const SHOTS = 'screenshots/issue14';
const MLFLOW = '/jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow';
const REGISTRY_ID = 'jupyterlab-mlops-registry';

test.use({ viewport: { width: 1440, height: 900 } });

async function post(
  request: APIRequestContext,
  path: string,
  data: unknown
): Promise<any> {
  const response = await request.post(`${MLFLOW}/${path}`, { data });
  expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
  return response.json();
}

async function bothThemes(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(200);
  await page.screenshot({ path: `${SHOTS}/${name}-light.png` });
  await page.theme.setDarkTheme();
  await page.screenshot({ path: `${SHOTS}/${name}-dark.png` });
  await page.theme.setLightTheme();
}

test.describe('registry editing', () => {
  const stamp = Date.now();
  const model = `regedit-model-${stamp}`;
  const renamed = `regedit-renamed-${stamp}`;
  const experiment = `regedit-runs-${stamp}`;

  test.afterAll(async ({ playwright }) => {
    await deleteExperiment(playwright, experiment);
    const request = await playwright.request.newContext({
      baseURL: `http://127.0.0.1:${process.env.JLAB_PORT || '8888'}`
    });
    for (const name of [model, renamed]) {
      await request.delete(`${MLFLOW}/registered-models/delete`, {
        data: { name }
      });
    }
    await request.dispose();
  });

  test('create, describe, tag, delete a version, rename, delete', async ({
    page,
    request
  }) => {
    test.setTimeout(180000);
    await waitHealthy(request);
    await page.sidebar.close('left');
    const registry = page.locator(`#${REGISTRY_ID}`);
    const dialog = page.locator('.jp-Dialog');
    await command(page, 'mlops:open-registry');
    await registry.getByRole('button', { name: 'Create model' }).click();

    // Create: the name is checked as it is typed.
    const form = dialog.getByTestId('create-model-form');
    await expect(form).toBeVisible();
    const create = dialog.getByRole('button', { name: 'Create model' });
    await form.getByLabel('Name').fill('churn model');
    await expect(form.locator('.jp-mod-error')).toContainText('No spaces');
    await expect(create).toBeDisabled();
    await form.getByLabel('Name').fill(model);
    await form
      .getByLabel('Description')
      .fill('Predicts churn.\n<b>not bold</b>');
    await expect(create).toBeEnabled();
    await bothThemes(page, 'create-model-dialog');
    await create.click();
    const modelPage = registry.getByTestId('model-page');
    await expect(modelPage.locator('.jp-mlops-PageTitle')).toContainText(model);
    const description = modelPage.locator('.jp-mlops-DescriptionEditor');
    const descriptionText = description.locator(
      '.jp-mlops-DescriptionEditor-text'
    );
    await expect(descriptionText).toHaveText(
      'Predicts churn.\n<b>not bold</b>'
    );
    await expect(description.locator('b')).toHaveCount(0);

    // Edit the description (multi-line), tag the model.
    await description.locator('.jp-mlops-DescriptionEditor-edit').click();
    const editor = modelPage.locator(
      '.jp-mlops-DescriptionEditor.jp-mod-editing'
    );
    await editor.locator('textarea').fill('Predicts churn.\nTrained weekly.');
    await bothThemes(page, 'model-description-editor');
    await editor.getByRole('button', { name: 'Save' }).click();
    await expect(descriptionText).toHaveText(
      'Predicts churn.\nTrained weekly.'
    );
    const tags = modelPage.getByTestId('tags-editor');
    await tags.getByRole('button', { name: '+ Add tag' }).click();
    await tags.getByLabel('Tag key').fill('team');
    await tags.getByLabel('Tag value').fill('growth');
    await tags.getByRole('button', { name: 'Add' }).click();
    await expect(tags.locator('tr[data-tag="team"] td').first()).toHaveText(
      'growth'
    );

    // Two versions, @champion on the first (seeded through REST).
    const { experiment_id } = await post(request, 'experiments/create', {
      name: experiment
    });
    const runs: string[] = [];
    for (const i of [1, 2]) {
      const { run } = await post(request, 'runs/create', {
        experiment_id,
        run_name: `regedit-run-${i}`
      });
      runs.push(run.info.run_id);
      await post(request, 'model-versions/create', {
        name: model,
        source: `runs:/${run.info.run_id}/model`,
        run_id: run.info.run_id
      });
    }
    await post(request, 'registered-models/alias', {
      name: model,
      alias: 'champion',
      version: '1'
    });

    // A version's description and tag.
    await command(page, 'mlops:open-version', {
      backend: 'default',
      name: model,
      version: '1'
    });
    const versionPage = registry.getByTestId('version-page');
    await expect(versionPage).toBeVisible();
    await versionPage.locator('.jp-mlops-DescriptionEditor-edit').click();
    await versionPage
      .locator('.jp-mlops-DescriptionEditor textarea')
      .fill('First cut.\nBaseline.');
    await versionPage.getByRole('button', { name: 'Save' }).click();
    await expect(
      versionPage.locator('.jp-mlops-DescriptionEditor-text')
    ).toHaveText('First cut.\nBaseline.');
    const vtags = versionPage.getByTestId('tags-editor');
    await vtags.getByRole('button', { name: '+ Add tag' }).click();
    await vtags.getByLabel('Tag key').fill('stage');
    await vtags.getByLabel('Tag value').fill('qa');
    await vtags.getByRole('button', { name: 'Add' }).click();
    await expect(vtags.locator('tr[data-tag="stage"]')).toContainText('qa');

    // Delete it: the confirmation names the version, its alias and the run that stays.
    await versionPage.getByRole('button', { name: 'Delete version…' }).click();
    const confirm = dialog.getByTestId('delete-version-body');
    await expect(confirm).toContainText('Version 1 of');
    await expect(confirm).toContainText('@champion');
    await expect(confirm).toContainText('The run it came from stays');
    await bothThemes(page, 'delete-version-confirm');
    await dialog.getByRole('button', { name: 'Delete version 1' }).click();
    await expect(modelPage).toBeVisible();
    await expect(modelPage.getByTestId('versions-table')).toBeVisible();
    await expect(
      modelPage.getByTestId('versions-table').locator('tbody tr')
    ).toHaveCount(1);
    const run = await request.get(`${MLFLOW}/runs/get?run_id=${runs[0]}`);
    expect(run.status()).toBe(200);

    // Rename: versions and tags move with the model.
    await modelPage.getByRole('button', { name: 'Rename…' }).click();
    await dialog.getByLabel('New name').fill(renamed);
    await dialog.getByRole('button', { name: 'Rename' }).click();
    await expect(modelPage.locator('.jp-mlops-PageTitle')).toContainText(
      renamed
    );
    await expect(
      modelPage.getByTestId('versions-table').locator('tbody tr')
    ).toHaveCount(1);
    await expect(
      modelPage.getByTestId('tags-editor').locator('tr[data-tag="team"]')
    ).toContainText('growth');
    await bothThemes(page, 'model-page-edited');

    // Delete the model: its name must be typed.
    await modelPage.getByRole('button', { name: 'Delete model…' }).click();
    await expect(dialog.getByTestId('delete-model-body')).toContainText(
      '1 version'
    );
    const go = dialog.getByRole('button', { name: 'Delete model' });
    await expect(go).toBeDisabled();
    await dialog.getByLabel(`Type ${renamed} to confirm`).fill(renamed);
    await expect(go).toBeEnabled();
    await go.click();
    await expect(registry.getByText('Model registry').first()).toBeVisible();
    const gone = await request.get(
      `${MLFLOW}/registered-models/get?name=${renamed}`
    );
    expect(gone.status()).toBe(404);

    // The sidebar's Models tab offers it too.
    await page.sidebar.openTab('jupyterlab-mlops-sidebar');
    const sidebar = page.locator('#jupyterlab-mlops-sidebar');
    await sidebar.getByRole('tab', { name: 'Models' }).click();
    await sidebar.getByRole('button', { name: 'Create model…' }).click();
    await expect(dialog.getByTestId('create-model-form')).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/sidebar-create-model-light.png` });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
  });
});
