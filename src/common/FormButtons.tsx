/** The Cancel and submit buttons that end an inline edit form (JupyterLab's order: Cancel, then accept). */
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

export function FormButtons(props: {
  /** The submit button's text ("Save", "Add", "Rename"). */
  label: string;
  disabled: boolean;
  /** Why it is disabled, or what it does. */
  title?: string;
  onCancel: () => void;
}): JSX.Element {
  return (
    <>
      <Button
        type="button"
        className="jp-mod-styled jp-mod-reject"
        onClick={props.onCancel}
      >
        Cancel
      </Button>
      <Button
        type="submit"
        className="jp-mod-styled jp-mod-accept"
        disabled={props.disabled}
        title={props.title}
      >
        {props.label}
      </Button>
    </>
  );
}
