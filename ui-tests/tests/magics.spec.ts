import { expect, test } from '@jupyterlab/galata';

import { deleteExperiment } from './cleanup';

/**
 * The kernel side in a real notebook: `%mlops` magics log through the batching API
 * to the embedded backend, bad input is one readable line, and the ipywidgets render.
 */
const EXPERIMENT = 'galata-magics';

test.afterAll(async ({ playwright }) => {
  await deleteExperiment(playwright, EXPERIMENT);
});

test('magics log to the embedded backend and widgets render', async ({
  page,
  request
}) => {
  test.setTimeout(240000);
  await page.sidebar.openTab('jupyterlab-mlops-sidebar');
  await expect(
    page.locator('#jupyterlab-mlops-sidebar [data-health="healthy"]')
  ).toBeVisible({ timeout: 90000 });

  await page.notebook.createNew('magics.ipynb');
  // One magic per cell: typing several lines into one cell lets the editor auto-indent them.
  const lines = [
    '%load_ext jupyterlab_mlops',
    `%mlops experiment ${EXPERIMENT}`,
    '%mlops start --name galata-run',
    '%mlops log param lr=0.01 depth=5',
    '%mlops log metric loss=0.25 --step 3',
    '%mlops end',
    '%mlops flush',
    '%mlops log metric loss=abc'
  ];
  await page.notebook.setCell(0, 'code', lines[0]);
  for (const line of lines.slice(1)) {
    await page.notebook.addCell('code', line);
  }
  await page.notebook.addCell(
    'code',
    `import jupyterlab_mlops as mlops\nmlops.compare("${EXPERIMENT}", metrics=["loss"])`
  );
  await page.notebook.run();

  const bad = (
    (await page.notebook.getCellTextOutput(lines.length - 1)) ?? []
  ).join('\n');
  expect(bad).toContain("'abc'");
  expect(bad).not.toContain('Traceback');

  // The compare widget is a stock ipywidgets composition rendered by the widget manager.
  const widget = page.locator('.jp-Notebook .widget-vbox').first();
  await expect(widget).toBeVisible({ timeout: 60000 });
  await expect(widget).toContainText('galata-run');
  await page.screenshot({ path: 'test-results/notebook-magics-widgets.png' });

  const found = await request.get(
    `/jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow/experiments/get-by-name?experiment_name=${EXPERIMENT}`
  );
  expect(found.status()).toBe(200);
  const expId = (await found.json()).experiment.experiment_id;
  const search = await request.post(
    '/jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow/runs/search',
    { data: { experiment_ids: [expId], max_results: 10 } }
  );
  const runs = (await search.json()).runs ?? [];
  expect(runs).toHaveLength(1);
  const data = runs[0].data;
  expect(data.params).toEqual(
    expect.arrayContaining([
      { key: 'lr', value: '0.01' },
      { key: 'depth', value: '5' }
    ])
  );
  expect(data.metrics[0]).toMatchObject({ key: 'loss', value: 0.25, step: 3 });
  expect(runs[0].info.status).toBe('FINISHED');
});
