/**
 * The embedded backend recovers (issue 14, item 8): its MLflow child is killed
 * until the automatic restart budget is spent, the sidebar shows the failed
 * banner with the cause and "Restart backend", and the button brings the
 * backend back without restarting JupyterLab.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SIDEBAR_ID = 'jupyterlab-mlops-sidebar';
const BANNER = `#${SIDEBAR_ID} .jp-mlops-StatusBanner`;
const DATA =
  process.env.MLOPS_UITEST_DATA ||
  path.join(
    os.tmpdir(),
    `jupyterlab-mlops-uitest-${process.env.JLAB_PORT || '8888'}`
  );
const START_TIMEOUT = 90000;

/** The pid of the embedded server's current child (from its lock file). */
function childPid(): number {
  const lock = JSON.parse(
    fs.readFileSync(path.join(DATA, 'server.json'), 'utf8')
  );
  return Number(lock.pid);
}

async function killUntilFailed(page: galata.IJupyterLabPageFixture) {
  const failed = page.locator(`${BANNER}[data-health="failed"]`);
  for (let kill = 1; kill <= 6; kill++) {
    const pid = childPid();
    process.kill(-pid, 'SIGKILL'); // its process group
    await expect
      .poll(() => childPid() !== pid || failed.isVisible(), {
        timeout: 30000
      })
      .toBe(true);
  }
  await expect(failed).toBeVisible({ timeout: 30000 });
  return failed;
}

test('a failed embedded backend is restarted from the banner', async ({
  page
}) => {
  test.setTimeout(300000);
  await page.sidebar.openTab(SIDEBAR_ID);
  await expect(page.locator(`${BANNER}[data-health="healthy"]`)).toBeVisible({
    timeout: START_TIMEOUT
  });
  const failed = await killUntilFailed(page);
  await expect(failed).toContainText('after 5 restarts in 10 min');
  await expect(failed).not.toContainText('GET /health');
  const restart = failed.locator('.jp-mlops-StatusBanner-restart');
  await expect(restart).toBeVisible();
  const sidebar = page.locator(`#${SIDEBAR_ID}`);
  await sidebar.screenshot({ path: 'test-results/recovery-failed-light.png' });
  await page.theme.setDarkTheme();
  await sidebar.screenshot({ path: 'test-results/recovery-failed-dark.png' });

  await failed.locator('.jp-mlops-StatusBanner-log').click();
  const dialog = page.locator('.jp-Dialog .jp-mlops-LogDialog');
  await expect(dialog).toContainText('mlflow-server.log');
  await expect(dialog).not.toContainText('(the log is empty)');
  await page.screenshot({ path: 'test-results/recovery-log-dialog-dark.png' });
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await page.theme.setLightTheme();

  await restart.click();
  await expect(page.locator(`${BANNER}[data-health="healthy"]`)).toBeVisible({
    timeout: START_TIMEOUT
  });
});
