/**
 * Under JupyterHub (ui-tests/hub_server.py: tests/team's PostgreSQL + S3 MLflow and a hub with alice and
 * bob): alice logs in through the hub's login form, lands on /user/alice/lab, and the MLOps sidebar lists
 * the experiments both users logged to the shared MLflow, with their runs and who started them.
 *
 * Plain Playwright, not Galata's `page` fixture: that fixture talks to a bare Jupyter server at `baseURL`
 * and relies on Galata's in-page helpers, which a hub's single-user server does not load. Screenshots
 * (light and dark) go to test-results/hub-*.png.
 */
import { expect, Page, test } from '@playwright/test';

/** Set by playwright.config.js from hub_server.py's "ready" line. */
const HUB = process.env.MLOPS_HUB_URL ?? '';
const USER = 'alice';
const SIDEBAR_ID = 'jupyterlab-mlops-sidebar';
const SIDEBAR = `#${SIDEBAR_ID}`;
const SHOTS = process.env.MLOPS_SHOTS_DIR || 'test-results';
/** What hub_server.py seeds: experiment -> its creator and its runs (name, user). */
const SEEDED = {
  'churn-model': {
    creator: 'alice',
    runs: [
      ['alice-baseline', 'alice'],
      ['alice-tuned', 'alice'],
      ['bob-review', 'bob']
    ]
  },
  'demand-forecast': {
    creator: 'bob',
    runs: [
      ['bob-arima', 'bob'],
      ['bob-gbm', 'bob']
    ]
  }
};

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(300); // let fonts and the relative times settle
  await page.screenshot({ path: `${SHOTS}/hub-${name}.png` });
}

/** The theme through JupyterLab's own menu, as a user switches it. */
async function setTheme(page: Page, theme: string): Promise<void> {
  await page.locator('.lm-MenuBar-item', { hasText: 'Settings' }).click();
  await page
    .locator('.lm-Menu-item[data-type="submenu"]', { hasText: /^Theme$/ })
    .hover();
  await page
    .locator('.lm-Menu-item[data-command="apputils:change-theme"]', {
      hasText: new RegExp(`^${theme}$`)
    })
    .click();
  await expect(page.locator('body')).toHaveAttribute(
    'data-jp-theme-name',
    theme
  );
}

async function experimentsListed(page: Page): Promise<void> {
  for (const [name, { creator, runs }] of Object.entries(SEEDED)) {
    const item = page.locator(`${SIDEBAR} .jp-mlops-ExperimentItem`, {
      has: page.locator('.jp-mlops-ExperimentItem-name', {
        hasText: new RegExp(`^${name}$`)
      })
    });
    await expect(item.locator('.jp-mlops-ExperimentItem-creator')).toHaveText(
      creator
    );
    await expect(item.locator('.jp-mlops-ExperimentItem-count')).toHaveText(
      `${runs.length} runs`
    );
  }
}

/** The main-area page of an experiment, by its exact name. */
function experimentPage(page: Page, name: string) {
  return page.locator('.jp-mlops-ExperimentPage', {
    has: page.locator('.jp-mlops-ExperimentPage-title', {
      hasText: new RegExp(`^${name}$`)
    })
  });
}

async function openExperiment(page: Page, name: keyof typeof SEEDED) {
  await page
    .locator(`${SIDEBAR} .jp-mlops-ExperimentItem-button`, {
      has: page.locator('.jp-mlops-ExperimentItem-name', {
        hasText: new RegExp(`^${name}$`)
      })
    })
    .click();
  // The experiment's page opens in the main area.
  const rows = experimentPage(page, name).locator('.jp-mlops-Table-row');
  const runs = SEEDED[name].runs;
  await expect(rows).toHaveCount(runs.length);
  for (const [run, user] of runs) {
    const row = rows.filter({
      has: page.locator('.jp-mlops-Table-name', { hasText: run })
    });
    await expect(row.locator('[data-column="user_id"]')).toHaveText(user);
  }
}

test('alice, logged in through the hub, sees both users’ experiments', async ({
  page
}) => {
  test.setTimeout(90000);
  expect(HUB, 'MLOPS_HUB_URL comes from hub_server.py').toMatch(/^http:/);

  // A stranger at alice's lab is sent to the hub's login form (the dummy authenticator).
  await page.goto(`${HUB}/user/${USER}/lab`);
  await expect(page).toHaveURL(/\/hub\/login/);
  await page.locator('#username_input').fill(USER);
  await page.locator('#password_input').fill('any password');
  await page.locator('#login_submit').click();
  await page.waitForURL(new RegExp(`/user/${USER}/lab`), { timeout: 30000 });
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
  // A new user's JupyterLab asks about news first (every run has fresh homes): answer as a user would.
  const news = page.locator('.Toastify__toast', { hasText: 'Jupyter news' });
  await news.getByRole('button', { name: 'No', exact: true }).click();
  await expect(news).toHaveCount(0);
  await setTheme(page, 'JupyterLab Light');

  await page
    .locator(`.jp-SideBar .lm-TabBar-tab[data-id="${SIDEBAR_ID}"]`)
    .click();
  await expect(
    page.locator(`${SIDEBAR} .jp-mlops-StatusBanner[data-health="healthy"]`)
  ).toBeVisible({ timeout: 30000 });
  await experimentsListed(page);
  await shot(page, 'experiments-light');

  // alice's experiment holds a run bob logged: each user sees the other's runs, by name.
  await openExperiment(page, 'churn-model');
  await shot(page, 'runs-light');
  // Who logged each run is in the trailing "User" column: bring it into view.
  await experimentPage(page, 'churn-model')
    .locator('.jp-mlops-Table-row [data-column="user_id"]')
    .first()
    .scrollIntoViewIfNeeded();
  await shot(page, 'runs-users-light');

  await setTheme(page, 'JupyterLab Dark');
  await shot(page, 'runs-dark');
  // The sidebar keeps the experiments list while a page is open.
  await experimentsListed(page);
  await shot(page, 'experiments-dark');
  // bob's own experiment, opened by alice.
  await openExperiment(page, 'demand-forecast');
});
