/**
 * "Diff with which run?": the runs of the same experiment that have a
 * snapshot, in a dialog (RunPicker.tsx), or a run id typed by hand.
 */
import { Dialog } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';

import { getRun, listRuns } from '../api/endpoints';
import {
  hasSnapshot,
  SNAPSHOT_SHA_TAG,
  type ISnapshotRunRef
} from '../api/snapshot';
import { errorMessage } from '../common/errors';
import { RunPicker } from './RunPicker';
import { IRunChoice, oldestFirst, runChoices } from './runChoice';
import { toast } from '../common/notify';

/** Runs of the experiment looked at (the newest first). */
export const PICKER_RUNS = 200;

/** The runs with both their names, oldest first, for the diff. */
export interface IPickedPair {
  runs: [ISnapshotRunRef, ISnapshotRunRef];
  /** Run id → name, for the runs whose names are known. */
  names: Record<string, string>;
}

/**
 * Ask which run to diff `ref` with; returns both runs oldest first, or null
 * when the user cancels or `ref` has no snapshot (then a message says so).
 */
export async function pickOtherRun(
  ref: ISnapshotRunRef,
  settings: ServerConnection.ISettings
): Promise<IPickedPair | null> {
  let choices: IRunChoice[] = [];
  let start: number | null = null;
  let name = ref.run_id.slice(0, 8);
  let note = '';
  try {
    const run = await getRun(ref.backend, ref.run_id, settings);
    start = run.info.start_time;
    name = run.info.run_name || name;
    if (!hasSnapshot(run.tags, run.artifacts.files)) {
      toast.info(
        `Run "${name}" has no notebook snapshot to diff. Open the notebook that made it and use ` +
          '"Attach the open notebook" in the run\'s Notebook snapshot section.',
        { autoClose: 10000 }
      );
      return null;
    }
    const page = await listRuns(
      ref.backend,
      run.info.experiment_id,
      {
        maxResults: PICKER_RUNS,
        orderBy: ['attributes.start_time DESC'],
        columns: [`tags.${SNAPSHOT_SHA_TAG}`]
      },
      settings
    );
    choices = runChoices(ref.backend, page.runs, ref.run_id);
    if (!choices.length) {
      note = `No other run of the ${PICKER_RUNS} newest in this experiment has a notebook snapshot.`;
    }
  } catch (error) {
    note = `Cannot list the runs of this experiment: ${errorMessage(error)}`;
  }
  const body = new RunPicker(choices, ref.backend, note);
  const dialog = new Dialog<ISnapshotRunRef | null>({
    title: `Diff the snapshot of "${name}" with…`,
    body,
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Diff' })],
    focusNodeSelector: choices.length
      ? '.jp-mlops-RunPicker-list'
      : '.jp-mlops-RunPicker-typed input'
  });
  dialog.addClass('jp-mlops-RunPickerDialog');
  body.onChoose = () => dialog.resolve(1);
  const result = await dialog.launch();
  const other = result.button.accept ? result.value : null;
  if (!other) {
    return null;
  }
  const chosen = choices.find(c => c.ref.run_id === other.run_id);
  const names: Record<string, string> = { [ref.run_id]: name };
  if (chosen) {
    names[other.run_id] = chosen.name;
  }
  return {
    runs: oldestFirst(
      { ...ref, start_time: start },
      { ...other, start_time: chosen?.start_time ?? null }
    ),
    names
  };
}
