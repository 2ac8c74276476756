/** A two-column table of keys and values, as text (params, metrics, tags of runs, models and versions). */
import * as React from 'react';

/** What {@link KeyValueTable} renders. */
export interface IKeyValueTableProps {
  rows: ReadonlyArray<readonly [string, string]>;
  /** Values in the monospace font (ids, numbers, code-like values). */
  mono?: boolean;
  /** Long values wrap instead of being cut. */
  wrap?: boolean;
  /** Extra class of the table. */
  className?: string;
  /** `data-testid` of the table. */
  testId?: string;
}

export function KeyValueTable(props: IKeyValueTableProps): JSX.Element {
  const valueClass =
    [props.mono && 'jp-mlops-Mono', props.wrap && 'jp-mlops-Wrap']
      .filter(Boolean)
      .join(' ') || undefined;
  return (
    <table
      className={`jp-mlops-KeyValues${props.className ? ` ${props.className}` : ''}`}
      data-testid={props.testId}
    >
      <tbody>
        {props.rows.map(([key, value]) => (
          <tr key={key}>
            <th scope="row" title={key}>
              {key}
            </th>
            <td className={valueClass} title={value}>
              {value}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
