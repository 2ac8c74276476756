import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import { ServerConnection } from '@jupyterlab/services';
import { Message } from '@lumino/messaging';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { getExperimentSummary } from '../api/endpoints';
import { RunDetailModel } from '../models/detail';
import { IEditSupport } from '../models/edits';
import { mlopsIcon } from '../common/icons';
import { IArtifactActions } from './ArtifactsSection';
import { DetailView } from './DetailView';

/** Options of {@link RunDetailBody}. */
export interface IRunDetailBodyOptions {
  model: RunDetailModel;
  commands: JupyterFrontEnd['commands'];
  experimentName?: string;
  /** The run's name when known before loading (the first title). */
  runName?: string;
  artifacts: IArtifactActions;
  onOpenSource?: (path: string) => void;
  /** Server settings of the experiment name lookup (the page's by default). */
  serverSettings?: ServerConnection.ISettings;
  /** What the run's backend lets the user edit, asked at each render. */
  support?: () => IEditSupport;
  /** The server status changed (what can be edited may have). */
  statusChanged?: ISignal<unknown, unknown>;
}

/** The name of an experiment, or undefined when it cannot be read. */
async function experimentName(
  backend: string,
  experimentId: string,
  settings?: ServerConnection.ISettings
): Promise<string | undefined> {
  try {
    return (await getExperimentSummary(backend, experimentId, false, settings))
      .name;
  } catch {
    return undefined; // the detail shows the experiment's id instead
  }
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
    this._experimentName = options.experimentName;
    this.runName = options.runName;
    this.addClass('jp-mlops-DetailPanel');
    this.model.changed.connect(this._onChanged, this);
    options.statusChanged?.connect(this._onStatus, this);
  }

  readonly model: RunDetailModel;
  /** The run's name given when opened (the model's once loaded wins). */
  readonly runName?: string;

  /** The experiment's name: given when opened, else looked up once. */
  get experimentName(): string | undefined {
    return this._experimentName;
  }

  protected render(): JSX.Element {
    return (
      <DetailView
        model={this.model}
        commands={this._options.commands}
        experimentName={this._experimentName}
        artifacts={this._options.artifacts}
        onOpenSource={this._options.onOpenSource}
        support={this._options.support?.()}
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
    this._options.statusChanged?.disconnect(this._onStatus, this);
    this.model.dispose();
    super.dispose();
  }

  private _onStatus(): void {
    this.update();
  }

  private _onChanged(): void {
    this._updateTitle();
    const info = this.model.detail?.info;
    if (info && !this._experimentName && !this._lookingUp) {
      this._lookingUp = true;
      void experimentName(
        this.model.backend,
        info.experiment_id,
        this._options.serverSettings
      ).then(name => {
        if (name && !this.isDisposed) {
          this._experimentName = name;
          this._updateTitle();
          this.update();
        }
      });
    }
  }

  private _updateTitle(): void {
    const widget = this.parent;
    const info = this.model.detail?.info;
    if (!(widget instanceof MainAreaWidget) || !info) {
      return;
    }
    const name = info.run_name || info.run_id.slice(0, 8);
    widget.title.label = name;
    widget.title.caption = `Run ${name} (ID ${info.run_id})${
      this._experimentName ? ` of experiment ${this._experimentName}` : ''
    }, backend ${this.model.backend}`;
  }

  private _experimentName?: string;
  private _lookingUp = false;
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
  widget.title.label = options.runName || options.model.runId.slice(0, 8);
  widget.title.caption = `Run ${options.runName ?? ''} (ID ${options.model.runId})`;
  widget.title.closable = true;
  return widget;
}
