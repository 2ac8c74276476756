/**
 * MLflow 3 logged models on the embedded MLflow backend: a run whose model was
 * logged as the MLflow 3 client does it (logged-models create, files under the
 * model's own artifact location, finalize, a metric linked by model_id) shows a
 * "Logged models" section; a model file opens read-only; "Promote…" opens the
 * dialog with that model chosen and registers `models:/m-<id>` as version 1.
 * Screenshots (light and dark, 1440x900) go to ui-tests/screenshots/issue14/.
 */
import { APIRequestContext, expect, test } from '@jupyterlab/galata';

import { deleteExperiment } from './cleanup';
import { command, Page } from './registryPage';
import { waitHealthy } from './registrySeed';

const SHOTS = 'screenshots/issue14';
const MLFLOW = '/jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow';
const ARTIFACTS =
  '/jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow-artifacts/artifacts';
const MLMODEL = [
  'artifact_path: mlflow-artifacts:/models/clf',
  'flavors:',
  '  python_function:',
  '    loader_module: mlflow.sklearn',
  '    python_version: 3.11.0',
  '  sklearn:',
  '    pickled_model: model.pkl',
  '    sklearn_version: 1.5.0',
  'mlflow_version: 3.17.2',
  ''
].join('\n');

test.use({ viewport: { width: 1440, height: 900 } });
test.describe.configure({ mode: 'serial' });

async function call(
  request: APIRequestContext,
  method: 'post' | 'patch',
  path: string,
  data: unknown
): Promise<any> {
  const response = await request[method](`${MLFLOW}/${path}`, { data });
  expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
  return response.json();
}

/** A finished run with one logged model, as `mlflow.sklearn.log_model` leaves it. */
async function seedRun(
  request: APIRequestContext,
  name: string
): Promise<{ runId: string; modelId: string }> {
  const { experiment_id } = await call(request, 'post', 'experiments/create', {
    name: `${name}-exp`
  });
  const { run } = await call(request, 'post', 'runs/create', {
    experiment_id,
    run_name: name
  });
  const runId: string = run.info.run_id;
  const { model } = await call(request, 'post', 'logged-models', {
    experiment_id,
    name: 'churn-clf',
    source_run_id: runId,
    params: [{ key: 'C', value: '0.5' }]
  });
  const modelId: string = model.info.model_id;
  const root = `${ARTIFACTS}/${experiment_id}/models/${modelId}/artifacts`;
  for (const [path, body] of [
    ['MLmodel', MLMODEL],
    ['requirements.txt', 'scikit-learn==1.5.0\n']
  ]) {
    const put = await request.put(`${root}/${path}`, {
      data: Buffer.from(body),
      headers: { 'Content-Type': 'text/plain' }
    });
    expect(put.ok(), `PUT ${path}: ${put.status()}`).toBe(true);
  }
  await call(request, 'patch', `logged-models/${modelId}`, {
    model_id: modelId,
    status: 'LOGGED_MODEL_READY'
  });
  await call(request, 'post', 'runs/log-batch', {
    run_id: runId,
    metrics: [
      {
        key: 'auc',
        value: 0.91,
        timestamp: Date.now(),
        step: 0,
        model_id: modelId
      }
    ]
  });
  await call(request, 'post', 'runs/update', {
    run_id: runId,
    status: 'FINISHED',
    end_time: Date.now()
  });
  return { runId, modelId };
}

async function bothThemes(
  page: Page,
  name: string,
  target?: { screenshot: (o: { path: string }) => Promise<unknown> }
): Promise<void> {
  const shot = target ?? page;
  await shot.screenshot({ path: `${SHOTS}/${name}-light.png` });
  await page.theme.setDarkTheme();
  await shot.screenshot({ path: `${SHOTS}/${name}-dark.png` });
  await page.theme.setLightTheme();
}

test.describe('MLflow 3 logged models', () => {
  const runName = `logged-e2e-${Date.now()}`;
  let seeded: { runId: string; modelId: string };

  test.beforeAll(async ({ request }) => {
    await waitHealthy(request);
    seeded = await seedRun(request, runName);
  });

  test.afterAll(async ({ playwright }) => {
    await deleteExperiment(playwright, `${runName}-exp`);
  });

  test('the run page lists the logged model; a file opens read-only', async ({
    page
  }) => {
    await page.sidebar.close('left');
    await command(page, 'mlops:open-run', {
      backend: 'default',
      run_id: seeded.runId
    });
    const section = page.locator('[data-section="logged-models"]');
    const card = section.locator(`[data-model-id="${seeded.modelId}"]`);
    await expect(card).toContainText('churn-clf');
    await expect(card.locator('[data-flavor="sklearn"]')).toBeVisible();
    await expect(card.locator('[data-flavor="python_function"]')).toBeVisible();
    await expect(card).toContainText('C');
    await expect(card).toContainText('0.5');
    await expect(card).toContainText('auc');
    await expect(card).toContainText(`models:/${seeded.modelId}`);
    await section.scrollIntoViewIfNeeded();
    await bothThemes(page, 'logged-models-section');

    await card
      .locator(
        '.jp-mlops-Artifact[data-path="MLmodel"] .jp-mlops-Artifact-main'
      )
      .click();
    const editor = page.locator('.jp-FileEditor:visible');
    await expect(editor).toContainText('sklearn_version: 1.5.0');
    await expect(
      page.locator('.jp-mlops-ReadOnlyBanner:visible')
    ).toBeVisible();
    await expect(
      page.locator('.lm-TabBar-tab.lm-mod-current', { hasText: 'MLmodel' })
    ).toBeVisible();
  });

  test('promote from the logged model registers models:/m-<id>', async ({
    page,
    request
  }) => {
    await page.sidebar.close('left');
    await command(page, 'mlops:open-run', {
      backend: 'default',
      run_id: seeded.runId
    });
    const card = page.locator(`[data-model-id="${seeded.modelId}"]`);
    await card.getByRole('button', { name: 'Promote…' }).click();
    const dialog = page.locator('.jp-Dialog');
    const choice = dialog.getByTestId('promote-source');
    await expect(
      choice.locator(`input[value="${seeded.modelId}"]`)
    ).toBeChecked();
    await expect(choice).toContainText("The run's artifacts");
    const model = `logged-${Date.now()}`;
    await dialog.locator('input[name="model"]').fill(model);
    await expect(dialog.getByTestId('name-status')).toContainText(
      'will be created'
    );
    await expect(dialog.locator('input[name="version"]')).toHaveValue('1.0.0');
    await expect(dialog.locator('.jp-mod-accept')).toBeEnabled();
    await bothThemes(page, 'logged-models-promote-choice');
    await dialog.locator('.jp-mod-accept').click();
    await expect(
      page.locator('.jp-toast-message', { hasText: `Created model ${model}` })
    ).toBeVisible({ timeout: 30000 });
    const got = await request.get(
      `${MLFLOW}/model-versions/get?name=${encodeURIComponent(model)}&version=1`
    );
    expect((await got.json()).model_version.source).toBe(
      `models:/${seeded.modelId}`
    );
  });
});
