/**
 * Notebook snapshots (issue 6), end to end: two `%%mlops run` cells with a
 * changed body → both runs have snapshots → the diff shows exactly the
 * changed cell → restoring the first opens a new notebook equal to it.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { APIRequestContext } from '@playwright/test';

import { mlflow, waitForHealthy } from './seed';

const EXPERIMENT = 'snap-e2e';
const API = '/jupyterlab-mlops/backends/default';
const runCell = (name: string, x: number) =>
  `%%mlops run --experiment ${EXPERIMENT} --name ${name}\nx = ${x}\nprint(x)`;

/** The id of the run of EXPERIMENT with that name (waits until it exists). */
async function runId(
  request: APIRequestContext,
  name: string
): Promise<string> {
  let id = '';
  await expect
    .poll(
      async () => {
        const found = await request.get(
          `${API}/mlflow/api/2.0/mlflow/experiments/get-by-name?experiment_name=${EXPERIMENT}`
        );
        if (!found.ok()) {
          return '';
        }
        const experimentId = (await found.json()).experiment.experiment_id;
        const runs = await mlflow(request, 'runs/search', {
          experiment_ids: [experimentId],
          filter: `attributes.run_name = '${name}'`
        });
        id = runs.runs?.[0]?.info?.run_id ?? '';
        return id;
      },
      { timeout: 60000, message: `run ${name}` }
    )
    .not.toBe('');
  return id;
}

/** The run's snapshot (waits until it has one). */
async function snapshot(request: APIRequestContext, id: string): Promise<any> {
  let body: any = null;
  await expect
    .poll(
      async () => {
        const response = await request.get(`${API}/runs/${id}/snapshot`);
        body = response.ok() ? await response.json() : null;
        return response.status();
      },
      { timeout: 60000, message: `snapshot of ${id}` }
    )
    .toBe(200);
  return body;
}

const sources = (nb: any): string[] =>
  nb.cells.map((c: any) =>
    Array.isArray(c.source) ? c.source.join('') : c.source
  );

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

/** A screenshot in the light and the dark theme. */
async function shoot(
  page: IJupyterLabPageFixture,
  name: string,
  target?: string
): Promise<void> {
  for (const theme of ['light', 'dark']) {
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
      await page.waitForTimeout(500);
    }
    const path = `test-results/snapshot-${name}-${theme}.png`;
    if (target) {
      await page
        .locator(target)
        .first()
        .screenshot({ path, animations: 'disabled' });
    } else {
      await page.screenshot({ path, animations: 'disabled' });
    }
  }
  await page.theme.setLightTheme();
  await page.waitForTimeout(500);
}

test('snapshots of two runs: diff, read-only view, restore', async ({
  page,
  request,
  tmpPath
}) => {
  test.setTimeout(300000);
  await waitForHealthy(request);

  await page.notebook.createNew('snap.ipynb');
  await page.notebook.setCell(0, 'code', '%load_ext jupyterlab_mlops');
  await page.notebook.addCell('code', runCell('first', 1));
  await page.notebook.run();
  const first = await runId(request, 'first');
  const snapA = await snapshot(request, first);
  expect(snapA.snapshot.path).toBe(`${tmpPath}/snap.ipynb`);
  expect(snapA.snapshot.source).toBe('disk'); // the frontend saved it, the server read it

  await page.notebook.setCell(1, 'code', runCell('second', 2));
  // Run it in place (Shift+Enter on the last cell would add an empty cell).
  await page.notebook.selectCells(1);
  await execute(page, 'notebook:run-cell', {});
  const second = await runId(request, 'second');
  const snapB = await snapshot(request, second);
  expect(sources(snapA.notebook)[1]).toContain('x = 1');
  expect(sources(snapB.notebook)[1]).toContain('x = 2');

  // Diff: exactly one modified cell.
  await execute(page, 'mlops:snapshot-diff', {
    a: { backend: 'default', run_id: first },
    b: { backend: 'default', run_id: second }
  });
  const diff = page.locator('.jp-mlops-SnapshotDiff:not(.jp-mod-loading)');
  await expect(diff.locator('.jp-mlops-DiffSummaryText')).toHaveText(
    '1 modified, 1 unchanged'
  );
  await expect(diff.locator('.jp-mlops-DiffCell')).toHaveCount(1);
  await expect(
    diff.locator('.jp-mlops-DiffCell[data-status="modified"]')
  ).toHaveCount(1);
  await expect(diff.locator('.jp-mlops-DiffLine.jp-mod-del')).toContainText([
    'x = 1'
  ]);
  await expect(diff.locator('.jp-mlops-DiffLine.jp-mod-add')).toContainText([
    'x = 2'
  ]);
  await shoot(page, 'diff');

  // From one candidate (the detail view's "Diff…"): pick the other run in a dialog.
  await page.activity.activateTab('Launcher');
  const asked = execute(page, 'mlops:snapshot-diff', {
    backend: 'default',
    run_id: second
  });
  const dialog = page.locator('.jp-mlops-RunPickerDialog');
  // The runs of the experiment that have a snapshot, by name (the current one left out).
  const items = dialog.locator('.jp-mlops-RunPicker-item');
  await expect(items).toHaveCount(1);
  await expect(items.locator('.jp-mlops-RunPicker-name')).toHaveText('first');
  await expect(items.first()).toHaveAttribute('aria-selected', 'true');
  await dialog.getByRole('button', { name: 'Diff' }).click();
  await asked;
  await expect(
    page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')
  ).toContainText('Diff first ↔ second');

  // Read-only snapshot with its environment / git bar.
  await execute(page, 'mlops:snapshot-open', {
    backend: 'default',
    run_id: first
  });
  const info = page.locator('.jp-mlops-SnapshotInfo');
  await expect(info).toBeVisible();
  await info.getByRole('button', { name: /Snapshot of run/ }).click();
  await expect(info.locator('.jp-mlops-SnapshotPackages')).toBeVisible();
  await info.getByLabel('Filter packages').fill('ipykernel');
  await expect(info.locator('.jp-mlops-SnapshotPackageList li')).toHaveCount(1);
  const panel = page.locator('.jp-NotebookPanel.jp-mlops-SnapshotNotebook');
  await expect(panel.locator('.jp-Cell')).toHaveCount(2);
  await expect(
    panel.locator('.jp-Cell .cm-editor.jp-mod-readOnly')
  ).toHaveCount(2);
  const editor = panel.locator('.jp-Cell .cm-content').nth(1);
  await editor.click();
  await page.keyboard.type('zzz');
  await expect(editor).not.toContainText('zzz');
  await page.keyboard.press('Escape');
  await shoot(page, 'readonly');

  // Restore the first snapshot: a new notebook equal to it.
  const path: string = await execute(page, 'mlops:snapshot-restore', {
    backend: 'default',
    run_id: first
  });
  expect(path).toMatch(
    new RegExp(`^${tmpPath}/snap-${first.slice(0, 8)}(-\\d+)?\\.ipynb$`)
  );
  await expect(
    page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')
  ).toContainText(path.split('/').pop()!);
  const restored = await request.get(`/api/contents/${path}?content=1`);
  expect(restored.ok()).toBe(true);
  expect(sources((await restored.json()).content)).toEqual(
    sources(snapA.notebook)
  );

  // The automatic snapshots were taken by this frontend (not the kernel's fallback).
  await page.activity.activateTab('snap.ipynb');
  await page.notebook.addCell(
    'code',
    'from jupyterlab_mlops.kernel import snapshot_hook\nprint(snapshot_hook.last.get("via"), snapshot_hook.last.get("run_id"))'
  );
  await page.notebook.runCell(2);
  expect((await page.notebook.getCellTextOutput(2))?.join('')).toContain(
    `frontend ${second}`
  );

  // The toolbar button (snapshot on demand: the last ended run).
  const button = page.locator(
    '.jp-NotebookPanel-toolbar:visible [data-jp-item-name="mlops-snapshot"]'
  );
  await expect(button).toBeVisible();
  await shoot(page, 'toolbar', '.jp-NotebookPanel-toolbar:visible');
  await button.locator('button, jp-button').first().click();
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Snapshot' })
    .click();
  await expect(
    page
      .locator('.jp-toast-message', { hasText: `run ${second.slice(0, 8)}` })
      .last()
  ).toContainText(/unchanged|uploaded/, { timeout: 30000 });
});
