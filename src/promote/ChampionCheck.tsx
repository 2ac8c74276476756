/**
 * The champion check: the candidate against the version the model's
 * `champion` alias points at, else its latest version.
 */
import * as React from 'react';

import { IChampionCheck, IChampionRow } from '../api/registry';
import { formatNumber } from '../common/format';

function Verdict(props: { row: IChampionRow }): JSX.Element {
  const { better, direction } = props.row;
  const how = direction === 'min' ? 'lower is better' : 'higher is better';
  if (better === 'candidate') {
    return (
      <span
        className="jp-mlops-Verdict jp-mlops-mod-better"
        title={`Candidate is better (${how})`}
      >
        ▲ better
      </span>
    );
  }
  if (better === 'champion') {
    return (
      <span
        className="jp-mlops-Verdict jp-mlops-mod-worse"
        title={`Candidate is worse (${how})`}
      >
        ▼ worse
      </span>
    );
  }
  if (better === 'equal') {
    return <span className="jp-mlops-Verdict">= equal</span>;
  }
  return <span className="jp-mlops-Verdict jp-mlops-mod-na">n/a</span>;
}

/** Props of {@link ChampionCheck}. */
export interface IChampionCheckProps {
  check: IChampionCheck;
  /** How users know the latest version (its semver), used when no alias names the champion. */
  championLabel?: string | null;
  /** Metric keys to show; all when `null`. */
  chosen: string[] | null;
  onChoose: (keys: string[]) => void;
}

/** Side by side, with better/worse markers, on the chosen metrics. */
export function ChampionCheck(props: IChampionCheckProps): JSX.Element {
  const { check } = props;
  const all = check.rows.map(r => r.key);
  const chosen = props.chosen ?? all;
  if (!check.champion) {
    return (
      <p className="jp-mlops-Hint">
        No champion yet: this will be the model's first version.
      </p>
    );
  }
  if (all.length === 0) {
    return (
      <p className="jp-mlops-Hint">The candidate has no metrics to compare.</p>
    );
  }
  const rows = check.rows.filter(r => chosen.includes(r.key));
  const byAlias = check.champion.by === 'alias';
  const label = byAlias
    ? (check.champion.semver ?? check.champion.version)
    : (props.championLabel ?? check.champion.version);
  const toggle = (key: string) =>
    props.onChoose(
      chosen.includes(key)
        ? chosen.filter(k => k !== key)
        : all.filter(k => k === key || chosen.includes(k))
    );
  return (
    <div className="jp-mlops-Champion">
      <table className="jp-mlops-CompareTable" data-testid="champion-check">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">Candidate</th>
            <th scope="col" data-champion-by={check.champion.by}>
              {byAlias ? `Champion @champion (${label})` : `Latest ${label}`}
            </th>
            <th scope="col">Δ</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {rows.map(r => (
            <tr key={r.key}>
              <th scope="row">{r.key}</th>
              <td>{formatNumber(r.candidate)}</td>
              <td>{formatNumber(r.champion)}</td>
              <td>
                {r.delta === null
                  ? '—'
                  : `${typeof r.delta === 'number' && r.delta > 0 ? '+' : ''}${formatNumber(r.delta)}`}
              </td>
              <td>
                <Verdict row={r} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!byAlias && (
        <p className="jp-mlops-Hint" data-testid="champion-by-latest">
          No version carries the alias @champion (GitLab has no aliases): the
          candidate is compared with the latest version.
        </p>
      )}
      <details className="jp-mlops-MetricChooser">
        <summary>
          Metrics ({rows.length} of {all.length})
        </summary>
        {all.map(key => (
          <label key={key} className="jp-mlops-Check">
            <input
              type="checkbox"
              checked={chosen.includes(key)}
              onChange={() => toggle(key)}
            />
            {key}
          </label>
        ))}
      </details>
    </div>
  );
}
