/**
 * An id one click away: people read names, and the id of the thing (run,
 * experiment, model version) is in the tooltip and copied by a button.
 */
import { Clipboard } from '@jupyterlab/apputils';
import { checkIcon, copyIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

/** Props of {@link CopyId}. */
export interface ICopyIdProps {
  /** The value copied (an id, a commit, a URI). */
  id: string;
  /** What it is, for the tooltip and screen readers: "run ID", "experiment ID". */
  what: string;
  /** Also show the id (shortened to `short` characters when given) before the button. */
  show?: boolean;
  short?: number;
}

/** Milliseconds the button shows "Copied". */
const COPIED_MS = 1500;

/**
 * A copy button whose tooltip shows the id (`Copy run ID 3f2a…`), optionally
 * preceded by the id in a monospace font.
 */
export function CopyId(props: ICopyIdProps): JSX.Element {
  const { id, what } = props;
  const [copied, setCopied] = React.useState(false);
  React.useEffect(() => {
    if (!copied) {
      return;
    }
    const timer = setTimeout(() => setCopied(false), COPIED_MS);
    return () => clearTimeout(timer);
  }, [copied]);
  const Icon = copied ? checkIcon : copyIcon;
  const shown =
    props.short && id.length > props.short
      ? `${id.slice(0, props.short)}…`
      : id;
  return (
    <span className="jp-mlops-CopyId" data-copy-id={id}>
      {props.show && (
        <code
          className="jp-mlops-Mono jp-mlops-CopyId-value"
          title={`${what} ${id}`}
        >
          {shown}
        </code>
      )}
      <button
        type="button"
        className="jp-mlops-CopyButton"
        title={copied ? `Copied ${what} ${id}` : `Copy ${what} ${id}`}
        aria-label={`Copy ${what}`}
        onClick={event => {
          event.stopPropagation();
          Clipboard.copyToSystem(id);
          setCopied(true);
        }}
      >
        <Icon.react tag="span" elementSize="small" />
      </button>
    </span>
  );
}
