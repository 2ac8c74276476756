/** P7 actions in MLflow's own UI (served by the same `mlflow server`): its runs page, chart view, run page. */
'use strict';
const { rowText, scrolledTo, chartsDrawn } = require('./p7_signals');

const ROWS = '.ag-row';
const CARD = '[data-testid="experiment-view-compare-runs-card"]';

/** The experiments list in "Model training" mode (MLflow 3 asks once per browser). */
async function load(page, ui) {
  await page.goto(`${ui.url}/#/experiments`);
  await page.getByText('Model training', { exact: true }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/experiments'));
}

/** Go to an experiment's runs table (not timed) and wait for its first row. */
async function openRuns(page, ui, exp) {
  await page.evaluate(h => {
    location.hash = h;
  }, `#/experiments/${exp.id}/runs`);
  await page.waitForFunction(rowText, {
    rows: ROWS,
    attr: 'row-index',
    index: 0,
    name: exp.first
  });
}

async function run(page, t, ui, d) {
  const r = {};
  // a new load (a goto that changes only the hash is not one): MLflow's page keeps the thousands of rows the
  // last scroll loaded, scrolled away from row 0 (warm = the server's and the HTTP cache)
  await page.goto('about:blank');
  await page.goto(`${ui.url}/#/experiments`);
  const link = page
    .getByRole('link', { name: d.exp.name, exact: true })
    .first();
  await link.waitFor();
  await t.arm();
  await link.click();
  const first = { rows: ROWS, attr: 'row-index', name: d.first };
  r.first_rows = await t.until(rowText, { ...first, index: 0 });

  await page.getByTestId('sort-select-dropdown').click();
  const option = page.getByTestId(`sort-select-${d.sortMetric}`);
  await option.waitFor();
  await t.arm();
  await option.click();
  r.sort_metric = await t.until(rowText, {
    ...first,
    index: 0,
    name: d.sortTop
  });
  await page.keyboard.press('Escape');

  const search = page.locator('input[placeholder*="metrics.rmse"]');
  await search.fill(d.filter);
  await t.arm();
  await search.press('Enter');
  r.filter = await t.until(rowText, { ...first, index: 0, name: d.filterTop });

  await openRuns(page, ui, d.compare);
  const chart = page.locator('label', {
    has: page.locator('input[name="runs-view-mode"][value="CHART"]')
  });
  await t.arm();
  await chart.click();
  r.compare_curves = await t.until(chartsDrawn, {
    root: 'body',
    card: CARD,
    drawn: 'path.js-line',
    per: d.compare.runs,
    total: d.compare.metrics
  });
  // back to the table, the view this mode is kept in for the next visit
  await page
    .locator('label', {
      has: page.locator('input[name="runs-view-mode"][value="TABLE"]')
    })
    .click();

  await openRuns(page, ui, d.long);
  await t.start();
  await page.evaluate(h => {
    location.hash = h;
  }, `#/experiments/${d.long.id}/runs/${d.long.run}/model-metrics`);
  r.run_charts = await t.until(chartsDrawn, {
    root: 'body',
    card: CARD,
    drawn: 'path.js-line',
    per: 1,
    total: 1 // MLflow keeps only the cards near the view in the DOM
  });

  // last, on a fresh visit in the default order (the URL also resets what MLflow keeps per experiment)
  await page.evaluate(h => {
    location.hash = h;
  }, `#/experiments/${d.exp.id}/runs?searchFilter=&orderByKey=attributes.start_time&orderByAsc=false`);
  await page.waitForFunction(rowText, { ...first, index: 0 });
  await t.start();
  r.scroll_5000 = await t.until(
    scrolledTo,
    {
      scroller: '.ag-body-viewport',
      rows: `.ag-center-cols-container ${ROWS}`,
      attr: 'row-index',
      index: d.scrollTo - 1,
      more: 'Load more'
    },
    d.scrollLimit
  );
  // leave the heavy table: the next visit starts from the experiments list
  await page.evaluate(() => {
    location.hash = '#/experiments';
  });
  return r;
}

module.exports = { load, run };
