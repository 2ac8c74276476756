/**
 * Editing runs and experiments (issue 14, item 7) on the embedded backend:
 * rename a run on its page and see the open experiment page follow, edit its
 * description (text, never HTML) and tags, delete it and Undo; delete
 * candidates from the table and restore them from "Show deleted"; describe an
 * experiment on its page; a run page
 * follows its run deleted and restored elsewhere; delete an
 * experiment from its page and restore it from the sidebar's deleted list.
 * Screenshots: ui-tests/screenshots/issue14/.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

import { deleteExperiment } from './cleanup';
import { experimentPage, openExperiment, SIDEBAR } from './experimentPageSeed';
import { createRun, experiment, waitForHealthy } from './seed';

const SHOTS = 'screenshots/issue14';
const EXP = 'editing-spec-runs';
const BIN = 'editing-spec-bin';
const ids: Record<string, string> = {};

test.describe.configure({ mode: 'serial' });

async function bothThemes(
  page: galata.IJupyterLabPageFixture,
  target: Locator | null,
  name: string
): Promise<void> {
  for (const theme of ['light', 'dark']) {
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    }
    await page.waitForTimeout(300);
    const shot = { path: `${SHOTS}/${name}-${theme}.png` };
    await (target ? target.screenshot(shot) : page.screenshot(shot));
  }
  await page.theme.setLightTheme();
}

test.describe('Editing runs and experiments', () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test.afterAll(async ({ playwright }) => {
    for (const name of [EXP, BIN, `${BIN}-renamed`]) {
      await deleteExperiment(playwright, name);
    }
  });

  test('seed', async ({ request }) => {
    await waitForHealthy(request);
    ids.exp = await experiment(request, EXP);
    ids.bin = await experiment(request, BIN);
    const base = Date.now() - 3600000;
    for (const [i, name] of ['alpha', 'beta', 'gamma'].entries()) {
      ids[name] = await createRun(request, ids.exp, {
        name,
        status: 'FINISHED',
        startTime: base + i * 60000,
        params: { lr: String(0.1 * (i + 1)) },
        metrics: { acc: [0.5, 0.6 + i / 10] },
        tags: { team: 'vision' }
      });
    }
    ids.kept = await createRun(request, ids.bin, {
      name: 'kept',
      status: 'FINISHED',
      startTime: base,
      params: {},
      metrics: { acc: [0.7] }
    });
  });

  test('a run: rename, description, tags, delete and Undo', async ({
    page,
    request
  }) => {
    const opened = await openExperiment(page, EXP, ids.exp);
    await expect(opened.locator('.jp-mlops-Table-row')).toHaveCount(3);
    await page.evaluate(
      async args => {
        await (window as any).jupyterapp.commands.execute(
          'mlops:open-run',
          args
        );
      },
      { backend: 'default', run_id: ids.alpha, experiment_name: EXP }
    );
    const detail = page.locator('.jp-mlops-Detail[data-state="ready"]');
    await expect(detail.locator('.jp-mlops-Detail-title')).toHaveText('alpha');

    // Rename on the run page: the open experiment page follows without a refresh.
    await detail.locator('.jp-mlops-RenameButton').click();
    const nameInput = detail.getByLabel('Run name');
    await nameInput.fill('alpha renamed');
    await nameInput.press('Enter');
    await expect(detail.locator('.jp-mlops-Detail-title')).toHaveText(
      'alpha renamed'
    );
    await expect(
      opened.locator(`.jp-mlops-Table-row[data-run="${ids.alpha}"]`)
    ).toContainText('alpha renamed');

    // The description is text: markup shows as typed.
    const description = detail.locator('[data-section="description"]');
    await description.getByText('Add a description').click();
    const text =
      'Baseline with <b>early stopping</b>.\nSecond line: lr sweep 0.1–0.3.';
    await description.getByRole('textbox').fill(text);
    await description.getByRole('button', { name: 'Save' }).click();
    await expect(
      description.locator('.jp-mlops-DescriptionEditor-text')
    ).toHaveText(text);
    await expect(description.locator('b')).toHaveCount(0);

    // Tags: add one, remove one; system tags are read-only.
    const tags = detail.locator('[data-section="tags"]');
    await tags.getByRole('button', { name: '+ Add tag' }).click();
    await tags.getByLabel('Tag key').fill('owner');
    await tags.getByLabel('Tag value').fill('ana');
    await tags.getByRole('button', { name: 'Add' }).click();
    await expect(tags.locator('tr[data-tag="owner"]')).toContainText('ana');
    await tags.getByRole('button', { name: 'Remove tag “team”' }).click();
    await expect(tags.locator('tr[data-tag="team"]')).toHaveCount(0);
    await tags.getByRole('button', { name: '+ Add tag' }).click();
    await tags.getByLabel('Tag key').fill('mlflow.user');
    await expect(tags.getByRole('alert')).toContainText('read-only');
    await tags.getByRole('button', { name: 'Cancel' }).click();
    await bothThemes(page, null, 'run-page-description-tags');

    // Delete: the confirmation says it can be undone; Undo brings it back.
    await detail.locator('.jp-mlops-DeleteButton').click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('restore it with Undo');
    await bothThemes(page, null, 'delete-run-confirmation');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect(page.locator('[data-deleted="run"]')).toBeVisible();
    await expect(
      opened.locator(`.jp-mlops-Table-row[data-run="${ids.alpha}"]`)
    ).toHaveCount(0);
    await page
      .locator('.jp-Notification-Toast-success')
      .getByRole('button', { name: 'Undo' })
      .click();
    await expect(page.locator('[data-deleted="run"]')).toHaveCount(0);
    await expect(detail.locator('.jp-mlops-Detail-title')).toHaveText(
      'alpha renamed'
    );
    await expect(
      opened.locator(`.jp-mlops-Table-row[data-run="${ids.alpha}"]`)
    ).toHaveCount(1);

    // Deleted and restored elsewhere (the routes the candidates table calls): the open page follows at once.
    const runsRoute = `/jupyterlab-mlops/backends/default/experiments/${ids.exp}/runs`;
    const body = { data: { run_ids: [ids.alpha] } };
    expect((await request.post(`${runsRoute}/delete`, body)).ok()).toBe(true);
    const banner = page.locator('[data-deleted="run"]');
    await expect(banner.getByRole('button', { name: 'Restore' })).toBeVisible();
    expect((await request.post(`${runsRoute}/restore`, body)).ok()).toBe(true);
    await expect(banner).toHaveCount(0);
    await expect(detail.locator('.jp-mlops-Detail-title')).toHaveText(
      'alpha renamed'
    );
  });

  test('candidates and an experiment: delete, show deleted, restore, rename', async ({
    page
  }) => {
    // Delete two checked candidates, restore them from "Show deleted".
    const opened = await openExperiment(page, EXP, ids.exp);
    await expect(opened.locator('.jp-mlops-Table-row')).toHaveCount(3);
    for (const run of [ids.beta, ids.gamma]) {
      await opened
        .locator(`.jp-mlops-Table-row[data-run="${run}"] input[type=checkbox]`)
        .check();
    }
    await opened.locator('.jp-mlops-DeleteRunsButton').click();
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect(opened.locator('.jp-mlops-Table-row')).toHaveCount(1);
    await opened.locator('.jp-mlops-ShowDeletedButton').click();
    const deletedRuns = opened.locator('.jp-mlops-DeletedPanel li');
    await expect(deletedRuns).toHaveCount(2);
    await opened.getByRole('button', { name: 'Restore all' }).click();
    await expect(opened.locator('.jp-mlops-Table-row')).toHaveCount(3);
    await expect(opened.locator('.jp-mlops-DeletedPanel')).toContainText(
      'No deleted runs'
    );

    // The experiment's description: added on its page, shown as text.
    const about = opened.locator('.jp-mlops-ExperimentPage-description');
    await about.getByText('Add a description').click();
    await about.getByRole('textbox').fill('Vision <i>baselines</i>, lr sweep.');
    await about.getByRole('button', { name: 'Save' }).click();
    await expect(about.locator('.jp-mlops-DescriptionEditor-text')).toHaveText(
      'Vision <i>baselines</i>, lr sweep.'
    );
    await expect(about.locator('i')).toHaveCount(0);
    await bothThemes(
      page,
      opened.locator('.jp-mlops-ExperimentPage-header'),
      'experiment-description'
    );

    // Delete an experiment from its page; restore it from the sidebar.
    const bin = await openExperiment(page, BIN, ids.bin);
    await bin.locator('.jp-mlops-DeleteButton').click();
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect(bin.locator('[data-deleted="experiment"]')).toBeVisible();
    const row = page.locator(
      `${SIDEBAR} .jp-mlops-ExperimentItem[data-id="${ids.bin}"]`
    );
    await expect(row).toHaveCount(0);
    await page.locator(`${SIDEBAR} .jp-mlops-ShowDeletedButton`).click();
    const deleted = page.locator(
      `${SIDEBAR} [data-deleted="experiments"] li[data-id="${ids.bin}"]`
    );
    await expect(deleted).toContainText(BIN);
    await bothThemes(page, null, 'deleted-experiments');
    await deleted.getByRole('button', { name: 'Restore' }).click();
    await expect(row).toHaveCount(1);
    await expect(bin.locator('[data-deleted="experiment"]')).toHaveCount(0);
    await expect(
      experimentPage(page, ids.bin).locator('.jp-mlops-Table-row')
    ).toHaveCount(1);
    await page.locator(`${SIDEBAR} .jp-mlops-ShowDeletedButton`).click();

    // Rename from the page header: the tab and the sidebar follow.
    await bin.locator('.jp-mlops-RenameButton').click();
    const input = page.locator('.jp-Dialog input');
    await input.fill(`${BIN}-renamed`);
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Rename' })
      .click();
    await expect(bin.locator('.jp-mlops-ExperimentPage-title')).toHaveText(
      `${BIN}-renamed`
    );
    await expect(row).toContainText(`${BIN}-renamed`);
  });
});
