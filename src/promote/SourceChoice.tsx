import * as React from 'react';

import { ILoggedModel } from '../api/types';
import { promoteSources } from '../models/promote';

/** What to register, when the run has MLflow 3 logged models: one of them or the run's files. */
export function SourceChoice(props: {
  models: ILoggedModel[];
  value: string | undefined;
  onChange: (value: string) => void;
}): JSX.Element {
  return (
    <fieldset className="jp-mlops-SourceChoice" data-testid="promote-source">
      <legend className="jp-mlops-FieldLabel">Register</legend>
      {promoteSources(props.models).map(option => (
        <label key={option.value} className="jp-mlops-SourceChoice-option">
          <input
            type="radio"
            name="source"
            value={option.value}
            checked={props.value === option.value}
            onChange={() => props.onChange(option.value)}
          />
          <span className="jp-mlops-SourceChoice-label">{option.label}</span>
          <span className="jp-mlops-SourceChoice-detail jp-mlops-Mono">
            {option.detail}
          </span>
        </label>
      ))}
    </fieldset>
  );
}
