/** The compare tab's content: chips, tables, curves, parallel coordinates, scatter. */
import { ServerConnection } from '@jupyterlab/services';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  COMPARE_MAX_RUNS,
  COMPARE_MIN_RUNS,
  CompareX,
  getCompare,
  getCompareCsv,
  ICompareResult,
  ICompareRun,
  IRunRef
} from '../api/compare';
import { useWriteBlocked } from '../models/capabilities';
import { describeError, notifyError } from '../registry/notify';
import { CompareTable } from './CompareTables';
import { CompareToolbar } from './CompareToolbar';
import { csvFileName, downloadBlob } from './download';
import { ParallelSection, ScatterSection } from './Explore';
import { MetricCurves } from './MetricCurves';
import { RunChips } from './RunChips';
import { metricsGrid, paramsGrid, runsKey, visibleParams } from './table';

/** Props of {@link CompareView}. */
export interface ICompareViewProps {
  runs: IRunRef[];
  settings?: ServerConnection.ISettings;
  onPromote: (run: ICompareRun) => void;
  /** Called with the number of compared runs (tab title). */
  onRunsChanged?: (count: number) => void;
}

type Load =
  | { phase: 'loading' }
  | { phase: 'ready'; result: ICompareResult }
  | { phase: 'error'; message: string; detail: string };

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
  runs: IRunRef[];
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
  const { settings, onPromote, onRunsChanged } = props;
  const writeBlocked = useWriteBlocked(settings);
  const [refs, setRefs] = React.useState<IRunRef[]>(props.runs);
  const [x, setX] = React.useState<CompareX>('step');
  const [onlyDiff, setOnlyDiff] = React.useState(false);
  const [transposed, setTransposed] = React.useState(false);
  const [load, setLoad] = React.useState<Load>({ phase: 'loading' });
  const [tick, setTick] = React.useState(0);
  const key = runsKey(refs);
  const countOk =
    refs.length >= COMPARE_MIN_RUNS && refs.length <= COMPARE_MAX_RUNS;

  React.useEffect(() => onRunsChanged?.(refs.length), [key]);
  React.useEffect(() => {
    if (!countOk) {
      return;
    }
    let live = true;
    setLoad(prev => (prev.phase === 'ready' ? prev : { phase: 'loading' }));
    getCompare({ runs: refs, x, maxPoints: 1000 }, settings).then(
      result => live && setLoad({ phase: 'ready', result }),
      error => live && setLoad({ phase: 'error', ...describeError(error) })
    );
    return () => {
      live = false;
    };
  }, [key, x, tick]);

  const exportCsv = async () => {
    try {
      const blob = await getCompareCsv(
        { runs: refs, onlyDifferences: onlyDiff },
        settings
      );
      downloadBlob(blob, csvFileName(refs.length));
    } catch (error) {
      notifyError('CSV export failed', error);
    }
  };
  const remove = (run: ICompareRun) =>
    setRefs(
      refs.filter(r => !(r.backend === run.backend && r.run_id === run.run_id))
    );

  if (!countOk) {
    return (
      <div className="jp-mlops-Compare">
        <h2 className="jp-mlops-PageTitle">Compare runs</h2>
        <CountProblem
          runs={refs}
          onTrim={() => setRefs(refs.slice(0, COMPARE_MAX_RUNS))}
        />
      </div>
    );
  }
  const result = load.phase === 'ready' ? load.result : null;
  return (
    <div className="jp-mlops-Compare" data-phase={load.phase}>
      <header className="jp-mlops-CompareHeader">
        <h2 className="jp-mlops-PageTitle">Compare {refs.length} runs</h2>
        <CompareToolbar
          onlyDiff={onlyDiff}
          onOnlyDiff={setOnlyDiff}
          transposed={transposed}
          onTransposed={setTransposed}
          x={x}
          onX={setX}
          onExport={() => void exportCsv()}
          onReload={() => setTick(tick + 1)}
        />
      </header>
      {result && (
        <RunChips
          runs={result.runs}
          minRuns={COMPARE_MIN_RUNS}
          onRemove={remove}
          onPromote={onPromote}
          writeBlocked={writeBlocked}
        />
      )}
      {load.phase === 'loading' && (
        <p className="jp-mlops-Loading">Loading {refs.length} runs…</p>
      )}
      {load.phase === 'error' && (
        <div className="jp-mlops-Notice jp-mlops-mod-error" role="alert">
          <p>{load.message}</p>
          {load.detail && <p className="jp-mlops-Detail">{load.detail}</p>}
        </div>
      )}
      {result && result.errors.length > 0 && (
        <div className="jp-mlops-Notice jp-mlops-mod-warn" role="status">
          {result.errors.map(e => (
            <p key={`${e.backend}:${e.run_id}`}>
              Left out {e.backend}:{e.run_id}: {e.message}
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
