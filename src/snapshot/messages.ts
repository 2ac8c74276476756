/**
 * Messages of the kernel <-> frontend snapshot protocol (see `protocol.ts`):
 * their shapes, validation, and the lookup of the backend a kernel logs to.
 */
import type { PythonInfo } from '../api/snapshot';

/** Comm target of both directions. */
export const SNAPSHOT_TARGET = 'jupyterlab_mlops.snapshot';
/** Protocol version this frontend speaks. */
export const PROTOCOL = 1;
/** Longest wait for the end of the cell that ended the run. */
export const CELL_END_TIMEOUT_MS = 30000;

/** The kernel's environment, relayed to the snapshot route. */
export interface IKernelEnv {
  packages: Record<string, string>;
  python: PythonInfo;
}

/** `comm_open` data of an automatic snapshot request (kernel -> frontend). */
export interface ISnapshotRequest extends IKernelEnv {
  protocol: number;
  request_id: string;
  run_id: string;
  tracking_uri: string;
  backend: string | null;
  kernel_id: string | null;
  ack_timeout?: number;
}

/** The kernel's answer to `{type: 'active_run'}` (frontend -> kernel). */
export interface IActiveRunInfo extends IKernelEnv {
  type: 'active_run';
  protocol: number;
  run_id: string | null;
  last_run_id: string | null;
  tracking_uri: string;
  backend: string | null;
  kernel_id: string | null;
  auto: boolean;
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' || typeof v === 'number') {
        out[k] = String(v);
      }
    }
  }
  return out;
}

function optString(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null;
}

/** Validate the data of a kernel's `comm_open`; null when it is not a request. */
export function parseRequest(data: unknown): ISnapshotRequest | null {
  if (
    !isRecord(data) ||
    typeof data.request_id !== 'string' ||
    !data.request_id
  ) {
    return null;
  }
  if (typeof data.run_id !== 'string' || !data.run_id) {
    return null;
  }
  return {
    protocol: typeof data.protocol === 'number' ? data.protocol : PROTOCOL,
    request_id: data.request_id,
    run_id: data.run_id,
    tracking_uri:
      typeof data.tracking_uri === 'string' ? data.tracking_uri : '',
    backend: optString(data.backend),
    kernel_id: optString(data.kernel_id),
    packages: stringMap(data.packages),
    python: stringMap(data.python),
    ack_timeout:
      typeof data.ack_timeout === 'number' ? data.ack_timeout : undefined
  };
}

/** Validate the kernel's answer to `active_run`; null when it is not one. */
export function parseActiveRun(data: unknown): IActiveRunInfo | null {
  if (!isRecord(data) || data.type !== 'active_run') {
    return null;
  }
  return {
    type: 'active_run',
    protocol: typeof data.protocol === 'number' ? data.protocol : PROTOCOL,
    run_id: optString(data.run_id),
    last_run_id: optString(data.last_run_id),
    tracking_uri:
      typeof data.tracking_uri === 'string' ? data.tracking_uri : '',
    backend: optString(data.backend),
    kernel_id: optString(data.kernel_id),
    packages: stringMap(data.packages),
    python: stringMap(data.python),
    auto: data.auto !== false
  };
}

/** A backend as `GET status` lists it. */
export interface IBackendLike {
  name: string;
  url: string;
}

/**
 * The server backend a kernel logs to: the kernel's own answer, else the
 * backend whose URL is the tracking URI, else the backend named in a proxy
 * URI `.../jupyterlab-mlops/backends/<name>/mlflow`.
 */
export function matchBackend(
  trackingUri: string,
  backend: string | null,
  backends: IBackendLike[]
): string | null {
  if (backend) {
    return backend;
  }
  const uri = trackingUri.trim().replace(/\/+$/, '');
  if (!uri) {
    return null;
  }
  const byUrl = backends.find(b => b.url.replace(/\/+$/, '') === uri);
  if (byUrl) {
    return byUrl.name;
  }
  const proxy = /\/jupyterlab-mlops\/backends\/([^/]+)\/mlflow$/.exec(uri);
  if (proxy) {
    const name = decodeURIComponent(proxy[1]);
    return backends.length === 0 || backends.some(b => b.name === name)
      ? name
      : null;
  }
  return null;
}
