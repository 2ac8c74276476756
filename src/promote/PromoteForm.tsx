/**
 * The promote form: model (search an existing one or name a new one, checked
 * live against GitLab's rule), version (the server's suggested next semver,
 * validated live), description and the champion check.
 */
import { Button, InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';

import { Bump } from '../api/registry';
import { ILoggedModel } from '../api/types';
import { ChampionCheck } from './ChampionCheck';
import { SourceChoice } from './SourceChoice';
import { CopyId } from '../common/CopyId';
import { useSignals } from '../common/hooks';
import { PromoteChecksModel } from '../models/promote';
import {
  BUMP_HELP,
  MODEL_NAME_RULE,
  modelNameProblem,
  SEMVER_RULE,
  SEMVER_SHORT,
  semverProblem
} from '../common/registryRules';
import { versionLabel } from '../common/format';

/** What the user entered; kept to reopen the dialog after an error. */
export interface IPromoteDraft {
  model: string;
  version: string;
  /** The user typed the version: stop replacing it with the suggestion. */
  versionTouched: boolean;
  description: string;
  /** Metrics of the champion check; all when `null`. */
  metrics: string[] | null;
  /** MLflow: the logged model (`m-...`) or `artifacts` to register; the server's default when unset. */
  source?: string;
}

/** The run being promoted. */
export interface IPromoteCandidate {
  backend: string;
  run_id: string;
  label: string;
  /** The run's MLflow 3 logged models (newest first); the form offers them when there are any. */
  models?: ILoggedModel[];
}

/** Props of {@link PromoteForm}. */
export interface IPromoteFormProps {
  candidate: IPromoteCandidate;
  initial: IPromoteDraft;
  /** The live checks of the model name (created with {@link initial}'s name). */
  checks: PromoteChecksModel;
  /** Every change (after the DOM shows it), with whether the model exists. */
  onChange: (draft: IPromoteDraft, exists: boolean) => void;
}

/** The form (rendered inside a JupyterLab dialog). */
export function PromoteForm(props: IPromoteFormProps): JSX.Element {
  const { candidate, checks } = props;
  useSignals(checks.changed);
  const [draft, setDraft] = React.useState<IPromoteDraft>(props.initial);
  const nameProblem = draft.model ? modelNameProblem(draft.model.trim()) : null;
  const versionProblem = semverProblem(draft.version.trim());
  const update = (patch: Partial<IPromoteDraft>) => {
    if (patch.model !== undefined) {
      checks.setName(patch.model);
    }
    setDraft({ ...draft, ...patch });
  };

  const { check, matches, champion, name } = checks;
  const settled = name === draft.model.trim();
  const info = check.state === 'ok' ? check.info : null;
  // The server's suggestion fills the version until the user types one.
  React.useEffect(() => {
    if (info) {
      setDraft(d => (d.versionTouched ? d : { ...d, version: info.suggested }));
    }
  }, [info]);
  // Is the version taken? Checked from the model's versions once typing stops.
  React.useEffect(() => checks.setVersion(draft.version), [draft.version]);
  const versionCheck = checks.versionCheck(draft.version);
  const taken = versionCheck.state === 'taken' ? versionCheck : null;
  const valid =
    settled &&
    !!info &&
    !nameProblem &&
    !versionProblem &&
    versionCheck.state === 'free' &&
    !!draft.model.trim();
  React.useEffect(
    () => props.onChange(draft, !!info?.exists),
    [draft, valid, info]
  );

  const bump = (b: Bump) =>
    info && update({ version: info.bumps[b], versionTouched: true });
  const nameError =
    nameProblem ?? (check.state === 'error' ? check.message : null);
  return (
    <div className="jp-mlops-PromoteForm" data-valid={valid}>
      {/* While invalid, the Dialog disables "Promote" (it looks for .jp-mod-error). */}
      {!valid && <span className="jp-mlops-Invalid jp-mod-error" hidden />}
      <p className="jp-mlops-Hint">
        Candidate{' '}
        <strong title={`Run ID ${candidate.run_id}`}>{candidate.label}</strong>{' '}
        ({candidate.backend}) <CopyId id={candidate.run_id} what="run ID" />
      </p>
      {!!candidate.models?.length && (
        <SourceChoice
          models={candidate.models}
          value={draft.source}
          onChange={source => update({ source })}
        />
      )}
      <label className="jp-mlops-Field">
        <span className="jp-mlops-FieldLabel">Model</span>
        <InputGroup
          className={nameError ? 'jp-mod-error' : ''}
          name="model"
          placeholder="Search existing models or name a new one"
          value={draft.model}
          autoComplete="off"
          onChange={e => update({ model: e.currentTarget.value })}
          aria-invalid={!!nameError}
        />
      </label>
      {matches.length > 0 && (
        <div
          className="jp-mlops-Matches"
          role="listbox"
          aria-label="Existing models"
        >
          {matches.map(m => (
            <button
              type="button"
              key={m}
              className="jp-mlops-Match"
              onClick={() => update({ model: m })}
            >
              {m}
            </button>
          ))}
        </div>
      )}
      <p
        className={`jp-mlops-Rule${nameError ? ' jp-mlops-mod-error' : ''}`}
        data-testid="name-status"
      >
        {nameError
          ? nameError
          : check.state === 'checking' || !settled
            ? 'Checking…'
            : info
              ? info.exists
                ? `Existing model; latest version ${info.latest?.semver ?? info.latest?.version ?? 'none'}.`
                : `New model "${info.model}" will be created.`
              : `Rule: ${MODEL_NAME_RULE}.`}
      </p>
      <label className="jp-mlops-Field">
        <span className="jp-mlops-FieldLabel">Version</span>
        <InputGroup
          className={versionProblem || taken ? 'jp-mod-error' : ''}
          name="version"
          value={draft.version}
          placeholder="MAJOR.MINOR.PATCH"
          autoComplete="off"
          onChange={e =>
            update({ version: e.currentTarget.value, versionTouched: true })
          }
          aria-invalid={!!versionProblem || !!taken}
        />
      </label>
      {info?.exists && info.latest ? (
        <div className="jp-mlops-Bumps" aria-label="Next version">
          {(['patch', 'minor', 'major'] as Bump[]).map(b => (
            <Button
              key={b}
              small
              minimal
              className={
                draft.version === info.bumps[b] ? 'jp-mlops-mod-chosen' : ''
              }
              title={BUMP_HELP[b]}
              onClick={() => bump(b)}
            >
              {b} {info.bumps[b]}
            </Button>
          ))}
        </div>
      ) : null}
      {taken && !versionProblem ? (
        <p
          className="jp-mlops-Rule jp-mlops-mod-error"
          data-testid="version-status"
          role="alert"
        >
          Version {taken.version} of {info?.model ?? draft.model.trim()} already
          exists.
          {taken.suggestion && (
            <>
              {' '}
              Next free:{' '}
              <button
                type="button"
                className="jp-mlops-LinkButton"
                data-testid="use-free-version"
                onClick={() =>
                  update({ version: taken.suggestion!, versionTouched: true })
                }
              >
                {taken.suggestion}
              </button>
            </>
          )}
        </p>
      ) : (
        <p
          className={`jp-mlops-Rule${versionProblem && draft.version ? ' jp-mlops-mod-error' : ''}`}
          data-testid="version-status"
        >
          {versionProblem && draft.version
            ? `${versionProblem} Rule: ${info?.rule ?? SEMVER_RULE}.`
            : SEMVER_SHORT}
        </p>
      )}
      {info?.exists && info.latest && (
        <p className="jp-mlops-Rule">
          After {versionLabel(info.latest)}: patch (suggested) for a retrain or
          a fix; minor for a new, compatible capability; major when inputs,
          outputs or behaviour change for callers.
        </p>
      )}
      <label className="jp-mlops-Field">
        <span className="jp-mlops-FieldLabel">Description</span>
        <textarea
          className="jp-mod-styled jp-mlops-Textarea"
          name="description"
          rows={2}
          value={draft.description}
          placeholder="What changed, what it is for (optional)"
          onChange={e => update({ description: e.currentTarget.value })}
        />
      </label>
      <h3 className="jp-mlops-SectionTitle">Champion check</h3>
      {champion ? (
        <ChampionCheck
          check={champion}
          championLabel={info?.latest ? versionLabel(info.latest) : null}
          chosen={draft.metrics}
          onChoose={m => update({ metrics: m })}
        />
      ) : (
        <p className="jp-mlops-Hint">
          {info && !info.exists
            ? 'No champion yet: this will be the first version.'
            : 'Pick a model to compare with its latest version.'}
        </p>
      )}
    </div>
  );
}
