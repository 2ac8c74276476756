/**
 * "Diff with which run?": recent runs of the same experiment in a dialog,
 * or a run id typed by hand (`<run_id>` or `<backend>:<run_id>`).
 */
import { InputDialog } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';

import { getRun, listRuns } from '../api/endpoints';
import type { ISnapshotRunRef } from '../api/snapshot';
import {
  IRunChoice,
  oldestFirst,
  parseRunChoice,
  runChoices
} from './runChoice';

/**
 * Ask which run to diff `ref` with; returns both runs oldest first, or null
 * when the user cancels.
 */
export async function pickOtherRun(
  ref: ISnapshotRunRef,
  settings: ServerConnection.ISettings
): Promise<[ISnapshotRunRef, ISnapshotRunRef] | null> {
  let choices: IRunChoice[] = [];
  let start: number | null = null;
  try {
    const run = await getRun(ref.backend, ref.run_id, settings);
    start = run.info.start_time;
    const page = await listRuns(
      ref.backend,
      run.info.experiment_id,
      { maxResults: 30, orderBy: ['attributes.start_time DESC'] },
      settings
    );
    choices = runChoices(ref.backend, page.runs, ref.run_id);
  } catch (error) {
    console.warn('jupyterlab_mlops: cannot list the runs to diff with', error);
  }
  const result = await InputDialog.getItem({
    title: `Diff the snapshot of run ${ref.run_id.slice(0, 8)} with…`,
    label: choices.length
      ? 'A recent run of the same experiment, or type a run id (backend:run_id for another backend):'
      : 'Run id (backend:run_id for another backend):',
    items: choices.map(c => c.label),
    current: 0,
    editable: true,
    placeholder: 'run id'
  });
  if (!result.button.accept || result.value === null) {
    return null;
  }
  const other = parseRunChoice(result.value, choices, ref.backend);
  if (!other) {
    return null;
  }
  const otherStart =
    choices.find(c => c.ref.run_id === other.run_id)?.start_time ?? null;
  return oldestFirst(
    { ...ref, start_time: start },
    { ...other, start_time: otherStart }
  );
}
