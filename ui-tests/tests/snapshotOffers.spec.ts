/**
 * Snapshots only offer what exists (issue 13, item 7): opening a snapshot raises no page error; a fast
 * Run All of five `%%mlops run` cells gives every run its snapshot; the run detail offers the snapshot
 * actions only for a run with one, and "Attach the open notebook" for a run without; the diff picker lists
 * the runs with snapshots by name; the diff shows names.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { APIRequestContext } from '@playwright/test';
import * as fs from 'fs';

import { deleteExperiment } from './cleanup';
import { createRun, experiment, mlflow, waitForHealthy } from './seed';

const EXPERIMENT = 'galata-snapshot-offers';
const RUN_ALL_EXPERIMENT = 'galata-snapshot-run-all';
const DETAIL_EXPERIMENT = 'galata-snapshot-detail';
const API = '/jupyterlab-mlops/backends/default';
const SHOTS = 'screenshots/issue13';

test.afterAll(async ({ playwright }) => {
  await deleteExperiment(playwright, EXPERIMENT);
  await deleteExperiment(playwright, RUN_ALL_EXPERIMENT);
  await deleteExperiment(playwright, DETAIL_EXPERIMENT);
});

/** A small notebook file in the server's contents. */
async function putNotebook(
  request: APIRequestContext,
  path: string,
  sources: string[]
): Promise<void> {
  const content = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: sources.map((source, i) => ({
      cell_type: 'code',
      id: `cell-${i}`,
      metadata: {},
      execution_count: null,
      outputs: [],
      source
    }))
  };
  const response = await request.put(`/api/contents/${path}`, {
    data: { type: 'notebook', format: 'json', content }
  });
  expect(response.ok(), `PUT ${path}: ${response.status()}`).toBe(true);
}

/** A run with a snapshot of `path` attached through the server route. */
async function snapshotted(
  request: APIRequestContext,
  experimentId: string,
  name: string,
  path: string
): Promise<string> {
  const runId = await createRun(request, experimentId, {
    name,
    status: 'FINISHED',
    startTime: Date.now(),
    params: {},
    metrics: {}
  });
  const response = await request.post(`${API}/runs/${runId}/snapshot`, {
    data: { path }
  });
  expect(response.ok(), `snapshot: ${await response.text()}`).toBe(true);
  return runId;
}

async function execute(
  page: IJupyterLabPageFixture,
  id: string,
  args: any
): Promise<any> {
  return page.evaluate(
    ([command, a]) => (window as any).jupyterapp.commands.execute(command, a),
    [id, args] as [string, any]
  );
}

test('opening a snapshot raises no page error', async ({
  page,
  request,
  tmpPath
}) => {
  const errors: string[] = [];
  page.on('pageerror', error => errors.push(error.message));
  await waitForHealthy(request);
  const experimentId = await experiment(request, EXPERIMENT);
  await putNotebook(request, `${tmpPath}/open-me.ipynb`, ['x = 1', 'print(x)']);
  const runId = await snapshotted(
    request,
    experimentId,
    'opened',
    `${tmpPath}/open-me.ipynb`
  );
  await execute(page, 'mlops:snapshot-open', {
    backend: 'default',
    run_id: runId
  });
  const panel = page.locator('.jp-NotebookPanel.jp-mlops-SnapshotNotebook');
  await expect(panel.locator('.jp-Cell')).toHaveCount(2);
  // Click into it and away (the kernel-aware toolbar and status bar follow the current widget).
  await panel.locator('.jp-Cell').first().click();
  await page.activity.activateTab('Launcher');
  await page.activity.activateTab(`open-me@opened.ipynb`);
  await expect(panel).toBeVisible();
  // The tab closes cleanly too (a snapshot has no session to shut down).
  await page.activity.closeAll();
  await expect(panel).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a fast Run All gives every %%mlops run its snapshot', async ({
  page,
  request
}) => {
  test.setTimeout(300000);
  await waitForHealthy(request);
  const names = ['fast-1', 'fast-2', 'fast-3', 'fast-4', 'fast-5'];
  const cells = [
    '%load_ext jupyterlab_mlops',
    `%mlops experiment ${RUN_ALL_EXPERIMENT}`,
    ...names.map(name => `%%mlops run --name ${name}\nx = "${name}"`)
  ];
  await page.notebook.createNew('run-all-fast.ipynb');
  await page.notebook.setCell(0, 'code', cells[0]);
  for (const source of cells.slice(1)) {
    await page.notebook.addCell('code', source);
  }
  await page.menu.clickMenuItem('Run>Run All Cells');
  await expect(
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
  ).toBeVisible({ timeout: 120000 });
  const experimentId = await experiment(request, RUN_ALL_EXPERIMENT);
  let runs: { id: string; name: string }[] = [];
  await expect
    .poll(
      async () => {
        const found = await mlflow(request, 'runs/search', {
          experiment_ids: [experimentId],
          max_results: 50
        });
        runs = (found.runs ?? []).map((r: any) => ({
          id: r.info.run_id,
          name: r.info.run_name
        }));
        return runs.map(r => r.name).sort();
      },
      { timeout: 60000 }
    )
    .toEqual(names);
  // Every run gets its own snapshot, each with the cell that made it.
  for (const run of runs) {
    await expect
      .poll(
        async () => {
          const response = await request.get(`${API}/runs/${run.id}/snapshot`);
          return response.status();
        },
        { timeout: 60000, message: `snapshot of ${run.name}` }
      )
      .toBe(200);
  }
});

/** The main-area tab of a run's detail, opened as the sidebar does. */
async function openRun(page: IJupyterLabPageFixture, runId: string) {
  await page.evaluate(
    run_id =>
      (window as any).jupyterapp.commands
        .execute('mlops:open-run', { backend: 'default', run_id })
        .then(() => undefined),
    runId
  );
  const detail = page.locator(`.jp-mlops-Detail[data-state="ready"]:visible`);
  await expect(detail).toBeVisible();
  return detail;
}

/** A screenshot of the page in the light and the dark theme. */
async function shoot(page: IJupyterLabPageFixture, name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}-light.png` });
  await page.theme.setDarkTheme();
  await page.screenshot({ path: `${SHOTS}/${name}-dark.png` });
  await page.theme.setLightTheme();
}

test('snapshot actions only where a snapshot exists; attach; the diff by name', async ({
  page,
  request,
  tmpPath
}) => {
  test.setTimeout(300000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await waitForHealthy(request);
  const experimentId = await experiment(request, DETAIL_EXPERIMENT);
  const longA =
    'gradient-boosting baseline with early stopping, 500 trees, learning rate 0.1, max depth 6';
  const longB =
    'gradient-boosting tuned on the March data: 1200 trees, learning rate 0.03, max depth 8, subsample 0.8';
  await putNotebook(request, `${tmpPath}/train.ipynb`, [
    'lr = 0.1',
    'print(lr)'
  ]);
  await putNotebook(request, `${tmpPath}/tuned.ipynb`, [
    'lr = 0.03',
    'print(lr)'
  ]);
  const a = await snapshotted(
    request,
    experimentId,
    longA,
    `${tmpPath}/train.ipynb`
  );
  const b = await snapshotted(
    request,
    experimentId,
    longB,
    `${tmpPath}/tuned.ipynb`
  );
  const bare = await createRun(request, experimentId, {
    name: 'logged-by-plain-mlflow',
    status: 'FINISHED',
    startTime: Date.now(),
    params: { lr: '0.05' },
    metrics: {}
  });

  // A run with a snapshot: open, diff, restore; nothing to attach.
  const withSnapshot = await openRun(page, a);
  const section = withSnapshot.locator('[data-section="snapshot"]');
  await expect(
    section.locator('[data-command="mlops:snapshot-open"]')
  ).toBeEnabled();
  await expect(section.locator('[data-command]')).toHaveCount(3);
  await expect(
    section.locator('[data-command="mlops:snapshot-attach"]')
  ).toHaveCount(0);
  await section.scrollIntoViewIfNeeded();
  await shoot(page, 'snapshot-detail-with-snapshot');

  // A command invoked for a run without a snapshot explains (information, not an error).
  await execute(page, 'mlops:snapshot-open', {
    backend: 'default',
    run_id: bare
  });
  await expect(
    page.locator('.Toastify__toast', { hasText: 'has no notebook snapshot' })
  ).toHaveClass(/Toastify__toast--info/);
  await expect(page.locator('.Toastify__toast--error')).toHaveCount(0);

  // A run without one: only "Attach the open notebook", which names the open notebook.
  await page.notebook.createNew('attach-me.ipynb');
  await page.notebook.setCell(0, 'code', 'threshold = 0.42');
  const without = await openRun(page, bare);
  const missing = without.locator('[data-section="snapshot"]');
  await expect(missing.locator('[data-snapshot="none"]')).toContainText(
    'has no notebook snapshot'
  );
  await expect(
    missing.locator('[data-command="mlops:snapshot-open"]')
  ).toHaveCount(0);
  const attach = missing.locator('[data-command="mlops:snapshot-attach"]');
  await expect(attach).toBeEnabled();
  await expect(missing).toContainText('attach-me.ipynb');
  await missing.scrollIntoViewIfNeeded();
  await shoot(page, 'snapshot-detail-without-snapshot');
  await attach.click();
  const confirm = page.locator('.jp-Dialog');
  await expect(confirm).toContainText('"attach-me.ipynb"');
  await expect(confirm).toContainText('"logged-by-plain-mlflow"');
  await shoot(page, 'snapshot-attach-confirm');
  await confirm.getByRole('button', { name: 'Attach' }).click();
  await expect(
    missing.locator('[data-command="mlops:snapshot-open"]')
  ).toBeVisible({ timeout: 30000 });
  const attached = await request.get(`${API}/runs/${bare}/snapshot`);
  expect(attached.ok()).toBe(true);
  expect((await attached.json()).snapshot.path).toBe(
    `${tmpPath}/attach-me.ipynb`
  );

  // The diff picker: only the runs with a snapshot, by name, long names cut but whole in the tooltip.
  await openRun(page, a);
  await page
    .locator('.jp-mlops-Detail:visible [data-command="mlops:snapshot-diff"]')
    .click();
  const picker = page.locator('.jp-mlops-RunPickerDialog');
  const items = picker.locator('.jp-mlops-RunPicker-item');
  await expect(items).toHaveCount(2);
  await expect(items.locator('.jp-mlops-RunPicker-name')).toHaveText([
    'logged-by-plain-mlflow',
    longB
  ]);
  const longItem = items.filter({ hasText: longB });
  await expect(longItem).toHaveAttribute('title', new RegExp(`^${longB}\n`));
  await expect(longItem.locator('.jp-mlops-RunPicker-secondary')).toContainText(
    b.slice(0, 8)
  );
  await shoot(page, 'snapshot-diff-picker');
  await longItem.click();
  await picker.getByRole('button', { name: 'Diff' }).click();

  // The diff header and tab by run names, the ids behind copy buttons.
  const diff = page.locator('.jp-mlops-SnapshotDiff:not(.jp-mod-loading)');
  await expect(diff.locator('.jp-mlops-DiffRunName')).toHaveText([
    longA,
    longB
  ]);
  await expect(diff.locator(`[data-copy-id="${a}"]`)).toHaveCount(1);
  await expect(
    page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')
  ).toContainText(`Diff ${longA}`);
  await shoot(page, 'snapshot-diff-header');
});
