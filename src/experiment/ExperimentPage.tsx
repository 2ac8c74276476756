import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { writeBlockedReason } from '../models/capabilities';
import { IExperimentRef, MlopsModel } from '../models/mlops';
import { PerformanceModel } from '../models/performance';
import { RunsModel } from '../models/runs';
import { CandidatesView } from './CandidatesView';
import { formatCount, plural } from '../common/format';
import { useSignals } from '../common/hooks';
import { mlopsIcon } from '../common/icons';
import { PerformanceView } from './PerformanceView';

/** The tabs of an experiment page. */
export type ExperimentTab = 'candidates' | 'performance';

const TABS: { id: ExperimentTab; label: string }[] = [
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
    mlops.statusChanged,
    mlops.viewChanged,
    mlops.experiments?.changed
  );
  const tab = body.tab;
  const backend = mlops.status?.backends.find(
    b => b.name === experiment.backend
  );
  const onOpenRun = React.useCallback(
    (backendName: string, runId: string, preview: boolean) =>
      body.options.openRun(backendName, runId, experiment.name, preview),
    [body, experiment]
  );
  const onTabKey = (event: React.KeyboardEvent): void => {
    const step =
      event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) {
      return;
    }
    event.preventDefault();
    const index = TABS.findIndex(t => t.id === tab);
    const next = TABS[(index + step + TABS.length) % TABS.length].id;
    body.tab = next;
    event.currentTarget
      .querySelector<HTMLElement>(`[data-tab="${next}"]`)
      ?.focus();
  };
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
        <span
          className="jp-mlops-ExperimentPage-meta"
          title={`Experiment id ${experiment.experiment_id}`}
        >
          {[runCount(mlops, experiment), `backend ${experiment.backend}`]
            .filter(Boolean)
            .join(' · ')}
        </span>
        <div
          className="jp-mlops-Tabs"
          role="tablist"
          aria-label="Experiment views"
          onKeyDown={onTabKey}
        >
          {TABS.map(t => (
            <button
              key={t.id}
              role="tab"
              className={`jp-mlops-Tab${t.id === tab ? ' jp-mlops-mod-current' : ''}`}
              data-tab={t.id}
              aria-selected={t.id === tab}
              tabIndex={t.id === tab ? 0 : -1}
              onClick={() => (body.tab = t.id)}
            >
              {t.label}
            </button>
          ))}
        </div>
      </header>
      <div
        className="jp-mlops-ExperimentPage-panel"
        role="tabpanel"
        data-panel="candidates"
        hidden={tab !== 'candidates'}
      >
        <CandidatesView
          model={runs}
          commands={body.options.commands}
          countText={runCount(mlops, experiment)}
          onOpenRun={onOpenRun}
          onSaveDefaultColumns={body.options.saveDefaultColumns}
          writeBlocked={writeBlockedReason(backend ?? null)}
        />
      </div>
      {body.visited.has('performance') && (
        <div
          className="jp-mlops-ExperimentPage-panel"
          role="tabpanel"
          data-panel="performance"
          hidden={tab !== 'performance'}
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
export class ExperimentBody extends ReactWidget {
  constructor(options: IExperimentPageOptions) {
    super();
    this.options = options;
    this.experiment = options.experiment;
    this.mlops = options.mlops;
    this.runs = options.mlops.createRuns(options.experiment);
    this.performance = options.mlops.createPerformance(options.experiment);
    this.addClass('jp-mlops-ExperimentBody');
  }

  readonly options: IExperimentPageOptions;
  readonly experiment: IExperimentRef;
  readonly mlops: MlopsModel;
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

  private _tab: ExperimentTab = 'candidates';
  private _tabChanged = new Signal<this, ExperimentTab>(this);
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
  widget.title.caption = `Experiment ${experiment.name} (id ${experiment.experiment_id}, backend ${experiment.backend})`;
  widget.title.icon = mlopsIcon;
  widget.title.closable = true;
  return widget;
}
