import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import { deleteExperiment } from './cleanup';

/**
 * The kernel side under "Run All": a `%%mlops run` cell whose body raises fails the cell, so the cells after
 * it do not run; and all four notebook widgets display (none hits a name that shadows ipywidgets' own).
 */
const EXPERIMENT = 'galata-kernel-cells';

test.afterAll(async ({ playwright }) => {
  await deleteExperiment(playwright, EXPERIMENT);
});

async function notebookWith(
  page: IJupyterLabPageFixture,
  name: string,
  cells: string[]
): Promise<void> {
  await page.sidebar.openTab('jupyterlab-mlops-sidebar');
  await expect(
    page.locator('#jupyterlab-mlops-sidebar [data-health="healthy"]')
  ).toBeVisible({ timeout: 90000 });
  await page.notebook.createNew(name);
  await page.notebook.setCell(0, 'code', cells[0]);
  for (const source of cells.slice(1)) {
    await page.notebook.addCell('code', source);
  }
}

test('Run All stops at a %%mlops run cell that raises', async ({ page }) => {
  test.setTimeout(240000);
  const cells = [
    '%load_ext jupyterlab_mlops',
    `%mlops experiment ${EXPERIMENT}`,
    '%%mlops run --name failing\nraise ValueError("boom")',
    'after_the_failure = 1'
  ];
  await notebookWith(page, 'run-all-stops.ipynb', cells);
  // Galata's notebook.run() waits for every cell to run: here the last one must not.
  await page.menu.clickMenuItem('Run>Run All Cells');
  await expect
    .poll(
      async () => ((await page.notebook.getCellTextOutput(2)) ?? []).join('\n'),
      { timeout: 120000 }
    )
    .toContain('mlops: the cell raised ValueError');
  // The kernel is idle again: Run All has ended (or would have gone on by now).
  await expect(
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
  ).toBeVisible({ timeout: 60000 });
  const failed = ((await page.notebook.getCellTextOutput(2)) ?? []).join('\n');
  expect(failed).toContain('ValueError');
  expect(failed).toContain('FAILED');
  // The cell after it never ran: no output, no execution count.
  const prompt = page.notebook
    .getCellLocator(3)
    .then(cell => cell!.locator('.jp-InputPrompt').textContent());
  expect((await prompt)?.replace(/\s/g, '')).toBe('[]:');
  expect(await page.notebook.getCellTextOutput(3)).toBeFalsy();
  await page.screenshot({ path: 'test-results/notebook-run-all-stops.png' });
});

test('all four widgets display', async ({ page }) => {
  test.setTimeout(300000);
  const cells = [
    '%load_ext jupyterlab_mlops',
    `import jupyterlab_mlops as mlops\nmlops.experiment("${EXPERIMENT}")`,
    '%%mlops run --name first\nmlops.log_metric("loss", 0.5)',
    '%%mlops run --name second\nmlops.log_metric("loss", 0.25)',
    'mlops.experiments()',
    `mlops.compare("${EXPERIMENT}", metrics=["loss"])`,
    'mlops.promote()',
    'mlops.models()'
  ];
  await notebookWith(page, 'four-widgets.ipynb', cells);
  await page.notebook.run();
  for (let i = 4; i < cells.length; i++) {
    const cell = (await page.notebook.getCellLocator(i))!;
    await expect(cell.locator('.widget-vbox').first()).toBeVisible({
      timeout: 60000
    });
    const text = ((await page.notebook.getCellTextOutput(i)) ?? []).join('\n');
    expect(text).not.toContain('Traceback');
    expect(text).not.toContain('Error');
  }
  await page.screenshot({ path: 'test-results/notebook-four-widgets.png' });
});
