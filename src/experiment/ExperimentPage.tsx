import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { IExperimentChanged } from '../api/edits';
import { writeBlockedReason } from '../models/capabilities';
import { editSupport } from '../models/edits';
import { IChange, LiveChanges } from '../models/live';
import { IExperimentRef, MlopsModel } from '../models/mlops';
import { PerformanceModel } from '../models/performance';
import { RunsModel } from '../models/runs';
import { CandidatesView } from './CandidatesView';
import { formatCount, plural } from '../common/format';
import { useSignals } from '../common/hooks';
import { mlopsIcon } from '../common/icons';
import {
  DeletedExperimentBanner,
  ExperimentHeaderActions,
  IExperimentTarget
} from './ExperimentActions';
import { ExperimentDescription } from './ExperimentDescription';
import { PerformanceView } from './PerformanceView';
import { ITab, TabStrip } from '../common/TabStrip';

/** The tabs of an experiment page. */
export type ExperimentTab = 'candidates' | 'performance';

const TABS: ITab<ExperimentTab>[] = [
  { id: 'candidates', label: 'Candidates' },
  { id: 'performance', label: 'Performance' }
];

/** What an experiment page needs from the application. */
export interface IExperimentPageOptions {
  experiment: IExperimentRef;
  mlops: MlopsModel;
  commands: JupyterFrontEnd['commands'];
  /** Open a candidate's detail. */
  openRun: (
    backend: string,
    runId: string,
    experimentName: string,
    preview: boolean
  ) => void;
  /** Keep these columns as the default of every experiment (settings). */
  saveDefaultColumns?: (columns: string[]) => void;
}

/** "1,234 runs" when the experiments list knows the count, else ''. */
function runCount(mlops: MlopsModel, experiment: IExperimentRef): string {
  const experiments = mlops.experiments;
  const summary =
    experiments?.backend === experiment.backend
      ? experiments.summary(experiment.experiment_id)
      : null;
  return summary
    ? `${formatCount(summary.run_count, summary.run_count_exact)} ${plural(
        summary.run_count,
        'run'
      )}`
    : '';
}

function Page(props: { body: ExperimentBody }): JSX.Element {
  const { body } = props;
  const { experiment, mlops, runs, performance } = body;
  useSignals(
    body.tabChanged,
    body.stateChanged,
    mlops.statusChanged,
    mlops.viewChanged,
    mlops.experiments?.changed
  );
  const tab = body.tab;
  const backend = mlops.status?.backends.find(
    b => b.name === experiment.backend
  );
  const support = editSupport(backend);
  const onOpenRun = React.useCallback(
    (backendName: string, runId: string, preview: boolean) =>
      body.options.openRun(backendName, runId, experiment.name, preview),
    [body, experiment]
  );
  return (
    <div
      className="jp-mlops-ExperimentPage"
      data-experiment={experiment.experiment_id}
      data-backend={experiment.backend}
      data-tab={tab}
    >
      <header className="jp-mlops-ExperimentPage-header">
        <h1 className="jp-mlops-ExperimentPage-title" title={experiment.name}>
          {experiment.name}
        </h1>
        {!body.deleted && (
          <ExperimentHeaderActions target={body} support={support} />
        )}
        <span
          className="jp-mlops-ExperimentPage-meta"
          title={`Experiment id ${experiment.experiment_id}`}
        >
          {[runCount(mlops, experiment), `backend ${experiment.backend}`]
            .filter(Boolean)
            .join(' · ')}
        </span>
        {!body.deleted && (
          <ExperimentDescription target={body} support={support} />
        )}
        <TabStrip<ExperimentTab>
          className="jp-mlops-ExperimentPage-tabs"
          label="Experiment views"
          tabs={TABS}
          current={tab}
          onSelect={id => (body.tab = id)}
        />
      </header>
      {body.deleted && (
        <DeletedExperimentBanner target={body} done={body.deleted} />
      )}
      <div
        className="jp-mlops-ExperimentPage-panel"
        role="tabpanel"
        data-panel="candidates"
        hidden={tab !== 'candidates' || !!body.deleted}
      >
        <CandidatesView
          model={runs}
          commands={body.options.commands}
          countText={runCount(mlops, experiment)}
          onOpenRun={onOpenRun}
          onSaveDefaultColumns={body.options.saveDefaultColumns}
          writeBlocked={writeBlockedReason(backend ?? null)}
          support={support}
        />
      </div>
      {body.visited.has('performance') && (
        <div
          className="jp-mlops-ExperimentPage-panel"
          role="tabpanel"
          data-panel="performance"
          hidden={tab !== 'performance' || !!body.deleted}
        >
          <PerformanceView model={performance} />
        </div>
      )}
    </div>
  );
}

/**
 * The content of an experiment page: its candidates and performance models
 * (owned: disposed with the page) and the chosen tab. Only the shown tab's
 * model refreshes, and none while the page is hidden.
 */
export class ExperimentBody extends ReactWidget implements IExperimentTarget {
  constructor(options: IExperimentPageOptions) {
    super();
    this.options = options;
    this._experiment = options.experiment;
    this.mlops = options.mlops;
    this._live = options.mlops.live;
    this._live?.experimentChanged.connect(this._onChange, this);
    this.runs = options.mlops.createRuns(options.experiment);
    this.performance = options.mlops.createPerformance(options.experiment);
    this.addClass('jp-mlops-ExperimentBody');
  }

  readonly options: IExperimentPageOptions;
  readonly mlops: MlopsModel;

  /** The experiment shown (its name follows renames). */
  get experiment(): IExperimentRef {
    return this._experiment;
  }
  /** Emitted when the experiment is renamed, deleted or restored. */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }
  /** Set once the experiment is deleted (null while it exists). */
  get deleted(): IExperimentChanged | null {
    return this._deleted;
  }

  renamed(name: string): void {
    this._experiment = { ...this._experiment, name };
    const widget = this.parent;
    if (widget instanceof MainAreaWidget) {
      widget.title.label = name;
      widget.title.caption = experimentCaption(this._experiment);
    }
    this._stateChanged.emit();
  }

  setDeleted(done: IExperimentChanged | null): void {
    this._deleted = done;
    if (!done) {
      void this.runs.reload();
    }
    this._stateChanged.emit();
  }
  readonly runs: RunsModel;
  readonly performance: PerformanceModel;
  /** Tabs shown at least once (a tab renders from its first visit on). */
  readonly visited = new Set<ExperimentTab>(['candidates']);

  /** Emitted when the tab changes. */
  get tabChanged(): ISignal<this, ExperimentTab> {
    return this._tabChanged;
  }
  get tab(): ExperimentTab {
    return this._tab;
  }
  set tab(value: ExperimentTab) {
    if (value === this._tab) {
      return;
    }
    this._tab = value;
    this.visited.add(value);
    this._syncVisibility();
    this._tabChanged.emit(value);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._live?.experimentChanged.disconnect(this._onChange, this);
    this.runs.dispose();
    this.performance.dispose();
    super.dispose();
  }

  protected render(): JSX.Element {
    return <Page body={this} />;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._syncVisibility();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._syncVisibility();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._syncVisibility();
  }

  protected onBeforeDetach(msg: Message): void {
    this.runs.isVisible = false;
    this.performance.isVisible = false;
    super.onBeforeDetach(msg);
  }

  /** The shown tab's model polls while the page is visible; the other stands by. */
  private _syncVisibility(): void {
    const visible = this.isVisible;
    this.runs.isVisible = visible && this._tab === 'candidates';
    this.performance.isVisible = visible && this._tab === 'performance';
  }

  /** Renamed, deleted or restored elsewhere (the sidebar, another page). */
  private _onChange(_: LiveChanges, change: IChange): void {
    const e = this._experiment;
    if (
      change.backend !== e.backend ||
      change.experiment_id !== e.experiment_id
    ) {
      return;
    }
    if (change.change === 'edited' && change.name && change.name !== e.name) {
      this.renamed(change.name);
    } else if (change.change === 'deleted' && !this._deleted) {
      const permanent = editSupport(
        this.mlops.status?.backends.find(b => b.name === e.backend)
      ).permanentDelete;
      this.setDeleted({
        experiment_id: e.experiment_id,
        name: e.name,
        permanent
      });
    } else if (change.change === 'restored' && this._deleted) {
      this.setDeleted(null);
    }
  }

  private _deleted: IExperimentChanged | null = null;
  private _experiment: IExperimentRef;
  private _live: LiveChanges | null;
  private _stateChanged = new Signal<this, void>(this);
  private _tab: ExperimentTab = 'candidates';
  private _tabChanged = new Signal<this, ExperimentTab>(this);
}

function experimentCaption(experiment: IExperimentRef): string {
  return `Experiment ${experiment.name} (id ${experiment.experiment_id}, backend ${experiment.backend})`;
}

/** A main-area id for an experiment (one tab per experiment). */
export function experimentWidgetId(experiment: IExperimentRef): string {
  const safe = `${experiment.backend}-${experiment.experiment_id}`.replace(
    /[^\w-]/g,
    '_'
  );
  return `jp-mlops-experiment-${safe}`;
}

/** An experiment page as a main-area tab, titled with the experiment's name. */
export function createExperimentWidget(
  options: IExperimentPageOptions
): MainAreaWidget<ExperimentBody> {
  const content = new ExperimentBody(options);
  const widget = new MainAreaWidget({ content });
  const { experiment } = options;
  widget.id = experimentWidgetId(experiment);
  widget.addClass('jp-mlops-ExperimentWidget');
  widget.title.label = experiment.name;
  widget.title.caption = experimentCaption(experiment);
  widget.title.icon = mlopsIcon;
  widget.title.closable = true;
  return widget;
}
