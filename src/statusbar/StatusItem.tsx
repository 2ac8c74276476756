/**
 * The MLOps item of JupyterLab's status bar: the default backend's health
 * (with its name) and the log points kernels have spooled while the backend
 * was away. Clicking it opens the MLOps sidebar. It renders the status the
 * {@link MlopsModel} already polls (no second poll).
 */
import { GroupItem, TextItem } from '@jupyterlab/statusbar';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IBackendStatus } from '../api/types';
import { useSignals } from '../common/hooks';
import { mlopsIcon } from '../common/icons';
import { MlopsModel } from '../models/mlops';

/** What the item shows: a health word, a dot colour and a tooltip. */
export interface IStatusSummary {
  /** `healthy`, `starting`, `unreachable`, `failed`, or `connecting` / `missing` before a status. */
  health: string;
  /** The text of the item, e.g. `default: healthy`. */
  text: string;
  /** Points waiting in the spool (0: not shown). */
  spooled: number;
  /** The whole story, for the tooltip. */
  tooltip: string;
}

const CLICK_HINT = 'Click to open the MLOps sidebar.';

function backendLine(b: IBackendStatus): string {
  const kind = `${b.kind}${b.embedded ? ', embedded' : ''}`;
  return `MLOps backend ${b.name} (${kind}): ${b.health}${b.message ? ` (${b.message})` : ''}.`;
}

/** The summary of the model's current state (pure: tested without a browser). */
export function summarize(model: MlopsModel): IStatusSummary {
  const state = model.state;
  if (state.phase === 'connecting') {
    return {
      health: 'connecting',
      text: 'MLOps: connecting…',
      spooled: 0,
      tooltip: `Waiting for the MLOps server extension. ${CLICK_HINT}`
    };
  }
  if (state.phase !== 'ready') {
    const missing = state.phase === 'missing';
    return {
      health: missing ? 'missing' : 'unreachable',
      text: missing ? 'MLOps: not installed' : 'MLOps: no answer',
      spooled: 0,
      tooltip: `${state.error.message} ${CLICK_HINT}`
    };
  }
  const spooled = state.status.spool.depth;
  const backend = model.defaultBackend;
  const spoolLine = spooled
    ? ` ${spooled} log point${spooled === 1 ? '' : 's'} wait${spooled === 1 ? 's' : ''} in the kernels' spool until the backend takes them.`
    : '';
  if (!backend) {
    return {
      health: 'failed',
      text: 'MLOps: no backend',
      spooled,
      tooltip: `No backend is configured.${spoolLine} ${CLICK_HINT}`
    };
  }
  return {
    health: backend.health,
    text: `${backend.name}: ${backend.health}`,
    spooled,
    tooltip: `${backendLine(backend)}${spoolLine} ${CLICK_HINT}`
  };
}

/** The item's content. */
export function StatusItemView(props: {
  model: MlopsModel;
  onClick: () => void;
}): JSX.Element {
  useSignals(props.model.statusChanged);
  const summary = summarize(props.model);
  return (
    <GroupItem
      spacing={4}
      className="jp-mlops-StatusItem"
      data-health={summary.health}
      title={summary.tooltip}
      onClick={props.onClick}
    >
      <mlopsIcon.react tag="span" stylesheet="statusBar" />
      <span className="jp-mlops-StatusItem-dot" aria-hidden="true" />
      <TextItem source={summary.text} />
      {summary.spooled > 0 && (
        <TextItem
          className="jp-mlops-StatusItem-spool"
          source={`· ${summary.spooled.toLocaleString()} spooled`}
        />
      )}
    </GroupItem>
  );
}

/** The status-bar widget. */
export class StatusItem extends ReactWidget {
  constructor(
    private readonly _model: MlopsModel,
    private readonly _onClick: () => void
  ) {
    super();
    this.addClass('jp-mod-highlighted'); // JupyterLab's look of a clickable item
    this.addClass('jp-mlops-StatusItemWidget');
    this.title.caption = 'MLOps backend status';
  }

  protected render(): JSX.Element {
    return <StatusItemView model={this._model} onClick={this._onClick} />;
  }
}
