/**
 * Seed data for registry.spec.ts, written through the server extension's
 * MLflow proxy (the same route the stock mlflow client uses) with
 * Playwright's `request` fixture: one experiment, three finished runs with
 * params, metric histories and a tiny pyfunc model (no sklearn: a
 * `loader_module` shipped in the model's `code/` directory).
 */
import { APIRequestContext, expect } from '@playwright/test';

/** The backend's tracking URI behind the server extension's proxy. */
function trackingUri(backend: string): string {
  return `/jupyterlab-mlops/backends/${backend}/mlflow`;
}

/** A param value that would run script if it were rendered as HTML. */
export const XSS = '<img src=x onerror="window.__mlopsXss=1">';

/** Lineage tags of every seeded run. */
export const REPO = 'https://gitlab.example.com/data/churn.git';
export const COMMIT = '4f2c9e1b7a3d5c6e8f0a1b2c3d4e5f6a7b8c9d0e';
export const SNAPSHOT =
  'a3f1c2d4e5b6a7980112233445566778899aabbccddeeff00112233445566778';

/** A seeded run. */
export interface ISeededRun {
  backend: string;
  run_id: string;
  name: string;
  loss: number;
}

const MLMODEL = `flavors:
  python_function:
    loader_module: mlops_demo_model
    code: code
    data: data/model.json
    env: {}
mlflow_version: 3.0.0
`;

const LOADER = `import json


class LinearModel:
    def __init__(self, weights):
        self.weights = weights

    def predict(self, rows, params=None):
        w = self.weights
        return [sum(w.get(k, 0.0) * float(v) for k, v in row.items()) + w.get("bias", 0.0) for row in rows]


def _load_pyfunc(path):
    with open(path) as f:
        return LinearModel(json.load(f))
`;

async function post(
  request: APIRequestContext,
  path: string,
  data: unknown,
  backend = 'default'
): Promise<any> {
  const response = await request.post(
    `${trackingUri(backend)}/api/2.0/mlflow/${path}`,
    { data }
  );
  expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
  return response.json();
}

/** Wait until the embedded MLflow backend answers. */
export async function waitHealthy(
  request: APIRequestContext,
  timeout = 90000
): Promise<void> {
  await expect
    .poll(
      async () => {
        const response = await request.get('/jupyterlab-mlops/status');
        return response.ok()
          ? (await response.json()).backends?.[0]?.health
          : 'down';
      },
      { timeout, intervals: [1000] }
    )
    .toBe('healthy');
}

/** Three runs: `lr` and `optimizer` differ, `depth` is the same; the second has the lowest loss. */
export async function seedRuns(
  request: APIRequestContext,
  experiment: string,
  backend = 'default'
): Promise<ISeededRun[]> {
  const { experiment_id } = await post(
    request,
    'experiments/create',
    { name: experiment },
    backend
  );
  const specs = [
    { name: 'bold-fox', lr: '0.1', optimizer: 'sgd', final: 0.42 },
    { name: 'calm-owl', lr: '0.01', optimizer: 'adam', final: 0.21 },
    { name: 'keen-elk', lr: '0.001', optimizer: 'adam', final: 0.33 }
  ];
  const runs: ISeededRun[] = [];
  const t0 = Date.now() - 600000;
  for (const [i, spec] of specs.entries()) {
    const { run } = await post(
      request,
      'runs/create',
      { experiment_id, run_name: spec.name, start_time: t0 + i * 1000 },
      backend
    );
    const runId: string = run.info.run_id;
    const metrics = [];
    for (let step = 0; step < 60; step++) {
      const progress = step / 59;
      metrics.push({
        key: 'loss',
        value:
          spec.final +
          (1 - spec.final) * Math.exp(-5 * progress) +
          0.01 * Math.sin(step + i),
        timestamp: t0 + i * 1000 + step * 2000,
        step
      });
      metrics.push({
        key: 'accuracy',
        value: 1 - spec.final / 2 - 0.4 * Math.exp(-4 * progress),
        timestamp: t0 + i * 1000 + step * 2000,
        step
      });
    }
    // The last point of loss is exactly `final`, so the best run is known.
    metrics.push({
      key: 'loss',
      value: spec.final,
      timestamp: t0 + i * 1000 + 130000,
      step: 60
    });
    await post(
      request,
      'runs/log-batch',
      {
        run_id: runId,
        params: [
          { key: 'lr', value: spec.lr },
          { key: 'optimizer', value: spec.optimizer },
          { key: 'depth', value: '5' },
          // Markup in a value must show as text, never as HTML.
          ...(i === 0 ? [{ key: 'note', value: XSS }] : [])
        ],
        metrics,
        // Lineage as the kernel-side logger records it (git, notebook snapshot).
        tags: [
          { key: 'mlflow.source.git.repoURL', value: REPO },
          { key: 'mlflow.source.git.commit', value: COMMIT },
          { key: 'mlops.snapshot.sha256', value: SNAPSHOT }
        ]
      },
      backend
    );
    const root = String(run.info.artifact_uri).replace(
      /^mlflow-artifacts:\//,
      ''
    );
    const files: [string, string][] = [
      ['MLmodel', MLMODEL],
      ['code/mlops_demo_model.py', LOADER],
      ['data/model.json', JSON.stringify({ x: 2.0, bias: spec.final })]
    ];
    for (const [path, text] of files) {
      const url = `${trackingUri(backend)}/api/2.0/mlflow-artifacts/artifacts/${root}/${path}`;
      const response = await request.put(url, {
        data: Buffer.from(text),
        headers: { 'Content-Type': 'application/octet-stream' }
      });
      expect(
        response.status(),
        `upload ${path}: ${await response.text()}`
      ).toBeLessThan(300);
    }
    await post(
      request,
      'runs/update',
      { run_id: runId, status: 'FINISHED', end_time: t0 + i * 1000 + 140000 },
      backend
    );
    runs.push({
      backend,
      run_id: runId,
      name: spec.name,
      loss: spec.final
    });
  }
  return runs;
}
