import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';

import { IFileInfo } from '../api/types';
import { ArtifactsDrive } from './artifacts/drive';
import { downloadArtifactFile, openArtifact } from './artifacts/open';
import { editSupport } from '../models/edits';
import { MlopsModel } from '../models/mlops';
import { PreviewTab } from '../common/previewTab';
import { createRunDetailWidget, RunDetailBody } from './RunDetailWidget';
import { toast } from '../common/notify';

/** Command that opens a candidate (registered in commands.ts). */
export const OPEN_RUN_COMMAND = 'mlops:open-run';

/** What opens a candidate: its backend, run id and (for the title) names. */
export interface IOpenRunArgs {
  backend: string;
  run_id: string;
  experiment_name?: string;
  /** The run's name: the tab's title until the run is loaded (restored tabs). */
  run_name?: string;
  /** Open in the preview tab (a single click); default false: a pinned tab. */
  preview?: boolean;
}

/** The restorer's args of a detail tab: enough to title it by name. */
function restoreArgs(
  widget: MainAreaWidget<RunDetailBody>
): Required<Omit<IOpenRunArgs, 'preview'>> {
  const { model } = widget.content;
  return {
    backend: model.backend,
    run_id: model.runId,
    experiment_name: widget.content.experimentName ?? '',
    run_name: model.detail?.info.run_name || widget.content.runName || ''
  };
}

/**
 * Opens candidate details as main-area tabs: a run already open is
 * activated, single clicks share one preview tab (pinned by a double click
 * or an edit), and tabs are restored with the layout, titled by name.
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
    this.preview = new PreviewTab({ shell: this._app.shell });
    this.preview.pinned.connect((_, widget) => void this.tracker.save(widget));
    if (options.restorer) {
      void options.restorer.restore(this.tracker, {
        command: OPEN_RUN_COMMAND,
        args: restoreArgs,
        name: widget =>
          `${widget.content.model.backend}:${widget.content.model.runId}`
      });
    }
  }

  readonly tracker: WidgetTracker<MainAreaWidget<RunDetailBody>>;
  /** The preview tab of run details. */
  readonly preview: PreviewTab<MainAreaWidget<RunDetailBody>>;

  /** The open detail tab of a run, if any. */
  find(backend: string, runId: string): MainAreaWidget<RunDetailBody> | null {
    return (
      this.tracker.find(
        w =>
          w.content.model.backend === backend && w.content.model.runId === runId
      ) ?? null
    );
  }

  /** Open (or bring forward, pinning it unless `preview`) the detail of a run. */
  async open(args: IOpenRunArgs): Promise<MainAreaWidget<RunDetailBody>> {
    const existing = this.find(args.backend, args.run_id);
    if (existing) {
      if (!args.preview) {
        this.preview.pin(existing);
      }
      this._app.shell.activateById(existing.id);
      void existing.content.model.load();
      return existing;
    }
    const model = this._model.createRunDetail(args.backend, args.run_id);
    const widget = createRunDetailWidget({
      model,
      commands: this._app.commands,
      experimentName: args.experiment_name || undefined,
      runName: args.run_name || undefined,
      serverSettings: this._model.serverSettings,
      support: () =>
        editSupport(
          this._model.status?.backends.find(b => b.name === args.backend)
        ),
      statusChanged: this._model.statusChanged,
      artifacts: {
        // A logged model's files are served as those of "run" m-<id> (the same read-only drive).
        open: (file, owner) =>
          this._openArtifact({ ...args, run_id: owner ?? args.run_id }, file),
        download: (file, owner) =>
          downloadArtifactFile(this._drive, {
            backend: args.backend,
            runId: owner ?? args.run_id,
            path: file.path
          }),
        icon: path =>
          this._app.docRegistry.getFileTypesForPath(PathExt.basename(path))[0]
            ?.icon
      },
      onOpenSource: path =>
        void this._app.commands.execute('docmanager:open', { path })
    });
    // The restorer keeps the run's name once it is known (tabs restore titled by it).
    const saveName = (): void => {
      if (model.detail && this.tracker.has(widget)) {
        model.changed.disconnect(saveName);
        void this.tracker.save(widget);
      }
    };
    model.changed.connect(saveName);
    // The run's request leaves before the tab is tracked and laid out.
    void model.load();
    await this.tracker.add(widget);
    saveName(); // the run may have come meanwhile
    this.preview.add(widget, !!args.preview);
    this._app.shell.activateById(widget.id);
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
      toast.info(
        `${PathExt.basename(file.path)} has no viewer in JupyterLab (or is too big): it was downloaded.`,
        { autoClose: 5000 }
      );
    }
  }

  private _app: JupyterFrontEnd;
  private _drive: ArtifactsDrive;
  private _model: MlopsModel;
}
