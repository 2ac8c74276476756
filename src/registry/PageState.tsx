/** What a registry page shows before its document is there: the error, or that it loads. */
import * as React from 'react';

/** The error notice, else the loading line. */
export function PageState(props: {
  error: string | null;
  loading: React.ReactNode;
}): JSX.Element {
  if (props.error) {
    return (
      <div className="jp-mlops-Notice jp-mlops-mod-error" role="alert">
        {props.error}
      </div>
    );
  }
  return <p className="jp-mlops-Loading">{props.loading}</p>;
}
