import {
  ReactWidget,
  refreshIcon,
  tableRowsIcon,
  ToolbarButtonComponent
} from '@jupyterlab/ui-components';
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Message } from '@lumino/messaging';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { IModelRow } from '../api/registry';
import { editSupport } from '../models/edits';
import { IExperimentRef, MlopsModel } from '../models/mlops';
import { BackendPicker } from './BackendPicker';
import { ExperimentsView } from './ExperimentsView';
import { useSignals } from '../common/hooks';
import { mlopsIcon } from '../common/icons';
import { ModelsView } from './ModelsView';
import { StatusBanner } from './StatusBanner';
import { ITab, TabStrip } from '../common/TabStrip';

/** DOM id of the sidebar (also its layout-restorer and Galata key). */
export const SIDEBAR_ID = 'jupyterlab-mlops-sidebar';

/** Commands of other plugins the sidebar runs. */
export const SIDEBAR_COMMANDS = {
  openRegistry: 'mlops:open-registry',
  openModel: 'mlops:open-model',
  createModel: 'mlops:create-model'
} as const;

/** The sidebar's sections. */
export type SidebarSection = 'experiments' | 'models';

const SECTIONS: ITab<SidebarSection>[] = [
  { id: 'experiments', label: 'Experiments' },
  { id: 'models', label: 'Models' }
];

/** What the sidebar needs from the application. */
export interface ISidebarOptions {
  commands: JupyterFrontEnd['commands'];
  /** Open an experiment's page in the main area. */
  openExperiment: (experiment: IExperimentRef) => void;
  /** The experiment whose page is current (highlighted in the list), or null. */
  currentExperiment: () => Pick<
    IExperimentRef,
    'backend' | 'experiment_id'
  > | null;
  /** Emitted when the current experiment page changes. */
  currentChanged: ISignal<unknown, unknown>;
}

function Views(props: {
  model: MlopsModel;
  options: ISidebarOptions;
}): JSX.Element {
  const { model, options } = props;
  useSignals(model.viewChanged, model.statusChanged, options.currentChanged);
  const [section, setSection] = React.useState<SidebarSection>('experiments');
  const backend = model.backend;
  const experiments = model.experiments;
  const current = options.currentExperiment();
  const selected =
    current && current.backend === experiments?.backend
      ? current.experiment_id
      : null;
  const openModel = (row: IModelRow): void =>
    void options.commands.execute(SIDEBAR_COMMANDS.openModel, {
      backend: row.backend,
      name: row.name
    });
  const openRegistry = (): void =>
    void options.commands.execute(SIDEBAR_COMMANDS.openRegistry, {});

  let view: React.ReactNode = null;
  if (section === 'models') {
    view = (
      <ModelsView
        models={model.models}
        showBackend={(model.status?.backends.length ?? 0) > 1}
        onOpenRegistry={openRegistry}
        onOpenModel={openModel}
        onCreateModel={() =>
          void options.commands.execute(SIDEBAR_COMMANDS.createModel, {})
        }
      />
    );
  } else if (experiments) {
    view = (
      <ExperimentsView
        key={experiments.backend}
        model={experiments}
        selected={selected}
        support={editSupport(
          model.status?.backends.find(b => b.name === experiments.backend)
        )}
        onOpen={row =>
          options.openExperiment({
            backend: experiments.backend,
            experiment_id: row.experiment_id,
            name: row.name
          })
        }
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
      <TabStrip<SidebarSection>
        className="jp-mlops-Sections"
        label="MLOps sections"
        tabs={SECTIONS}
        current={section}
        onSelect={setSection}
      />
      <div className="jp-mlops-ViewArea" data-view={section} role="tabpanel">
        {view}
      </div>
    </>
  );
}

/** The left-area panel (navigation): status banner, backend picker, experiments and models. */
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
            icon={tableRowsIcon}
            label="Registry"
            onClick={() =>
              void this._options.commands.execute(
                SIDEBAR_COMMANDS.openRegistry,
                {}
              )
            }
            tooltip="Open the model registry"
            className="jp-mlops-RegistryButton"
          />
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
