/**
 * Save an open notebook and attach its snapshot to a run, telling the user
 * how it went (one notification, updated in place).
 */
import type {
  ISnapshotResult,
  ISnapshotRunRef,
  ITakeSnapshotRequest
} from '../api/snapshot';
import { errorMessage } from '../common/errors';
import { formatBytes, plural } from '../common/format';
import { IKernelEnv, ISnapshotNotebook } from './protocol';

/** A notification that can be updated (JupyterLab's `Notification` fits through an adapter). */
export interface INotifier {
  /** Show an in-progress message; returns its id. */
  progress(message: string): string;
  update(
    id: string,
    type: 'success' | 'info' | 'warning' | 'error',
    message: string
  ): void;
}

/** Everything {@link snapshotNotebook} calls out to. */
export interface ITakeDeps {
  post(
    ref: ISnapshotRunRef,
    body: ITakeSnapshotRequest
  ): Promise<ISnapshotResult>;
  notifier: INotifier;
}

/** "3 secrets", "1 cell". */
function count(n: number, word: string): string {
  return `${n} ${plural(n, word)}`;
}

/** One line for the outcome of a snapshot. */
export function describeResult(result: ISnapshotResult): string {
  if (!result.uploaded) {
    return 'unchanged (already uploaded)';
  }
  const notes: string[] = [];
  const scrubbed = Object.values(result.scrubbed ?? {}).reduce(
    (a, b) => a + b,
    0
  );
  if (scrubbed) {
    notes.push(`${count(scrubbed, 'secret')} scrubbed`);
  }
  if (result.excluded_cells) {
    notes.push(`${count(result.excluded_cells, 'cell')} excluded`);
  }
  if (result.outputs_truncated || result.outputs_dropped) {
    notes.push(
      `${count(result.outputs_truncated + result.outputs_dropped, 'large output')} left out`
    );
  }
  return `uploaded (${formatBytes(result.size)}${notes.length ? `; ${notes.join(', ')}` : ''})`;
}

/** The last take of each notebook path: takes of one notebook run one after another. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Run `job` after the earlier jobs of `key` have settled. JupyterLab's saves
 * of one document must not overlap: a second save finds the file the first
 * one just wrote, raises "File Changed" and waits on that dialog, so the run
 * it was for never got its snapshot (five `%%mlops run` cells ending within a
 * second under Run All).
 */
export function oneAtATime<T>(key: string, job: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.then(job, job);
  const settled = next.then(
    () => undefined,
    () => undefined
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) {
      queues.delete(key);
    }
  });
  return next;
}

/** Route errors when the kernel's session does not lead to the notebook. */
const SESSION_ERRORS = ['no_session', 'notebook_not_found', 'not_a_notebook'];

/**
 * Save the notebook, then POST the snapshot (the server reads the saved file
 * through the kernel's session). When saving fails (read-only file...), the
 * live model is sent instead. Takes of one notebook run one at a time (each
 * run gets the notebook as saved after it). `runName`, when known, names the
 * run in the notification (else its short id). Rejects with a readable error.
 */
export async function snapshotNotebook(
  nb: ISnapshotNotebook,
  ref: ISnapshotRunRef,
  env: IKernelEnv,
  deps: ITakeDeps,
  runName?: string
): Promise<ISnapshotResult> {
  const run = runName ? `"${runName}"` : ref.run_id.slice(0, 8);
  const what = `Snapshot of ${nb.name} for run ${run}`;
  const id = deps.notifier.progress(`${what}…`);
  return oneAtATime(nb.path, () => saveAndPost(nb, ref, env, deps, what, id));
}

async function saveAndPost(
  nb: ISnapshotNotebook,
  ref: ISnapshotRunRef,
  env: IKernelEnv,
  deps: ITakeDeps,
  what: string,
  id: string
): Promise<ISnapshotResult> {
  try {
    const body: ITakeSnapshotRequest = {
      packages: env.packages,
      python: env.python
    };
    let saved = true;
    try {
      await nb.save();
    } catch (error) {
      saved = false;
      console.warn(
        `jupyterlab_mlops: cannot save ${nb.path}; sending the live notebook`,
        error
      );
    }
    if (saved && nb.kernelId) {
      body.kernel_id = nb.kernelId;
      body.path = nb.path;
    } else {
      body.path = nb.path;
      body.content = nb.toJSON();
    }
    let result: ISnapshotResult;
    try {
      result = await deps.post(ref, body);
    } catch (error) {
      // The server could not find the notebook through the kernel's session:
      // the frontend knows the saved file's path, read that one.
      if (
        !body.kernel_id ||
        !SESSION_ERRORS.includes((error as { code?: string }).code ?? '')
      ) {
        throw error;
      }
      const byPath = { ...body };
      delete byPath.kernel_id;
      result = await deps.post(ref, byPath);
    }
    deps.notifier.update(
      id,
      result.uploaded ? 'success' : 'info',
      `${what}: ${describeResult(result)}`
    );
    return result;
  } catch (error) {
    const message = errorMessage(error);
    deps.notifier.update(id, 'error', `${what} failed: ${message}`);
    throw new Error(message);
  }
}
