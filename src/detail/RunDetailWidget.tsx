import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { RunDetailModel } from '../models/detail';
import { mlopsIcon } from '../common/icons';
import { IArtifactActions } from './ArtifactsSection';
import { DetailView } from './DetailView';

/** Options of {@link RunDetailBody}. */
export interface IRunDetailBodyOptions {
  model: RunDetailModel;
  commands: JupyterFrontEnd['commands'];
  experimentName?: string;
  artifacts: IArtifactActions;
  onOpenSource?: (path: string) => void;
}

/**
 * The candidate detail in the main area. It owns its model: the poll runs
 * while the run is live and the tab is visible.
 */
export class RunDetailBody extends ReactWidget {
  constructor(options: IRunDetailBodyOptions) {
    super();
    this._options = options;
    this.model = options.model;
    this.experimentName = options.experimentName;
    this.addClass('jp-mlops-DetailPanel');
    this.model.changed.connect(this._updateTitle, this);
  }

  readonly model: RunDetailModel;
  readonly experimentName?: string;

  protected render(): JSX.Element {
    return (
      <DetailView
        model={this.model}
        commands={this._options.commands}
        experimentName={this._options.experimentName}
        artifacts={this._options.artifacts}
        onOpenSource={this._options.onOpenSource}
      />
    );
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.isVisible = true;
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.isVisible = false;
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.isVisible = this.isVisible;
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.isVisible = false;
    super.onBeforeDetach(msg);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  private _updateTitle(): void {
    const widget = this.parent;
    const info = this.model.detail?.info;
    if (!(widget instanceof MainAreaWidget) || !info) {
      return;
    }
    const name = info.run_name || info.run_id.slice(0, 8);
    widget.title.label = name;
    widget.title.caption = `Candidate ${name} (${info.run_id})${
      this.experimentName ? ` of ${this.experimentName}` : ''
    }, ${this.model.backend}`;
  }

  private _options: IRunDetailBodyOptions;
}

/** The candidate detail as a main-area tab. */
export function createRunDetailWidget(
  options: IRunDetailBodyOptions
): MainAreaWidget<RunDetailBody> {
  const content = new RunDetailBody(options);
  const widget = new MainAreaWidget({ content });
  widget.id = `jp-mlops-run-${options.model.backend}-${options.model.runId}`;
  widget.addClass('jp-mlops-DetailWidget');
  widget.title.icon = mlopsIcon;
  widget.title.label = options.model.runId.slice(0, 8);
  widget.title.caption = `Candidate ${options.model.runId}`;
  widget.title.closable = true;
  return widget;
}
