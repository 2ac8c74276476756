/**
 * Sidebar = navigation, main area = work (issue 13, item 2): the sidebar's
 * Experiments and Models sections, the experiment page with its Candidates
 * (full-width table, sort, filter, selection, CSV export) and Performance
 * tabs, keyboard navigation, one tab per experiment. Real JupyterLab, the
 * real embedded MLflow backend, seeded through the server's proxy.
 * Screenshots: ui-tests/screenshots/issue13/.
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';

import { deleteExperiment } from './cleanup';
import {
  BIG,
  BIG_RUNS,
  bothThemes,
  EMPTY,
  EXP,
  experimentPage,
  ids,
  MODEL,
  NAMES,
  openExperiment,
  openSidebar,
  REGISTRY,
  seed,
  seedBig,
  SHOTS,
  SIDEBAR
} from './experimentPageSeed';
import { waitForHealthy } from './seed';

test.describe.configure({ mode: 'serial' });

test.describe('Experiment page', () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test.afterAll(async ({ playwright }) => {
    for (const name of [EXP, EMPTY, BIG]) {
      await deleteExperiment(playwright, name);
    }
    const request = await playwright.request.newContext({
      baseURL: `http://127.0.0.1:${process.env.JLAB_PORT || '8888'}`
    });
    await request.delete(
      '/jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow/registered-models/delete',
      { data: { name: MODEL } }
    );
    await request.dispose();
  });

  test('seed the backend', async ({ request }) => {
    test.setTimeout(900000);
    await waitForHealthy(request);
    const t0 = Date.now();
    await seed(request);
    await seedBig(request);
    console.log(
      `seeded ${NAMES.length} + ${BIG_RUNS} runs in ${((Date.now() - t0) / 1000).toFixed(1)} s`
    );
  });

  test('sidebar: experiments and models sections, the registry in one click', async ({
    page
  }) => {
    await openSidebar(page);
    const items = page.locator(`${SIDEBAR} .jp-mlops-ExperimentItem`);
    await expect(items.filter({ hasText: EXP }).first()).toBeVisible();
    await expect(
      items.filter({
        has: page.locator('.jp-mlops-ExperimentItem-name', {
          hasText: new RegExp(`^${EXP}$`)
        })
      })
    ).toContainText('8 runs');
    await bothThemes(page, 'sidebar-experiments');

    // The registry: one click from the sidebar's header.
    await page.locator(`${SIDEBAR} .jp-mlops-RegistryButton`).click();
    await expect(page.locator(REGISTRY)).toBeVisible();

    // The Models section lists the models; a click opens one.
    await page.locator(`${SIDEBAR} .jp-mlops-Tab[data-tab="models"]`).click();
    const model = page.locator(
      `${SIDEBAR} .jp-mlops-ModelItem[data-model="${MODEL}"]`
    );
    await expect(model).toContainText('v1');
    await bothThemes(page, 'sidebar-models');
    await model.locator('button').click();
    await expect(page.locator(REGISTRY)).toContainText(MODEL);
  });

  test('an experiment opens as a page; opened twice, it is one tab', async ({
    page
  }) => {
    const opened = await openExperiment(page, EXP, ids.exp);
    await expect(opened.locator('.jp-mlops-ExperimentPage-title')).toHaveText(
      EXP
    );
    await expect(opened.locator('.jp-mlops-Table-row')).toHaveCount(8);
    // The tab is titled with the name, and the sidebar highlights it.
    const tab = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
      hasText: EXP
    });
    await expect(tab).toHaveCount(1);
    await expect(
      page.locator(`${SIDEBAR} .jp-mlops-ExperimentItem.jp-mod-selected`)
    ).toContainText(EXP);

    // Again from the sidebar, then by the command: still one tab.
    await openExperiment(page, EXP, ids.exp);
    await page.evaluate(
      name =>
        (window as any).jupyterapp.commands.execute('mlops:open-experiment', {
          name
        }),
      EXP
    );
    await expect(experimentPage(page, ids.exp)).toHaveCount(1);
    await expect(tab).toHaveCount(1);
  });

  test('closed and opened again: the rows it had, at once, until the answer', async ({
    page
  }) => {
    const opened = await openExperiment(page, EXP, ids.exp);
    await expect(opened.locator('.jp-mlops-Table-row')).toHaveCount(8);
    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('application:close-all')
    );
    await expect(opened).toHaveCount(0);

    // The page's requests are held: what it paints comes from what it remembered.
    let release = (): void => undefined;
    const held = new Promise<void>(resolve => (release = resolve));
    const runs = new RegExp(`/experiments/${ids.exp}/runs\\?`);
    let asked = 0;
    await page.route(runs, async route => {
      asked++;
      await held;
      await route.continue();
    });
    const again = await openExperiment(page, EXP, ids.exp);
    await expect(again.locator('.jp-mlops-Table-row')).toHaveCount(8);
    const progress = again.locator(
      '.jp-mlops-CandidatesView .jp-mlops-ProgressBar'
    );
    await expect(progress).toHaveClass(/jp-mod-active/);
    expect(asked).toBeGreaterThan(0);
    await bothThemes(page, 'experiment-reopened');

    // The answer comes: the same rows, the progress bar stops.
    release();
    await expect(progress).not.toHaveClass(/jp-mod-active/);
    await expect(again.locator('.jp-mlops-Table-row')).toHaveCount(8);
    await page.unroute(runs);
  });

  test('candidates: full width, sort, filter, select, CSV export', async ({
    page
  }) => {
    const opened = await openExperiment(page, EXP, ids.exp);
    const rows = opened.locator('.jp-mlops-Table-row');
    const names = opened.locator('.jp-mlops-Table-row .jp-mlops-Table-name');
    await expect(rows).toHaveCount(8);
    // Full width: the data columns and the trailing ones are in view.
    for (const column of ['status', 'start_time', 'user_id']) {
      await expect(
        opened.locator(`.jp-mlops-Table-head[data-column="${column}"]`)
      ).toBeInViewport();
    }
    // The sticky Name column does not cover the next one.
    const nameBox = await opened
      .locator('.jp-mlops-Table-head[data-column="run_name"]')
      .boundingBox();
    const statusBox = await opened
      .locator('.jp-mlops-Table-head[data-column="status"]')
      .boundingBox();
    expect(nameBox!.x + nameBox!.width).toBeLessThanOrEqual(statusBox!.x + 1);
    await bothThemes(page, 'experiment-candidates');

    // Sort by acc ascending (first click on a metric: descending).
    const acc = opened.locator(
      '.jp-mlops-Table-head[data-column="metrics.acc"] button'
    );
    await acc.click();
    await expect(names.first()).toHaveText('hen');
    await acc.click();
    await expect(names).toHaveText(NAMES);

    // Filter.
    const filter = opened.locator('.jp-mlops-FilterBox input');
    await filter.fill('metrics.acc > 0.84');
    await filter.press('Enter');
    await expect(names).toHaveText(['fox', 'gnu', 'hen']);

    // Select, then export the rows shown: the filtered three, in order.
    await rows.nth(0).locator('input[type=checkbox]').check();
    await rows.nth(2).locator('input[type=checkbox]').check();
    await expect(opened.locator('.jp-mlops-SelectionBar-count')).toContainText(
      '2 selected'
    );
    await expect(opened.locator('.jp-mlops-CompareButton')).toBeEnabled();
    const enabled = await page.evaluate(() => {
      const commands = (window as any).jupyterapp.commands;
      return [
        commands.isEnabled('mlops:compare-selected'),
        commands.isEnabled('mlops:promote-selected')
      ];
    });
    expect(enabled).toEqual([true, false]);
    const downloading = page.waitForEvent('download');
    await opened.locator('.jp-mlops-CsvButton').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(
      /^page-e2e-candidates-\d{4}-\d{2}-\d{2}\.csv$/
    );
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toMatch(
      /^backend,run_id,run_name,experiment_id,status,start_time,end_time,user,/
    );
    expect(lines[0]).toContain('metric:acc');
    expect(lines.slice(1).map(l => l.split(',')[2])).toEqual([
      'fox',
      'gnu',
      'hen'
    ]);
    expect(lines[1]).toContain(ids.fox);

    // CSV injection: the whole table, the formula cell defused.
    await opened.locator('.jp-mlops-FilterBox-clear').click();
    await expect(rows).toHaveCount(8);
    await opened.locator('.jp-mlops-ColumnsButton').click();
    await opened
      .locator('.jp-mlops-ColumnChooser-item', { hasText: 'note' })
      .locator('input')
      .check();
    await opened
      .locator('.jp-mlops-ColumnChooser button', { hasText: 'Apply' })
      .click();
    await expect(
      opened.locator('.jp-mlops-Table-head[data-column="params.note"]')
    ).toBeVisible();
    const again = page.waitForEvent('download');
    await opened.locator('.jp-mlops-CsvButton').click();
    const all = fs.readFileSync((await (await again).path())!, 'utf8');
    expect(all).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(all).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  test('candidates: a scroll cue when columns overflow', async ({ page }) => {
    await page.setViewportSize({ width: 900, height: 700 });
    const opened = await openExperiment(page, EXP, ids.exp);
    const frame = opened.locator('.jp-mlops-TableFrame');
    await expect(frame).toHaveAttribute('data-overflow-right', 'true');
    const cue = opened.locator('.jp-mlops-Table-cue');
    await expect(cue).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/experiment-scroll-cue-light.png` });
    await cue.click();
    await expect(frame).toHaveAttribute('data-overflow-left', 'true');
    // Scrolled: the sticky name column stays, with a shadow edge.
    await expect(
      opened.locator('.jp-mlops-Table-head[data-column="run_name"]')
    ).toBeInViewport();
    await page.waitForTimeout(400);
    await page.screenshot({
      path: `${SHOTS}/experiment-scrolled-light.png`
    });
  });

  test('keyboard: arrows move, Enter opens, Space selects', async ({
    page
  }) => {
    await openSidebar(page);
    // Experiments list: arrows move between experiments, Enter opens.
    const buttons = page.locator(`${SIDEBAR} .jp-mlops-ExperimentItem-button`);
    await buttons.first().focus();
    const target = buttons.filter({
      has: page.locator('.jp-mlops-ExperimentItem-name', {
        hasText: new RegExp(`^${EXP}$`)
      })
    });
    for (let i = 0; i < 10; i++) {
      if (await target.evaluate(el => el === document.activeElement)) {
        break;
      }
      await page.keyboard.press('ArrowDown');
    }
    await expect(target).toBeFocused();
    await page.keyboard.press('Enter');
    const opened = experimentPage(page, ids.exp);
    await expect(opened.locator('.jp-mlops-Table-row')).toHaveCount(8);

    // Table: arrows move the focused row, Space checks it, Enter opens it.
    const rows = opened.locator('.jp-mlops-Table-row');
    await rows.first().focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(rows.nth(2)).toBeFocused();
    await page.keyboard.press('Space');
    await expect(rows.nth(2)).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('ArrowUp');
    await expect(rows.nth(1)).toBeFocused();
    const name = await rows
      .nth(1)
      .locator('.jp-mlops-Table-name')
      .textContent();
    await page.keyboard.press('Enter');
    await expect(
      page.locator(
        '.jp-mlops-Detail[data-state="ready"] .jp-mlops-Detail-title'
      )
    ).toHaveText(name!);

    // Models list: arrows and Enter too.
    await page.locator(`${SIDEBAR} .jp-mlops-Tab[data-tab="models"]`).click();
    const model = page.locator(
      `${SIDEBAR} .jp-mlops-ModelItem[data-model="${MODEL}"] button`
    );
    await expect(model).toBeVisible();
    await page.locator(`${SIDEBAR} .jp-mlops-ModelItem button`).first().focus();
    for (let i = 0; i < 10; i++) {
      if (await model.evaluate(el => el === document.activeElement)) {
        break;
      }
      await page.keyboard.press('ArrowDown');
    }
    await expect(model).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.locator(REGISTRY)).toContainText(MODEL);
  });

  test('performance: chosen metrics per candidate, over time and over candidates', async ({
    page
  }) => {
    const opened = await openExperiment(page, EXP, ids.exp);
    await opened.locator('.jp-mlops-Tab[data-tab="performance"]').click();
    const accChart = opened.locator(
      '.jp-mlops-PerformanceChart[data-metric="acc"]'
    );
    await expect(accChart.locator('canvas').first()).toBeVisible();
    await expect(accChart).toContainText('8 candidates');
    await expect(accChart).toContainText('max 0.91');
    await expect(opened.locator('.jp-mlops-Performance-scope')).toContainText(
      'Latest values of 8 runs'
    );
    // A second metric: two charts.
    await opened
      .locator('.jp-mlops-MetricPicker-item[data-metric="loss"]')
      .click();
    await expect(
      opened.locator('.jp-mlops-PerformanceChart[data-metric="loss"] canvas')
    ).toHaveCount(1);
    await bothThemes(page, 'experiment-performance');
    await opened
      .locator('.jp-mlops-Segmented-item[data-axis="candidates"]')
      .click();
    await expect(accChart.locator('.jp-mlops-LineChart')).toHaveAttribute(
      'data-mode',
      'both'
    );
    await page.waitForTimeout(300);
    await page.screenshot({
      path: `${SHOTS}/experiment-performance-candidates-light.png`
    });
  });

  test('empty experiment and error states', async ({ page }) => {
    const empty = await openExperiment(page, EMPTY, ids.empty);
    await expect(
      empty.locator('.jp-mlops-NoMatch[data-empty="runs"]')
    ).toBeVisible();
    await empty.locator('.jp-mlops-Tab[data-tab="performance"]').click();
    await expect(
      empty.locator('.jp-mlops-Performance-empty[data-empty="runs"]')
    ).toBeVisible();
    await empty.locator('.jp-mlops-Tab[data-tab="candidates"]').click();
    await bothThemes(page, 'experiment-empty');

    // The backend fails: the page says so and offers a retry.
    await page.route(/\/experiments\/[^/]+\/runs\?/, route =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          message: 'Backend default is unreachable: connection refused',
          reason: 'ConnectionRefusedError',
          error: 'backend_unreachable'
        })
      })
    );
    const failed = await openExperiment(page, EXP, ids.exp);
    await expect(failed.locator('.jp-mlops-ErrorBox')).toContainText(
      'unreachable'
    );
    await failed.locator('.jp-mlops-Tab[data-tab="performance"]').click();
    await expect(
      failed.locator('[data-panel="performance"] .jp-mlops-ErrorBox')
    ).toContainText('unreachable');
    await failed.locator('.jp-mlops-Tab[data-tab="candidates"]').click();
    await bothThemes(page, 'experiment-error');
    await page.unroute(/\/experiments\/[^/]+\/runs\?/);
  });

  test(`${BIG_RUNS} runs: the table pages, Performance reads the newest 1,000`, async ({
    page
  }) => {
    const opened = await openExperiment(page, BIG, ids.big);
    await expect(
      opened.locator('.jp-mlops-CandidatesView-count')
    ).toContainText(`${BIG_RUNS.toLocaleString('en-US')} runs`);
    await expect(
      opened.locator('.jp-mlops-Table-row .jp-mlops-Table-name').first()
    ).toHaveText(`sweep-${String(BIG_RUNS - 1).padStart(5, '0')}`);
    await bothThemes(page, 'experiment-many-candidates');
    const t0 = Date.now();
    await opened.locator('.jp-mlops-Tab[data-tab="performance"]').click();
    const chart = opened.locator(
      '.jp-mlops-PerformanceChart[data-metric="auc"]'
    );
    await expect(chart.locator('canvas').first()).toBeVisible();
    console.log(
      `performance of ${BIG_RUNS} runs painted in ${Date.now() - t0} ms`
    );
    await expect(chart).toContainText('1,000 candidates');
    await expect(opened.locator('.jp-mlops-Performance-scope')).toContainText(
      'newest 1,000 runs'
    );
    await bothThemes(page, 'experiment-many-performance');
  });
});
