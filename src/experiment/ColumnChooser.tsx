import { Button, InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IAvailableColumns } from '../api/types';
import { ColumnKind, columnId } from '../models/columns';

const GROUPS: [ColumnKind, string][] = [
  ['metrics', 'Metrics'],
  ['params', 'Parameters'],
  ['tags', 'Tags']
];

/** Props of {@link ColumnChooser}. */
export interface IColumnChooserProps {
  available: IAvailableColumns;
  columns: readonly string[];
  /** Show these columns. */
  onApply: (columns: string[]) => void;
  /** Show them and keep them as the default of every experiment (settings). */
  onSaveDefault?: (columns: string[]) => void;
  onClose: () => void;
}

/**
 * Pick the param, metric and tag columns of the candidates table. Changes
 * are a draft until applied: each apply reloads the rows with the values.
 */
export function ColumnChooser(props: IColumnChooserProps): JSX.Element {
  const [draft, setDraft] = React.useState<string[]>([...props.columns]);
  const [query, setQuery] = React.useState('');
  const q = query.trim().toLowerCase();
  const chosen = new Set(draft);
  const toggle = (id: string): void =>
    setDraft(chosen.has(id) ? draft.filter(c => c !== id) : [...draft, id]);
  const total =
    props.available.metrics.length +
    props.available.params.length +
    props.available.tags.length;

  return (
    <div
      className="jp-mlops-ColumnChooser"
      role="dialog"
      aria-label="Choose columns"
      onKeyDown={event => {
        if (event.key === 'Escape') {
          props.onClose();
        }
      }}
    >
      <div className="jp-mlops-ColumnChooser-head">
        <InputGroup
          type="search"
          placeholder="Find a column"
          aria-label="Find a column"
          value={query}
          rightIcon="ui-components:search"
          autoFocus
          onChange={event => setQuery(event.currentTarget.value)}
        />
      </div>
      <div className="jp-mlops-ColumnChooser-groups">
        {total === 0 && (
          <div className="jp-mlops-ColumnChooser-empty">
            No params, metrics or tags logged in this experiment yet.
          </div>
        )}
        {GROUPS.map(([kind, title]) => {
          const keys = props.available[kind].filter(
            k => !q || k.toLowerCase().includes(q)
          );
          if (keys.length === 0) {
            return null;
          }
          return (
            <fieldset className="jp-mlops-ColumnChooser-group" key={kind}>
              <legend>
                {title} <span className="jp-mlops-Muted">{keys.length}</span>
              </legend>
              {keys.map(key => {
                const id = columnId(kind, key);
                return (
                  <label
                    className="jp-mlops-ColumnChooser-item"
                    key={id}
                    title={id}
                  >
                    <input
                      type="checkbox"
                      checked={chosen.has(id)}
                      onChange={() => toggle(id)}
                    />
                    <span>{key}</span>
                  </label>
                );
              })}
            </fieldset>
          );
        })}
      </div>
      <div className="jp-mlops-ColumnChooser-actions">
        <span className="jp-mlops-Muted">{draft.length} shown</span>
        <Button small minimal onClick={() => setDraft([])}>
          None
        </Button>
        <span className="jp-mlops-Spacer" />
        {props.onSaveDefault && (
          <Button
            small
            minimal
            title="Show these columns and make them the default of every experiment (MLOps settings)"
            onClick={() => props.onSaveDefault!(draft)}
          >
            Save as default
          </Button>
        )}
        <Button
          small
          className="jp-mod-styled jp-mod-accept"
          onClick={() => props.onApply(draft)}
        >
          Apply
        </Button>
      </div>
    </div>
  );
}
