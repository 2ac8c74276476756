/** Helpers of registry.spec.ts: commands, screenshots, toasts, the promote dialog. */
import { expect, galata } from '@jupyterlab/galata';

/** Where the screenshots go (override when other suites run at the same time: they empty test-results/). */
export const SHOTS = process.env.MLOPS_SHOTS_DIR || 'test-results';

export type Page = galata.IJupyterLabPageFixture;

/** Run a command without waiting for it (the promote command resolves when its dialog closes). */
export async function command(
  page: Page,
  id: string,
  args: unknown = {}
): Promise<void> {
  await page.evaluate(
    ([id, args]) => {
      void (window as any).jupyterapp.commands.execute(id, args);
    },
    [id, args] as [string, unknown]
  );
}

/** A full-page screenshot. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(300); // let charts and fonts settle
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

/** The notification toast with this text. */
export function toast(page: Page, text: string | RegExp) {
  return page.locator('.Toastify__toast').filter({ hasText: text });
}

/** Type a model name in the open promote dialog and wait for its check. */
export async function fillPromote(
  page: Page,
  model: string,
  expectStatus: RegExp
) {
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('.jp-mlops-PromoteForm')).toBeVisible();
  await dialog.locator('input[name="model"]').fill(model);
  await expect(dialog.getByTestId('name-status')).toContainText(expectStatus);
  return dialog;
}
