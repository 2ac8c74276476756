/**
 * Seed data and page helpers of experimentPage.spec.ts: one small
 * experiment (8 runs, a model version), an empty one and a big one, written
 * through the server's MLflow proxy.
 */
import { galata, expect } from '@jupyterlab/galata';
import { APIRequestContext, Locator } from '@playwright/test';

import { createRun, experiment, mlflow, seedSweep } from './seed';

export const SIDEBAR_ID = 'jupyterlab-mlops-sidebar';
export const SIDEBAR = `#${SIDEBAR_ID}`;
export const REGISTRY = '#jupyterlab-mlops-registry';
export const SHOTS = 'screenshots/issue13';
export const EXP = 'page-e2e';
export const EMPTY = 'page-e2e-empty';
export const BIG = 'page-e2e-many';
/** Runs of the big experiment: past the 1,000 the Performance tab reads (seeding costs ~0.1 s per run). */
export const BIG_RUNS = Number(process.env.MLOPS_UITEST_PAGE_BIG_RUNS || 1100);
export const MODEL = 'page-e2e-model';
export const NAMES = ['ant', 'bee', 'cat', 'dog', 'eel', 'fox', 'gnu', 'hen'];

export const ids: Record<string, string> = {};

/** Final accuracy of run i (logged once); loss falls over 20 steps. */
export const acc = (i: number): number => 0.7 + 0.03 * i;

export async function seed(request: APIRequestContext): Promise<void> {
  ids.exp = await experiment(request, EXP);
  ids.empty = await experiment(request, EMPTY);
  const now = Date.now();
  for (let i = 0; i < NAMES.length; i++) {
    const runId = await createRun(request, ids.exp, {
      name: NAMES[i],
      status: 'FINISHED',
      startTime: now - (NAMES.length - i) * 3600000,
      params: {
        lr: String(0.001 * (i + 1)),
        depth: String(3 + i),
        optimizer: i % 2 ? 'adam' : 'sgd',
        // A value a spreadsheet would run as a formula.
        note: i === 0 ? '=HYPERLINK("http://evil.example")' : `run ${i}`
      },
      metrics: {
        loss: Array.from({ length: 20 }, (_, s) => 1 / (s + 1) + 0.05 * i),
        acc: [acc(i)]
      }
    });
    ids[NAMES[i]] = runId;
  }
  await mlflow(request, 'registered-models/create', { name: MODEL });
  await mlflow(request, 'model-versions/create', {
    name: MODEL,
    source: `runs:/${ids.hen}/model`,
    run_id: ids.hen
  });
}

export async function seedBig(request: APIRequestContext): Promise<void> {
  ids.big = await experiment(request, BIG);
  await seedSweep(request, ids.big, BIG_RUNS, i => ({
    user: 'ada',
    params: { lr: String(((i % 10) + 1) / 1000) },
    metrics: { auc: 0.6 + 0.3 * Math.sin(i / 150) ** 2 + (i % 7) / 100 },
    status: 'FINISHED',
    durationMs: 45000
  }));
}

export async function openSidebar(
  page: galata.IJupyterLabPageFixture
): Promise<void> {
  await page.sidebar.openTab(SIDEBAR_ID);
  await expect(
    page.locator(`${SIDEBAR} .jp-mlops-StatusBanner[data-health="healthy"]`)
  ).toBeVisible({ timeout: 90000 });
}

/** The main-area page of an experiment. */
export function experimentPage(
  page: galata.IJupyterLabPageFixture,
  id: string
): Locator {
  return page.locator(`.jp-mlops-ExperimentPage[data-experiment="${id}"]`);
}

/** Click an experiment in the sidebar and wait for its page. */
export async function openExperiment(
  page: galata.IJupyterLabPageFixture,
  name: string,
  id: string
): Promise<Locator> {
  await openSidebar(page);
  await page
    .locator(`${SIDEBAR} .jp-mlops-ExperimentItem-button`, {
      has: page.locator('.jp-mlops-ExperimentItem-name', {
        hasText: new RegExp(`^${name}$`)
      })
    })
    .click();
  const opened = experimentPage(page, id);
  await expect(opened).toBeVisible();
  return opened;
}

/** Screenshot the whole window in the light, then the dark theme. */
export async function bothThemes(
  page: galata.IJupyterLabPageFixture,
  name: string
): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${SHOTS}/${name}-light.png` });
  await page.theme.setDarkTheme();
  await page.waitForTimeout(800);
  await page.screenshot({ path: `${SHOTS}/${name}-dark.png` });
  await page.theme.setLightTheme();
}
