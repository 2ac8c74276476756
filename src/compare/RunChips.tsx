/** Header chips: one per run (colour, label, promote, remove). */
import { closeIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ICompareRun } from '../api/compare';
import { CopyId } from '../common/CopyId';
import { WriteBlocked, writeTitle } from '../models/capabilities';
import { runColor } from './colors';

/** Props of {@link RunChips}. */
export interface IRunChipsProps {
  runs: ICompareRun[];
  /** Removing is refused below this many runs. */
  minRuns: number;
  onRemove: (run: ICompareRun) => void;
  onPromote: (run: ICompareRun) => void;
  /** Why a run's backend cannot write (its Promote is then off), or null. */
  writeBlocked?: WriteBlocked;
}

/** The compared runs as removable chips. */
export function RunChips(props: IRunChipsProps): JSX.Element {
  const canRemove = props.runs.length > props.minRuns;
  return (
    <ul className="jp-mlops-RunChips" aria-label="Compared runs">
      {props.runs.map((run, i) => {
        const blocked = props.writeBlocked?.(run.backend) ?? null;
        return (
          <li
            key={`${run.backend}:${run.run_id}`}
            className="jp-mlops-RunChip"
            style={{ borderColor: runColor(i) }}
            data-run-id={run.run_id}
          >
            <span
              className="jp-mlops-RunSwatch"
              style={{ background: runColor(i) }}
              aria-hidden="true"
            />
            <span
              className="jp-mlops-RunChip-label"
              title={`${run.label}\nrun ID ${run.run_id}\nbackend ${run.backend}, experiment ${run.experiment_id}, ${run.status}`}
            >
              {run.label}
            </span>
            <CopyId id={run.run_id} what="run ID" />
            <button
              type="button"
              className="jp-mlops-LinkButton jp-mlops-RunChip-promote"
              disabled={!!blocked}
              title={writeTitle(
                blocked,
                `Promote ${run.label} to a model version`
              )}
              onClick={() => props.onPromote(run)}
            >
              Promote
            </button>
            <ToolbarButtonComponent
              icon={closeIcon}
              className="jp-mlops-RunChip-remove"
              tooltip={
                canRemove
                  ? `Remove ${run.label} from the comparison`
                  : `A comparison needs at least ${props.minRuns} runs`
              }
              enabled={canRemove}
              onClick={() => props.onRemove(run)}
            />
          </li>
        );
      })}
    </ul>
  );
}
