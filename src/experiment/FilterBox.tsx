import { closeIcon, InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';
import { MlopsApiError } from '../common/errors';

/** The MLflow filter syntax, shown as the placeholder and in the help. */
export const FILTER_EXAMPLE = "metrics.acc > 0.9 and params.lr = '0.01'";

/**
 * A filter in MLflow's syntax, applied on Enter (or when cleared). A
 * rejected filter shows MLflow's message under the box; the table keeps
 * the rows of the last good filter.
 */
export function FilterBox(props: {
  applied: string;
  error: MlopsApiError | null;
  busy: boolean;
  onApply: (filter: string) => void;
}): JSX.Element {
  const [text, setText] = React.useState(props.applied);
  const dirty = text.trim() !== props.applied;
  const apply = (value: string): void => props.onApply(value.trim());
  const errorId = 'jp-mlops-filter-error';
  return (
    <div className={`jp-mlops-FilterBox${props.error ? ' jp-mod-error' : ''}`}>
      <form
        className="jp-mlops-FilterBox-form"
        onSubmit={event => {
          event.preventDefault();
          apply(text);
        }}
      >
        <InputGroup
          className="jp-mlops-FilterBox-input"
          placeholder={`Filter: ${FILTER_EXAMPLE}`}
          aria-label="Filter runs (MLflow filter syntax)"
          aria-invalid={!!props.error}
          aria-describedby={props.error ? errorId : undefined}
          title={`MLflow filter syntax, e.g. ${FILTER_EXAMPLE}. Press Enter to apply.`}
          value={text}
          spellCheck={false}
          onChange={event => setText(event.currentTarget.value)}
          onKeyDown={event => {
            if (event.key === 'Escape') {
              setText(props.applied);
            }
          }}
        />
        {text && (
          <button
            type="button"
            className="jp-mlops-FilterBox-clear"
            title="Clear the filter"
            aria-label="Clear the filter"
            onClick={() => {
              setText('');
              apply('');
            }}
          >
            <closeIcon.react tag="span" elementSize="small" />
          </button>
        )}
      </form>
      {props.error ? (
        <div className="jp-mlops-FilterBox-error" id={errorId} role="alert">
          <span className="jp-mlops-FilterBox-errorTitle">Invalid filter</span>
          <span className="jp-mlops-FilterBox-errorMessage">
            {props.error.message}
          </span>
        </div>
      ) : (
        dirty &&
        !props.busy && (
          <div className="jp-mlops-FilterBox-hint">Press Enter to apply</div>
        )
      )}
    </div>
  );
}
