/**
 * Seed the embedded MLflow backend through the server extension's proxy
 * (`/jupyterlab-mlops/backends/default/mlflow/...`), the way the stock
 * `mlflow` client pointed at it would.
 */
import { APIRequestContext, expect } from '@playwright/test';
import * as zlib from 'zlib';

const MLFLOW = '/jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow';
const ARTIFACTS =
  '/jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow-artifacts/artifacts';

/** POST a JSON body to an MLflow REST path; returns the JSON answer. */
export async function mlflow(
  request: APIRequestContext,
  path: string,
  body: unknown
): Promise<any> {
  const response = await request.post(`${MLFLOW}/${path}`, { data: body });
  const text = await response.text();
  expect(response.ok(), `${path}: ${response.status()} ${text}`).toBe(true);
  return text ? JSON.parse(text) : {};
}

/** Wait until the embedded backend answers as healthy. */
export async function waitForHealthy(
  request: APIRequestContext,
  timeout = 90000
): Promise<void> {
  const start = Date.now();
  for (;;) {
    const response = await request.get('/jupyterlab-mlops/status');
    if (response.ok()) {
      const status = await response.json();
      if (status.backends?.[0]?.health === 'healthy') {
        return;
      }
    }
    if (Date.now() - start > timeout) {
      throw new Error('The embedded backend did not become healthy');
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}

/** The id of an experiment, created when missing. */
export async function experiment(
  request: APIRequestContext,
  name: string
): Promise<string> {
  const found = await request.get(
    `${MLFLOW}/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`
  );
  if (found.ok()) {
    return (await found.json()).experiment.experiment_id;
  }
  return (await mlflow(request, 'experiments/create', { name })).experiment_id;
}

/** What one seeded run looks like. */
export interface ISeedRun {
  name: string;
  status: 'FINISHED' | 'FAILED' | 'KILLED' | 'RUNNING';
  startTime: number;
  params: Record<string, string>;
  /** Metric key → values by step. */
  metrics: Record<string, number[]>;
  tags?: Record<string, string>;
}

/** Create a run with its params, metric histories and tags; returns its id. */
export async function createRun(
  request: APIRequestContext,
  experimentId: string,
  run: ISeedRun
): Promise<string> {
  const tags = Object.entries({ 'mlflow.user': 'ada', ...run.tags }).map(
    ([key, value]) => ({ key, value })
  );
  const created = await mlflow(request, 'runs/create', {
    experiment_id: experimentId,
    run_name: run.name,
    start_time: run.startTime,
    tags
  });
  const runId: string = created.run.info.run_id;
  const metrics = Object.entries(run.metrics).flatMap(([key, values]) =>
    values.map((value, step) => ({
      key,
      value,
      step,
      timestamp: run.startTime + step * 1000
    }))
  );
  const params = Object.entries(run.params).map(([key, value]) => ({
    key,
    value
  }));
  // MLflow takes at most 1000 metrics per log-batch.
  for (let i = 0; i < Math.max(metrics.length, 1); i += 1000) {
    await mlflow(request, 'runs/log-batch', {
      run_id: runId,
      params: i === 0 ? params : [],
      metrics: metrics.slice(i, i + 1000)
    });
  }
  if (run.status !== 'RUNNING') {
    await mlflow(request, 'runs/update', {
      run_id: runId,
      status: run.status,
      end_time: run.startTime + 60000 + metrics.length * 10
    });
  }
  return runId;
}

/** Upload an artifact file of a run. */
export async function putArtifact(
  request: APIRequestContext,
  experimentId: string,
  runId: string,
  path: string,
  data: Buffer | string,
  contentType: string
): Promise<void> {
  const response = await request.put(
    `${ARTIFACTS}/${experimentId}/${runId}/artifacts/${path}`,
    {
      data: typeof data === 'string' ? Buffer.from(data) : data,
      headers: { 'Content-Type': contentType }
    }
  );
  expect(response.ok(), `PUT ${path}: ${response.status()}`).toBe(true);
}

/** Run `count` jobs with at most `width` at a time. */
export async function pool(
  count: number,
  width: number,
  job: (i: number) => Promise<void>
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      await job(next++);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/** Run i of a sweep: who ran it, what it logged once (step 0), how it ended. */
export interface ISweepRun {
  user: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
  status: 'FINISHED' | 'FAILED';
  /** How long after its start it ended. */
  durationMs: number;
}

/**
 * Seed `count` finished runs named `sweep-00000`.. into an experiment, one
 * a minute, the last one newest (8 at a time through the proxy; ~0.05 s per run).
 */
export async function seedSweep(
  request: APIRequestContext,
  experimentId: string,
  count: number,
  run: (i: number) => ISweepRun
): Promise<void> {
  const start = Date.now() - count * 60000;
  await pool(count, 8, async i => {
    const spec = run(i);
    const time = start + i * 60000;
    const created = await mlflow(request, 'runs/create', {
      experiment_id: experimentId,
      run_name: `sweep-${String(i).padStart(5, '0')}`,
      start_time: time,
      tags: [{ key: 'mlflow.user', value: spec.user }]
    });
    const runId = created.run.info.run_id;
    await mlflow(request, 'runs/log-batch', {
      run_id: runId,
      params: Object.entries(spec.params).map(([key, value]) => ({
        key,
        value
      })),
      metrics: Object.entries(spec.metrics).map(([key, value]) => ({
        key,
        value,
        timestamp: time,
        step: 0
      }))
    });
    await mlflow(request, 'runs/update', {
      run_id: runId,
      status: spec.status,
      end_time: time + spec.durationMs
    });
  });
}

function crc32(bytes: Buffer): number {
  let crc = -1;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) {
      crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
    }
  }
  return (crc ^ -1) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

/** A small RGB PNG (a gradient with a checker pattern). */
export function makePng(width = 160, height = 100): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const checker = (Math.floor(x / 20) + Math.floor(y / 20)) % 2;
      row[1 + x * 3] = Math.round(40 + (200 * x) / width);
      row[2 + x * 3] = Math.round(100 + (120 * y) / height);
      row[3 + x * 3] = checker ? 210 : 90;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0))
  ]);
}
