/** P7 actions in our UI (JupyterLab + jupyterlab_mlops): the sidebar, the experiment page, compare, a run. */
'use strict';
const { rowText, scrolledTo, chartsDrawn } = require('./p7_signals');

const SIDEBAR = '#jupyterlab-mlops-sidebar';
const ROWS = '.jp-mlops-Table-row';

const pageOf = id => `.jp-mlops-ExperimentPage[data-experiment="${id}"]`;

/** JupyterLab loaded, the MLOps sidebar open on a healthy backend. */
async function load(page, ui, data) {
  await page.goto(ui.url);
  await page.waitForFunction(
    () => window.jupyterapp && window.jupyterapp.started !== undefined
  );
  await page.evaluate(() => window.jupyterapp.restored);
  await page.evaluate(() =>
    window.jupyterapp.shell.activateById('jupyterlab-mlops-sidebar')
  );
  await page
    .locator(`${SIDEBAR} .jp-mlops-StatusBanner[data-health="healthy"]`)
    .waitFor({ timeout: 120000 });
}

/** Open an experiment's page by its command (not timed) and wait for its first row. */
async function openPage(page, exp, first) {
  await page.evaluate(
    e =>
      window.jupyterapp.commands.execute('mlops:open-experiment', {
        backend: 'default',
        experiment_id: e.id,
        name: e.name
      }),
    exp
  );
  await page.waitForFunction(rowText, {
    rows: `${pageOf(exp.id)} ${ROWS}`,
    attr: 'data-index',
    index: 0,
    name: first
  });
}

async function run(page, t, ui, d) {
  const r = {};
  await page.evaluate(() =>
    window.jupyterapp.commands.execute('application:close-all')
  );
  await page.evaluate(() =>
    window.jupyterapp.shell.activateById('jupyterlab-mlops-sidebar')
  );
  const exp = pageOf(d.exp.id);
  const item = page.locator(`${SIDEBAR} .jp-mlops-ExperimentItem-button`, {
    has: page.locator('.jp-mlops-ExperimentItem-name', {
      hasText: new RegExp(`^${d.exp.name}$`)
    })
  });
  await item.waitFor();
  await t.arm();
  await item.click();
  const first = { rows: `${exp} ${ROWS}`, attr: 'data-index', name: d.first };
  r.first_rows = await t.until(rowText, { ...first, index: 0 });

  const head = page.locator(
    `${exp} .jp-mlops-Table-head[data-column="metrics.${d.sortMetric}"] button`
  );
  await head.scrollIntoViewIfNeeded();
  await t.arm();
  await head.click();
  r.sort_metric = await t.until(rowText, {
    ...first,
    index: 0,
    name: d.sortTop
  });

  const filter = page.locator(`${exp} .jp-mlops-FilterBox input`);
  await filter.fill(d.filter);
  await t.arm();
  await filter.press('Enter');
  r.filter = await t.until(rowText, { ...first, index: 0, name: d.filterTop });

  await openPage(page, d.compare, d.compare.first);
  const cmp = pageOf(d.compare.id);
  await page
    .locator(`${cmp} .jp-mlops-Table-header input[type=checkbox]`)
    .check();
  const button = page.locator(`${cmp} .jp-mlops-CompareButton`);
  await t.arm();
  await button.click();
  r.compare_curves = await t.until(chartsDrawn, {
    root: '.jp-mlops-CompareWidget',
    card: '.jp-mlops-CurveCard',
    drawn: 'canvas',
    per: 1,
    total: d.compare.metrics
  });

  await openPage(page, d.long, d.long.first);
  const row = page.locator(
    `${pageOf(d.long.id)} ${ROWS}[data-index="0"] .jp-mlops-Table-name`
  );
  await t.arm();
  await row.click();
  r.run_charts = await t.until(chartsDrawn, {
    root: '.jp-mlops-Detail[data-state="ready"]',
    card: '.jp-mlops-MetricCard',
    drawn: 'canvas',
    per: 1,
    total: d.long.metrics
  });

  // last, on a fresh visit in the default order: past row 5,000 the table is heavy for what follows
  await page.evaluate(() =>
    window.jupyterapp.commands.execute('application:close-all')
  );
  await openPage(page, d.exp, d.first);
  await t.start();
  r.scroll_5000 = await t.until(
    scrolledTo,
    {
      scroller: `${exp} .jp-mlops-Table`,
      rows: `${exp} ${ROWS}`,
      attr: 'data-index',
      index: d.scrollTo - 1
    },
    d.scrollLimit
  );
  return r;
}

/** Idle: the sidebar's experiments list and one experiment page open (and the status bar), nothing changing. */
async function idle(page, ui, d) {
  await load(page, ui, d);
  await openPage(page, d.compare, d.compare.first);
}

module.exports = { load, run, idle };
