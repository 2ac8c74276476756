import {
  ReactWidget,
  refreshIcon,
  ToolbarButtonComponent
} from '@jupyterlab/ui-components';
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { MlopsModel } from '../models/mlops';
import { writeBlockedReason } from '../models/capabilities';
import { BackendPicker } from './BackendPicker';
import { CandidatesView } from './CandidatesView';
import { ExperimentsView } from './ExperimentsView';
import { formatCount, plural } from '../common/format';
import { useSignals } from '../common/hooks';
import { mlopsIcon } from '../common/icons';
import { StatusBanner } from './StatusBanner';

/** DOM id of the sidebar (also its layout-restorer and Galata key). */
export const SIDEBAR_ID = 'jupyterlab-mlops-sidebar';

/** What the sidebar needs from the application. */
export interface ISidebarOptions {
  commands: JupyterFrontEnd['commands'];
  /** Open a candidate's detail. */
  openRun: (backend: string, runId: string, experimentName?: string) => void;
  /** Keep these columns as the default of every experiment (settings). */
  saveDefaultColumns?: (columns: string[]) => void;
}

function Views(props: {
  model: MlopsModel;
  options: ISidebarOptions;
}): JSX.Element {
  const { model, options } = props;
  useSignals(model.viewChanged, model.statusChanged);
  const backend = model.backend;
  const runs = model.runs;
  const experiments = model.experiments;
  const experimentName = runs?.experimentName;
  const openRun = React.useCallback(
    (backend: string, runId: string) =>
      options.openRun(backend, runId, experimentName),
    [options, experimentName]
  );
  let view: React.ReactNode = null;
  if (runs) {
    const summary = experiments?.summary(runs.experimentId);
    view = (
      <CandidatesView
        key={`${runs.backend}/${runs.experimentId}`}
        model={runs}
        commands={options.commands}
        countText={
          summary
            ? `${formatCount(summary.run_count, summary.run_count_exact)} ${plural(
                summary.run_count,
                'run'
              )}`
            : ''
        }
        onBack={() => model.closeExperiment()}
        onOpenRun={openRun}
        onSaveDefaultColumns={options.saveDefaultColumns}
        writeBlocked={writeBlockedReason(backend)}
      />
    );
  } else if (experiments) {
    view = (
      <ExperimentsView
        key={experiments.backend}
        model={experiments}
        onOpen={row => model.openExperiment(row)}
      />
    );
  }
  return (
    <>
      <StatusBanner state={model.state} commands={options.commands} />
      {backend && model.status && (
        <BackendPicker
          backends={model.status.backends}
          value={backend.name}
          onChange={name => model.selectBackend(name)}
        />
      )}
      <div className="jp-mlops-ViewArea" data-view={model.view}>
        {view}
      </div>
    </>
  );
}

/** The left-area panel: status banner, backend picker, experiments, candidates. */
export class SidebarWidget extends ReactWidget {
  constructor(model: MlopsModel, options: ISidebarOptions) {
    super();
    this._model = model;
    this._options = options;
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
      <div className="jp-mlops-SidebarPanel">
        <header className="jp-mlops-Header">
          <h2 className="jp-mlops-Header-title">MLOps</h2>
          <ToolbarButtonComponent
            icon={refreshIcon}
            onClick={() => void this._model.refresh()}
            tooltip="Refresh"
            className="jp-mlops-RefreshButton"
          />
        </header>
        <Views model={this._model} options={this._options} />
      </div>
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
  private _options: ISidebarOptions;
}
