/** Candidates-table rows for the frontend tests. */
import { IRunRow } from '../api/types';

/** The `i`-th run of experiment 7: finished, newest first, `lr` and `loss` set. */
export function runRow(i: number): IRunRow {
  return {
    run_id: `r${i}`,
    run_name: `run-${i}`,
    status: 'FINISHED',
    start_time: 1700000000000 - i * 1000,
    end_time: 1700000000000 - i * 1000 + 500,
    user_id: 'ada',
    experiment_id: '7',
    params: { lr: '0.01' },
    metrics: { loss: 1 / (i + 1) },
    tags: {}
  };
}
