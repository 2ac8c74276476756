import { expect, test } from '@jupyterlab/galata';

const EXPERIMENT = 'galata-kernel';
const CELL = [
  'import mlflow, os',
  `mlflow.set_experiment("${EXPERIMENT}")`,
  'mlflow.start_run()',
  'mlflow.log_metric("m", 1.0)',
  'mlflow.end_run()',
  'print(os.environ["MLFLOW_TRACKING_URI"])'
].join('\n');

test('a notebook kernel logs to the embedded backend with plain mlflow', async ({
  page,
  request
}) => {
  test.setTimeout(180000);
  // The backend must be up before the kernel logs to it.
  await page.sidebar.openTab('jupyterlab-mlops-sidebar');
  await expect(
    page.locator('#jupyterlab-mlops-sidebar [data-health="healthy"]')
  ).toBeVisible({ timeout: 90000 });

  await page.notebook.createNew('mlflow-kernel.ipynb');
  await page.notebook.setCell(0, 'code', CELL);
  await page.notebook.run();

  const output = (await page.notebook.getCellTextOutput(0)) ?? [];
  const text = output.join('\n');
  expect(text).not.toContain('Traceback');
  expect(text).toMatch(/https?:\/\//);
  await page.screenshot({ path: 'test-results/notebook-mlflow.png' });

  const response = await request.get(
    `/jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow/experiments/get-by-name?experiment_name=${EXPERIMENT}`
  );
  expect(response.status()).toBe(200);
  const body = await response.json();
  expect(body.experiment.name).toBe(EXPERIMENT);
});
