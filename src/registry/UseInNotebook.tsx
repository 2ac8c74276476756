/**
 * "Use in notebook": the loading code, with or without the candidate's params,
 * by version or by one of the version's aliases (`models:/name@alias`).
 */
import { Button, HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IUseSnippet } from '../api/registry';
import { toast } from '../common/notify';
import { snippetCode } from './notebook';

/** Props of {@link UseInNotebook}. */
export interface IUseInNotebookProps {
  snippet: IUseSnippet;
  hasParams: boolean;
  insert: (code: string) => string;
}

/** The button, the params option and a preview of the cell. */
export function UseInNotebook(props: IUseInNotebookProps): JSX.Element {
  const { snippet } = props;
  const [withParams, setWithParams] = React.useState(false);
  const [alias, setAlias] = React.useState('');
  const byAlias = snippet.by_alias.find(a => a.alias === alias);
  const code = snippetCode(
    byAlias ? { ...snippet, code: byAlias.code } : snippet,
    withParams
  );
  const use = () => {
    try {
      const path = props.insert(code);
      toast.success(
        `Inserted the loading code below the active cell of ${path}.`,
        {
          autoClose: 4000
        }
      );
    } catch (error) {
      toast.warning(error instanceof Error ? error.message : String(error), {
        autoClose: 8000
      });
    }
  };
  return (
    <div className="jp-mlops-UseInNotebook">
      <div className="jp-mlops-Controls">
        <Button
          className="jp-mlops-UseButton jp-mlops-mod-primary"
          onClick={use}
          title="Insert a cell that loads this version below the active cell"
        >
          Use in notebook
        </Button>
        <label className="jp-mlops-Check">
          <input
            type="checkbox"
            checked={withParams}
            disabled={!props.hasParams}
            onChange={e => setWithParams(e.currentTarget.checked)}
          />
          Include the candidate's params as a dict
        </label>
        {snippet.by_alias.length > 0 && (
          <label className="jp-mlops-Check">
            Load
            <HTMLSelect
              aria-label="Load the model by version or by alias"
              value={byAlias ? byAlias.alias : ''}
              onChange={e => setAlias(e.currentTarget.value)}
            >
              <option value="">this version ({snippet.uri})</option>
              {snippet.by_alias.map(a => (
                <option key={a.alias} value={a.alias}>
                  by alias ({a.uri})
                </option>
              ))}
            </HTMLSelect>
          </label>
        )}
      </div>
      {!snippet.kernel_ready && (
        <p className="jp-mlops-Hint">
          Kernels started by this Jupyter server do not talk to this backend by
          themselves: the cell sets the tracking URI
          {snippet.tracking_uri.includes('/api/v4/')
            ? ' and needs MLFLOW_TRACKING_TOKEN'
            : ''}
          .
        </p>
      )}
      <pre className="jp-mlops-Snippet" data-testid="use-snippet">
        {code}
      </pre>
    </div>
  );
}
