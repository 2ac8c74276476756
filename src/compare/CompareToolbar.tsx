/** The compare tab's options: differences only, transposed, x axis, CSV, reload. */
import {
  Button,
  downloadIcon,
  HTMLSelect,
  refreshIcon,
  ToolbarButtonComponent
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { CompareX } from '../api/compare';

/** Props of {@link CompareToolbar}. */
export interface ICompareToolbarProps {
  onlyDiff: boolean;
  onOnlyDiff: (value: boolean) => void;
  transposed: boolean;
  onTransposed: (value: boolean) => void;
  x: CompareX;
  onX: (value: CompareX) => void;
  onExport: () => void;
  onReload: () => void;
}

/** The controls in the compare header. */
export function CompareToolbar(props: ICompareToolbarProps): JSX.Element {
  return (
    <div className="jp-mlops-Controls">
      <label className="jp-mlops-Check">
        <input
          type="checkbox"
          checked={props.onlyDiff}
          onChange={e => props.onOnlyDiff(e.currentTarget.checked)}
        />
        Differences only
      </label>
      <label className="jp-mlops-Check">
        <input
          type="checkbox"
          checked={props.transposed}
          onChange={e => props.onTransposed(e.currentTarget.checked)}
        />
        One row per run
      </label>
      <label>
        x axis
        <HTMLSelect
          aria-label="x axis of the metric curves"
          value={props.x}
          onChange={e => props.onX(e.currentTarget.value as CompareX)}
          options={[
            { value: 'step', label: 'Step' },
            { value: 'time', label: 'Wall time' },
            { value: 'relative', label: 'Time since start' }
          ]}
        />
      </label>
      <Button
        className="jp-mlops-CsvButton"
        onClick={props.onExport}
        title="Download the table as CSV (one row per run)"
      >
        <downloadIcon.react tag="span" className="jp-mlops-ButtonIcon" />
        Export CSV
      </Button>
      <ToolbarButtonComponent
        icon={refreshIcon}
        tooltip="Reload"
        onClick={props.onReload}
      />
    </div>
  );
}
