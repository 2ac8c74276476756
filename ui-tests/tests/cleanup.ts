import type { PlaywrightWorkerArgs } from '@playwright/test';

/** Delete an experiment the specs made (mlops.spec.ts expects the embedded backend's empty state). */
export async function deleteExperiment(
  playwright: PlaywrightWorkerArgs['playwright'],
  name: string
): Promise<void> {
  const request = await playwright.request.newContext({
    baseURL: `http://127.0.0.1:${process.env.JLAB_PORT || '8888'}`
  });
  const found = await request.get(
    `/jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow/experiments/get-by-name?experiment_name=${name}`
  );
  if (found.ok()) {
    const id = (await found.json()).experiment.experiment_id;
    await request.post(
      '/jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow/experiments/delete',
      { data: { experiment_id: id } }
    );
  }
  await request.dispose();
}
