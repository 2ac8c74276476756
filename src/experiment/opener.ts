import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';

import { IExperimentRef } from '../models/mlops';
import {
  createExperimentWidget,
  ExperimentBody,
  IExperimentPageOptions
} from './ExperimentPage';

/** Command that opens an experiment page (registered in commands.ts). */
export const OPEN_EXPERIMENT_COMMAND = 'mlops:open-experiment';

/** An experiment page as a main-area tab. */
export type ExperimentWidget = MainAreaWidget<ExperimentBody>;

/**
 * Opens experiment pages as main-area tabs, one per experiment (opening it
 * again activates it), restored with the layout under the experiment's name.
 */
export class ExperimentPageOpener {
  constructor(options: {
    app: JupyterFrontEnd;
    restorer: ILayoutRestorer | null;
    /** What every page gets besides its experiment. */
    page: Omit<IExperimentPageOptions, 'experiment'>;
  }) {
    this._app = options.app;
    this._page = options.page;
    this.tracker = new WidgetTracker<ExperimentWidget>({
      namespace: 'jupyterlab-mlops-experiment'
    });
    if (options.restorer) {
      void options.restorer.restore(this.tracker, {
        command: OPEN_EXPERIMENT_COMMAND,
        args: widget => {
          const e = widget.content.experiment;
          return {
            backend: e.backend,
            experiment_id: e.experiment_id,
            name: e.name
          };
        },
        name: widget =>
          `${widget.content.experiment.backend}:${widget.content.experiment.experiment_id}`
      });
    }
  }

  readonly tracker: WidgetTracker<ExperimentWidget>;

  /** The page of an experiment, when open. */
  find(backend: string, experimentId: string): ExperimentWidget | undefined {
    return this.tracker.find(
      w =>
        w.content.experiment.backend === backend &&
        w.content.experiment.experiment_id === experimentId
    );
  }

  /** Open (or bring forward) the page of an experiment. */
  async open(experiment: IExperimentRef): Promise<ExperimentWidget> {
    const existing = this.find(experiment.backend, experiment.experiment_id);
    if (existing) {
      this._app.shell.activateById(existing.id);
      return existing;
    }
    const widget = createExperimentWidget({ ...this._page, experiment });
    // The first request leaves before the tab is tracked, added and laid out (100-400 ms on a busy page).
    void widget.content.runs.reload();
    await this.tracker.add(widget);
    this._app.shell.add(widget, 'main');
    this._app.shell.activateById(widget.id);
    return widget;
  }

  private _app: JupyterFrontEnd;
  private _page: Omit<IExperimentPageOptions, 'experiment'>;
}
