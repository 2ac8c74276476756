import * as React from 'react';

import { mlopsIcon } from '../common/icons';

const MAGIC_EXAMPLE = `%load_ext jupyterlab_mlops
%mlops experiment demo`;

const MLFLOW_EXAMPLE = `import mlflow
mlflow.set_experiment("demo")
with mlflow.start_run():
    mlflow.log_metric("m", 1)`;

/** Shown where the experiments list goes while there is nothing to list. */
export function EmptyState(): JSX.Element {
  return (
    <div className="jp-mlops-EmptyState" data-empty="experiments">
      <mlopsIcon.react
        tag="div"
        className="jp-mlops-EmptyState-icon"
        width="48px"
        height="48px"
      />
      <h3 className="jp-mlops-EmptyState-title">No experiments yet</h3>
      <p className="jp-mlops-EmptyState-text">
        Log a run from a notebook with the magics:
      </p>
      <pre className="jp-mlops-Code">{MAGIC_EXAMPLE}</pre>
      <p className="jp-mlops-EmptyState-text">
        or with plain MLflow; kernels already point at this backend:
      </p>
      <pre className="jp-mlops-Code">{MLFLOW_EXAMPLE}</pre>
    </div>
  );
}
