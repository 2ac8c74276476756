import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import {
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';

import { IFileInfo } from '../api/types';
import { ArtifactsDrive } from './artifacts/drive';
import { downloadArtifactFile, openArtifact } from './artifacts/open';
import { MlopsModel } from '../models/mlops';
import { createRunDetailWidget, RunDetailBody } from './RunDetailWidget';

/** Command that opens a candidate (registered in commands.ts). */
export const OPEN_RUN_COMMAND = 'mlops:open-run';

/** What opens a candidate: its backend, run id and (for the title) experiment. */
export interface IOpenRunArgs {
  backend: string;
  run_id: string;
  experiment_name?: string;
}

/**
 * Opens candidate details as main-area tabs (one per run, re-activated when
 * open again) and restores them with the layout.
 */
export class RunDetailOpener {
  constructor(options: {
    app: JupyterFrontEnd;
    model: MlopsModel;
    drive: ArtifactsDrive;
    restorer: ILayoutRestorer | null;
  }) {
    this._app = options.app;
    this._model = options.model;
    this._drive = options.drive;
    this.tracker = new WidgetTracker<MainAreaWidget<RunDetailBody>>({
      namespace: 'jupyterlab-mlops-run'
    });
    if (options.restorer) {
      void options.restorer.restore(this.tracker, {
        command: OPEN_RUN_COMMAND,
        args: widget => ({
          backend: widget.content.model.backend,
          run_id: widget.content.model.runId,
          experiment_name: widget.content.experimentName ?? ''
        }),
        name: widget =>
          `${widget.content.model.backend}:${widget.content.model.runId}`
      });
    }
  }

  readonly tracker: WidgetTracker<MainAreaWidget<RunDetailBody>>;

  /** Open (or bring forward) the detail of a run. */
  async open(args: IOpenRunArgs): Promise<MainAreaWidget<RunDetailBody>> {
    const existing = this.tracker.find(
      w =>
        w.content.model.backend === args.backend &&
        w.content.model.runId === args.run_id
    );
    if (existing) {
      this._app.shell.activateById(existing.id);
      void existing.content.model.load();
      return existing;
    }
    const model = this._model.createRunDetail(args.backend, args.run_id);
    const widget = createRunDetailWidget({
      model,
      commands: this._app.commands,
      experimentName: args.experiment_name || undefined,
      artifacts: {
        open: file => this._openArtifact(args, file),
        download: file =>
          downloadArtifactFile(this._drive, {
            backend: args.backend,
            runId: args.run_id,
            path: file.path
          }),
        icon: path =>
          this._app.docRegistry.getFileTypesForPath(PathExt.basename(path))[0]
            ?.icon
      },
      onOpenSource: path =>
        void this._app.commands.execute('docmanager:open', { path })
    });
    await this.tracker.add(widget);
    this._app.shell.add(widget, 'main');
    this._app.shell.activateById(widget.id);
    void model.load();
    return widget;
  }

  private async _openArtifact(
    args: IOpenRunArgs,
    file: IFileInfo
  ): Promise<void> {
    const outcome = await openArtifact(this._app, this._drive, {
      backend: args.backend,
      runId: args.run_id,
      path: file.path,
      size: file.file_size
    });
    if (outcome === 'downloaded') {
      Notification.info(
        `${PathExt.basename(file.path)} has no viewer in JupyterLab (or is too big): it was downloaded.`,
        { autoClose: 5000 }
      );
    }
  }

  private _app: JupyterFrontEnd;
  private _drive: ArtifactsDrive;
  private _model: MlopsModel;
}
