import {
  expect,
  galata,
  IJupyterLabPageFixture,
  test
} from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import { deleteExperiment } from './cleanup';

/**
 * Live lists (issue 13): with the MLOps sidebar open and no click, a new
 * experiment and its run counts show within the refresh interval when plain
 * `mlflow` code writes them (the incremental poll), and within 2 s when the
 * `%mlops` magics write them (the kernel tells the server, which emits an
 * event on Jupyter's event bus).
 */
const PLAIN = 'galata-live-plain';
const MAGIC = 'galata-live-magic';
const PLAIN_DEFAULT = 'galata-live-default';
const PAGE_EXP = 'galata-live-page';
const SHOTS = 'screenshots/issue13';
const SIDEBAR = '#jupyterlab-mlops-sidebar';

test.afterAll(async ({ playwright }) => {
  for (const name of [PLAIN, MAGIC, PLAIN_DEFAULT, PAGE_EXP]) {
    await deleteExperiment(playwright, name);
  }
});

function item(page: IJupyterLabPageFixture, name: string): Locator {
  return page.locator(`${SIDEBAR} .jp-mlops-ExperimentItem`).filter({
    has: page.locator('.jp-mlops-ExperimentItem-name', { hasText: name })
  });
}

async function openSidebar(page: IJupyterLabPageFixture): Promise<void> {
  await page.sidebar.openTab('jupyterlab-mlops-sidebar');
  await expect(page.locator(`${SIDEBAR} [data-health="healthy"]`)).toBeVisible({
    timeout: 90000
  });
  await expect(
    page.locator(`${SIDEBAR} .jp-mlops-ExperimentsView`)
  ).toBeVisible();
}

/** Type a cell at the end of the notebook and run it; resolves once it ran. */
async function runCell(
  page: IJupyterLabPageFixture,
  index: number,
  source: string
): Promise<void> {
  if (index === 0) {
    await page.notebook.setCell(0, 'code', source);
  } else {
    await page.notebook.addCell('code', source);
  }
  await page.notebook.runCell(index, true);
  const output = ((await page.notebook.getCellTextOutput(index)) ?? []).join(
    '\n'
  );
  expect(output).not.toContain('Traceback');
}

async function shot(page: IJupyterLabPageFixture, name: string): Promise<void> {
  await page.locator(SIDEBAR).screenshot({ path: `${SHOTS}/${name}.png` });
}

test.describe('with a 2 s refresh interval', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab_mlops:plugin': { refreshInterval: 2 }
    }
  });

  test('plain mlflow code: the experiment and its count show without a click', async ({
    page
  }) => {
    test.setTimeout(240000);
    await page.setViewportSize({ width: 1440, height: 900 });
    await openSidebar(page);
    await shot(page, 'live-lists-before-light');

    await page.notebook.createNew('live-plain.ipynb');
    await runCell(
      page,
      0,
      [
        'import mlflow',
        `mlflow.set_experiment("${PLAIN}")`,
        'with mlflow.start_run(run_name="plain-1"):',
        '    mlflow.log_metric("acc", 0.9)'
      ].join('\n')
    );
    // The poll asks what changed every 2 s: the experiment shows, with its count.
    const row = item(page, PLAIN);
    await expect(row).toBeVisible({ timeout: 6000 });
    await expect(row.locator('.jp-mlops-ExperimentItem-count')).toHaveText(
      '1 run',
      { timeout: 6000 }
    );
    await runCell(
      page,
      1,
      'with mlflow.start_run(run_name="plain-2"):\n    mlflow.log_metric("acc", 0.95)'
    );
    await expect(row.locator('.jp-mlops-ExperimentItem-count')).toHaveText(
      '2 runs',
      { timeout: 6000 }
    );
    await shot(page, 'live-lists-after-light');
    await page.screenshot({ path: `${SHOTS}/live-lists-after-light-full.png` });
    await page.notebook.close(true);
  });
});

test('magics: the experiment shows within 2 s and its count follows', async ({
  page
}) => {
  test.setTimeout(300000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.theme.setDarkTheme();
  await openSidebar(page);
  await shot(page, 'live-lists-before-dark');

  await page.notebook.createNew('live-magics.ipynb');
  await runCell(page, 0, '%load_ext jupyterlab_mlops');
  // The default refresh interval (10 s) is far longer: only the kernel's event can make it in 2 s.
  await runCell(page, 1, `%mlops experiment ${MAGIC}`);
  const row = item(page, MAGIC);
  await expect(row).toBeVisible({ timeout: 2000 });
  await runCell(page, 2, '%mlops start --name magic-1');
  await expect(row.locator('.jp-mlops-ExperimentItem-count')).toHaveText(
    '1 run',
    { timeout: 2000 }
  );
  await runCell(page, 3, '%mlops log metric loss=0.5');
  await runCell(page, 4, '%mlops end');
  await runCell(page, 5, '%mlops start --name magic-2');
  await expect(row.locator('.jp-mlops-ExperimentItem-count')).toHaveText(
    '2 runs',
    { timeout: 2000 }
  );
  await runCell(page, 6, '%mlops end');
  await shot(page, 'live-lists-after-dark');
  await page.screenshot({ path: `${SHOTS}/live-lists-after-dark-full.png` });

  // Plain mlflow code at the default 10 s interval: the poll finds it.
  await runCell(
    page,
    7,
    [
      'import mlflow',
      `mlflow.set_experiment("${PLAIN_DEFAULT}")`,
      'with mlflow.start_run(run_name="plain-default"):',
      '    mlflow.log_metric("acc", 0.5)'
    ].join('\n')
  );
  const plain = item(page, PLAIN_DEFAULT);
  await expect(plain).toBeVisible({ timeout: 12000 });
  await expect(plain.locator('.jp-mlops-ExperimentItem-count')).toHaveText(
    '1 run',
    { timeout: 12000 }
  );
  await page.notebook.close(true);
});

test('the open experiment page shows new runs without a click', async ({
  page
}) => {
  test.setTimeout(300000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await openSidebar(page);
  await page.notebook.createNew('live-page.ipynb');
  await runCell(page, 0, '%load_ext jupyterlab_mlops');
  await runCell(page, 1, `%mlops experiment ${PAGE_EXP}`);
  await runCell(page, 2, '%mlops start --name page-1');
  await runCell(page, 3, '%mlops end');
  const row = item(page, PAGE_EXP);
  await expect(row).toBeVisible({ timeout: 2000 });
  await row.locator('.jp-mlops-ExperimentItem-button').click();
  const opened = page.locator('.jp-mlops-ExperimentPage', {
    has: page.locator('.jp-mlops-ExperimentPage-title', { hasText: PAGE_EXP })
  });
  await expect(opened.locator('.jp-mlops-Table-row')).toHaveCount(1);
  // The page beside the notebook, both visible (a hidden page stands by).
  await page.evaluate(name => {
    const app = (window as any).jupyterapp;
    for (const widget of Array.from(app.shell.widgets('main')) as any[]) {
      if (widget.title.label === name) {
        app.shell.add(widget, 'main', { mode: 'split-right' });
      }
    }
  }, PAGE_EXP);
  await page.locator('.lm-TabBar-tab', { hasText: 'live-page.ipynb' }).click();
  await expect(opened).toBeVisible();

  const names = opened.locator('.jp-mlops-Table-row .jp-mlops-Table-name');
  // Through the extension (the magics): within 2 s, at the default 10 s interval.
  await runCell(page, 4, '%mlops start --name page-2');
  await expect(names.filter({ hasText: 'page-2' })).toHaveCount(1, {
    timeout: 2000
  });
  await runCell(page, 5, '%mlops end');
  await expect(row.locator('.jp-mlops-ExperimentItem-count')).toHaveText(
    '2 runs',
    { timeout: 2000 }
  );
  // Plain mlflow code (no event): the cell's end wakes the page's poll, well within its 10 s interval.
  await runCell(
    page,
    6,
    [
      'import mlflow',
      `mlflow.set_experiment("${PAGE_EXP}")`,
      'with mlflow.start_run(run_name="page-plain"):',
      '    mlflow.log_metric("acc", 0.7)'
    ].join('\n')
  );
  await expect(names.filter({ hasText: 'page-plain' })).toHaveCount(1, {
    timeout: 6000
  });
  await expect(opened.locator('.jp-mlops-Table-row')).toHaveCount(3);
  await expect(row.locator('.jp-mlops-ExperimentItem-count')).toHaveText(
    '3 runs',
    { timeout: 12000 }
  );
  await page.screenshot({ path: `${SHOTS}/live-experiment-page-light.png` });
  await page.notebook.close(true);
});
