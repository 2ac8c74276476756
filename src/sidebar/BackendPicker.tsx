import { HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IBackendStatus } from '../api/types';

/** Choose which backend the sidebar shows; rendered only with several. */
export function BackendPicker(props: {
  backends: readonly IBackendStatus[];
  value: string;
  onChange: (name: string) => void;
}): JSX.Element | null {
  if (props.backends.length < 2) {
    return null;
  }
  const options = props.backends.map(b => ({
    value: b.name,
    label: `${b.name} (${b.kind === 'gitlab' ? 'GitLab' : 'MLflow'}${
      b.health === 'healthy' ? '' : `, ${b.health}`
    })`
  }));
  return (
    <label className="jp-mlops-BackendPicker">
      <span className="jp-mlops-BackendPicker-label">Backend</span>
      <HTMLSelect
        className="jp-mlops-BackendPicker-select"
        value={props.value}
        options={options}
        onChange={event => props.onChange(event.currentTarget.value)}
        aria-label="Backend"
      />
    </label>
  );
}
