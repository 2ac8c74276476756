/** The compare tab's content: chips, tables, curves, parallel coordinates, scatter. */
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  COMPARE_MAX_RUNS,
  COMPARE_MIN_RUNS,
  ICompareRun,
  IRunRef
} from '../api/compare';
import { describeError } from '../common/errors';
import { useSignals } from '../common/hooks';
import { notifyError } from '../common/notify';
import { CompareModel } from '../models/compare';
import { CompareTable } from './CompareTables';
import { CompareToolbar } from './CompareToolbar';
import { downloadBlob } from '../common/download';
import { ParallelSection, ScatterSection } from './Explore';
import { MetricCurves } from './MetricCurves';
import { RunChips } from './RunChips';
import { csvFileName, metricsGrid, paramsGrid, visibleParams } from './table';

/** Props of {@link CompareView}. */
export interface ICompareViewProps {
  model: CompareModel;
  onPromote: (run: ICompareRun) => void;
}

function Section(props: {
  title: string;
  children: React.ReactNode;
  id: string;
}): JSX.Element {
  return (
    <section className="jp-mlops-CompareSection" data-section={props.id}>
      <h3 className="jp-mlops-SectionTitle">{props.title}</h3>
      {props.children}
    </section>
  );
}

/** Too few or too many runs: say so, and offer the first 50. */
function CountProblem(props: {
  runs: readonly IRunRef[];
  onTrim: () => void;
}): JSX.Element {
  const n = props.runs.length;
  return (
    <div className="jp-mlops-Notice" role="alert">
      {n < COMPARE_MIN_RUNS ? (
        <p>
          Compare needs at least {COMPARE_MIN_RUNS} runs;{' '}
          {n === 0 ? 'none is' : 'only one is'} selected. Select more candidates
          in the MLOps sidebar.
        </p>
      ) : (
        <>
          <p>
            Compare takes at most {COMPARE_MAX_RUNS} runs; {n} are selected.
            Narrow the selection in the MLOps sidebar, or compare the first{' '}
            {COMPARE_MAX_RUNS}.
          </p>
          <Button onClick={props.onTrim}>
            Compare the first {COMPARE_MAX_RUNS}
          </Button>
        </>
      )}
    </div>
  );
}

/** The whole compare view. */
export function CompareView(props: ICompareViewProps): JSX.Element {
  const { model, onPromote } = props;
  useSignals(model.changed, model.result.changed, model.status.changed);
  const [onlyDiff, setOnlyDiff] = React.useState(false);
  const [transposed, setTransposed] = React.useState(false);
  const refs = model.runs;
  const key = model.key;
  const writeBlocked = model.writeBlocked;
  // A reload keeps the answer on screen; a failure replaces it.
  const resource = model.result;
  const phase =
    resource.phase === 'loading' && resource.value ? 'ready' : resource.phase;
  const failure =
    phase === 'error' && resource.error ? describeError(resource.error) : null;

  const exportCsv = async () => {
    try {
      const blob = await model.csv(onlyDiff);
      downloadBlob(blob, csvFileName(refs.length));
    } catch (error) {
      notifyError('CSV export failed', error);
    }
  };

  if (!model.countOk) {
    return (
      <div className="jp-mlops-Compare">
        <h2 className="jp-mlops-PageTitle">Compare runs</h2>
        <CountProblem runs={refs} onTrim={() => model.trim()} />
      </div>
    );
  }
  const result = phase === 'ready' ? resource.value : null;
  return (
    <div className="jp-mlops-Compare" data-phase={phase}>
      <header className="jp-mlops-CompareHeader">
        <h2 className="jp-mlops-PageTitle">Compare {refs.length} runs</h2>
        <CompareToolbar
          onlyDiff={onlyDiff}
          onOnlyDiff={setOnlyDiff}
          transposed={transposed}
          onTransposed={setTransposed}
          x={model.x}
          onX={x => model.setX(x)}
          onExport={() => void exportCsv()}
          onReload={() => model.reload()}
        />
      </header>
      {result && (
        <RunChips
          runs={result.runs}
          minRuns={COMPARE_MIN_RUNS}
          onRemove={run => model.removeRun(run)}
          onPromote={onPromote}
          writeBlocked={writeBlocked}
        />
      )}
      {(phase === 'loading' || phase === 'idle') && (
        <p className="jp-mlops-Loading">Loading {refs.length} runs…</p>
      )}
      {failure && (
        <div className="jp-mlops-Notice jp-mlops-mod-error" role="alert">
          <p>{failure.message}</p>
          {failure.detail && (
            <p className="jp-mlops-Detail">{failure.detail}</p>
          )}
        </div>
      )}
      {result && result.errors.length > 0 && (
        <div className="jp-mlops-Notice jp-mlops-mod-warn" role="status">
          {result.errors.map((e, i) => (
            <p key={`${e.backend}:${e.run_id}:${i}`}>
              {e.run_id
                ? `Left out ${e.backend}:${e.run_id}: ${e.message}`
                : `A metric series could not be loaded: ${e.message}`}
            </p>
          ))}
        </div>
      )}
      {result && (
        <>
          <Section
            id="params"
            title={`Parameters${onlyDiff ? ' (differences only)' : ''}`}
          >
            <CompareTable
              grid={paramsGrid(
                result.runs,
                visibleParams(result.params, onlyDiff)
              )}
              runs={result.runs}
              transposed={transposed}
              keyLabel="Param"
              empty={
                onlyDiff
                  ? 'All params are equal across these runs.'
                  : 'These runs have no params.'
              }
              testId="compare-params"
            />
          </Section>
          <Section id="metrics" title="Latest metrics (★ best)">
            <CompareTable
              grid={metricsGrid(result.runs, result.metrics)}
              runs={result.runs}
              transposed={transposed}
              numeric
              keyLabel="Metric"
              empty="These runs have no metrics."
              testId="compare-metrics"
            />
          </Section>
          <Section id="curves" title="Metric curves">
            <MetricCurves result={result} />
          </Section>
          <Section id="parallel" title="Parallel coordinates">
            <ParallelSection key={key} result={result} />
          </Section>
          <Section id="scatter" title="Metric against param">
            <ScatterSection key={key} result={result} />
          </Section>
        </>
      )}
    </div>
  );
}
