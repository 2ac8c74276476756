import * as React from 'react';

import { IDiffLine, linePrefix } from './diffModel';

/** Diff lines with a +/− gutter and add/remove colours. */
export function DiffLines(props: {
  lines: IDiffLine[];
  label: string;
}): JSX.Element {
  return (
    <pre className="jp-mlops-DiffLines" aria-label={props.label}>
      {props.lines.map((line, i) => (
        <div key={i} className={`jp-mlops-DiffLine jp-mod-${line.kind}`}>
          <span className="jp-mlops-DiffGutter">
            {line.kind === 'hunk' || line.kind === 'meta'
              ? ''
              : linePrefix(line.kind)}
          </span>
          <span className="jp-mlops-DiffText">{line.text || ' '}</span>
        </div>
      ))}
    </pre>
  );
}
