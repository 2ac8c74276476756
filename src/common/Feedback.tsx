import { Button, errorIcon } from '@jupyterlab/ui-components';
import * as React from 'react';
import { MlopsApiError } from './errors';

/** A spinner with a short text, for a list or a panel that is loading. */
export function Loading(props: { text: string }): JSX.Element {
  return (
    <div className="jp-mlops-Loading" role="status" aria-live="polite">
      <span className="jp-mlops-Spinner" aria-hidden="true" />
      <span>{props.text}</span>
    </div>
  );
}

/** A thin indeterminate bar over a list that reloads with its rows shown. */
export function ProgressBar(props: { active: boolean }): JSX.Element {
  return (
    <div
      className={`jp-mlops-ProgressBar${props.active ? ' jp-mod-active' : ''}`}
      aria-hidden="true"
    />
  );
}

/** An error in place: what failed, the server's reason, and a retry. */
export function ErrorBox(props: {
  title: string;
  error: MlopsApiError;
  onRetry?: () => void;
  compact?: boolean;
}): JSX.Element {
  const { error } = props;
  return (
    <div
      className={`jp-mlops-ErrorBox${props.compact ? ' jp-mod-compact' : ''}`}
      role="alert"
      data-error={error.code}
      data-status={error.status}
    >
      <div className="jp-mlops-ErrorBox-title">
        <errorIcon.react tag="span" className="jp-mlops-ErrorBox-icon" />
        <span>{props.title}</span>
      </div>
      <div className="jp-mlops-ErrorBox-message">{error.message}</div>
      {error.reason && error.reason !== error.message && (
        <div className="jp-mlops-ErrorBox-reason">{error.reason}</div>
      )}
      {props.onRetry && (
        <Button
          small
          minimal
          className="jp-mlops-ErrorBox-retry"
          onClick={props.onRetry}
        >
          Retry
        </Button>
      )}
    </div>
  );
}

/** A quiet one-line note (e.g. "filtered by the extension"). */
export function Note(props: {
  children: React.ReactNode;
  title?: string;
  kind?: string;
}): JSX.Element {
  return (
    <div className="jp-mlops-Note" title={props.title} data-note={props.kind}>
      {props.children}
    </div>
  );
}
