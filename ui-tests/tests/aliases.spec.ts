/**
 * Model aliases on the embedded MLflow backend: set "champion" on a version
 * from the version page (the field checks names like MLflow), see the chip on
 * the version page and in the model's versions table, load by alias, and
 * remove it after the confirmation. Screenshots (light and dark, 1440x900) go
 * to ui-tests/screenshots/issue14/.
 */
import { APIRequestContext, expect, test } from '@jupyterlab/galata';

import { deleteExperiment } from './cleanup';
import { command, Page } from './registryPage';
import { waitHealthy } from './registrySeed';

const SHOTS = 'screenshots/issue14';
const MLFLOW = '/jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow';
const REGISTRY_ID = 'jupyterlab-mlops-registry';

test.use({ viewport: { width: 1440, height: 900 } });
test.describe.configure({ mode: 'serial' });

async function post(
  request: APIRequestContext,
  path: string,
  data: unknown
): Promise<any> {
  const response = await request.post(`${MLFLOW}/${path}`, { data });
  expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
  return response.json();
}

/** A model with two versions, each from its own finished run. */
async function seedModel(request: APIRequestContext, model: string) {
  const { experiment_id } = await post(request, 'experiments/create', {
    name: `${model}-runs`
  });
  await post(request, 'registered-models/create', { name: model });
  for (const [i, loss] of [0.3, 0.2].entries()) {
    const { run } = await post(request, 'runs/create', {
      experiment_id,
      run_name: `run-${i + 1}`
    });
    const runId: string = run.info.run_id;
    await post(request, 'runs/log-metric', {
      run_id: runId,
      key: 'loss',
      value: loss,
      timestamp: Date.now(),
      step: 0
    });
    await post(request, 'model-versions/create', {
      name: model,
      source: `runs:/${runId}/model`,
      run_id: runId
    });
  }
}

async function aliasesOnMlflow(
  request: APIRequestContext,
  model: string
): Promise<unknown> {
  const response = await request.get(
    `${MLFLOW}/registered-models/get?name=${encodeURIComponent(model)}`
  );
  return (await response.json()).registered_model.aliases ?? [];
}

async function bothThemes(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/${name}-light.png` });
  await page.theme.setDarkTheme();
  await page.screenshot({ path: `${SHOTS}/${name}-dark.png` });
  await page.theme.setLightTheme();
}

test.describe('model aliases', () => {
  const model = `alias-model-${Date.now()}`;

  test.afterAll(async ({ playwright }) => {
    await deleteExperiment(playwright, `${model}-runs`);
  });

  test.beforeAll(async ({ request }) => {
    test.setTimeout(150000);
    await waitHealthy(request);
    await seedModel(request, model);
  });

  test('set champion from the version page, see the chips, remove it', async ({
    page,
    request
  }) => {
    test.setTimeout(180000);
    await page.sidebar.close('left');
    const registry = page.locator(`#${REGISTRY_ID}`);
    await command(page, 'mlops:open-version', {
      backend: 'default',
      name: model,
      version: '1'
    });
    const editor = registry.getByTestId('alias-editor');
    await expect(editor).toBeVisible();
    await expect(editor.locator('.jp-mlops-AliasChip')).toHaveCount(0);

    // The field refuses what MLflow refuses, as you type.
    await editor.getByRole('button', { name: 'Set alias…' }).click();
    const field = editor.getByLabel('Alias for version 1');
    await field.fill('latest');
    await expect(editor.locator('.jp-mlops-AliasHint')).toContainText(
      'reserved'
    );
    await expect(editor.getByRole('button', { name: 'Set' })).toBeDisabled();
    await editor.locator('.jp-mlops-AliasForm').screenshot({
      path: `${SHOTS}/alias-editor-invalid-light.png`
    });
    await field.fill('champion');
    await expect(editor.getByRole('button', { name: 'Set' })).toBeEnabled();
    await bothThemes(page, 'alias-editor');
    await editor.getByRole('button', { name: 'Set' }).click();
    const chip = editor.locator('.jp-mlops-AliasChip[data-alias="champion"]');
    await expect(chip).toHaveText('@champion');
    expect(await aliasesOnMlflow(request, model)).toEqual([
      { alias: 'champion', version: '1' }
    ]);

    // "Use in notebook" offers models:/name@champion.
    await page
      .getByLabel('Load the model by version or by alias')
      .selectOption('champion');
    await expect(registry.getByTestId('use-snippet')).toContainText(
      `models:/${model}@champion`
    );
    await bothThemes(page, 'alias-version-page');

    // The model page: the alias in the header and as a chip of version 1.
    await command(page, 'mlops:open-model', {
      backend: 'default',
      name: model
    });
    await expect(registry.getByTestId('model-aliases')).toHaveText(
      '@champion → 1'
    );
    const row1 = registry
      .getByTestId('versions-table')
      .locator('tr', { hasText: 'Version 1' });
    await expect(row1.locator('.jp-mlops-AliasChip')).toHaveText('@champion');
    await bothThemes(page, 'alias-model-page');

    // Remove it: a confirmation first; cancel keeps it.
    await row1.locator('.jp-mlops-AliasChip-remove').click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Remove the alias @champion?');
    await dialog.screenshot({
      path: `${SHOTS}/alias-remove-confirm-light.png`
    });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(row1.locator('.jp-mlops-AliasChip')).toHaveCount(1);
    await row1.locator('.jp-mlops-AliasChip-remove').click();
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Remove alias' })
      .click();
    await expect(row1.locator('.jp-mlops-AliasChip')).toHaveCount(0);
    await expect(registry.getByTestId('model-aliases')).toContainText('none');
    expect(await aliasesOnMlflow(request, model)).toEqual([]);
  });
});
