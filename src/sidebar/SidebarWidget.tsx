import {
  ReactWidget,
  refreshIcon,
  ToolbarButtonComponent,
  UseSignal
} from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { IBackendStatus } from '../api/types';
import { MlopsModel, ServerState } from '../model';
import { ExperimentsArea } from './EmptyState';
import { mlopsIcon } from './icons';
import { StatusBanner } from './StatusBanner';

/** DOM id of the sidebar (also its layout-restorer and Galata key). */
export const SIDEBAR_ID = 'jupyterlab-mlops-sidebar';

function SidebarPanel(props: {
  state: ServerState;
  backend: IBackendStatus | null;
  onRefresh: () => void;
}): JSX.Element {
  return (
    <div className="jp-mlops-SidebarPanel">
      <header className="jp-mlops-Header">
        <h2 className="jp-mlops-Header-title">MLOps</h2>
        <ToolbarButtonComponent
          icon={refreshIcon}
          onClick={props.onRefresh}
          tooltip="Refresh"
          className="jp-mlops-RefreshButton"
        />
      </header>
      <StatusBanner state={props.state} />
      <ExperimentsArea backend={props.backend} />
    </div>
  );
}

/** The left-area panel: status banner and (later) the experiments list. */
export class SidebarWidget extends ReactWidget {
  constructor(model: MlopsModel) {
    super();
    this._model = model;
    this.id = SIDEBAR_ID;
    this.addClass('jp-mlops-Sidebar');
    this.title.icon = mlopsIcon;
    this.title.caption = 'MLOps';
  }

  get model(): MlopsModel {
    return this._model;
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this._model.statusChanged}>
        {() => (
          <SidebarPanel
            state={this._model.state}
            backend={this._model.defaultBackend}
            onRefresh={() => void this._model.refresh()}
          />
        )}
      </UseSignal>
    );
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._model.isVisible = this.isVisible;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._model.isVisible = true;
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._model.isVisible = false;
  }

  protected onBeforeDetach(msg: Message): void {
    this._model.isVisible = false;
    super.onBeforeDetach(msg);
  }

  private _model: MlopsModel;
}
