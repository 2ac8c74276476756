import * as React from 'react';

import { RunStatus } from '../api/types';

const LABELS: Record<RunStatus, string> = {
  RUNNING: 'Running',
  SCHEDULED: 'Scheduled',
  FINISHED: 'Finished',
  FAILED: 'Failed',
  KILLED: 'Killed'
};

/** A run's status as a coloured pill (the colour follows the theme). */
export function StatusBadge(props: {
  status: RunStatus | string;
  compact?: boolean;
}): JSX.Element {
  const status = props.status as RunStatus;
  const label = LABELS[status] ?? props.status;
  return (
    <span
      className={`jp-mlops-StatusBadge jp-mlops-status-${String(
        props.status
      ).toLowerCase()}${props.compact ? ' jp-mod-compact' : ''}`}
      data-status={props.status}
      title={label}
    >
      <span className="jp-mlops-StatusBadge-dot" aria-hidden="true" />
      <span className="jp-mlops-StatusBadge-label">{label}</span>
    </span>
  );
}
