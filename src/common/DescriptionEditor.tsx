/**
 * A description shown as text (never HTML: backend data is untrusted), with
 * "Edit" opening a text area (Save, Cancel; Ctrl+Enter saves, Escape
 * cancels). Off with the reason as its tooltip where the backend cannot.
 */
import { editIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';

import { FormButtons } from './FormButtons';
import { notifyError } from './notify';

/** Props of {@link DescriptionEditor}. */
export interface IDescriptionEditorProps {
  /** What is described ("run churn-7"), for messages. */
  what: string;
  text: string | null;
  /** Save the new text ('' removes it). */
  save: (text: string) => Promise<unknown>;
  /** Why it cannot be edited, else null. */
  blocked: string | null;
  /** Longest text the backend keeps. */
  maxLength?: number;
}

/** The text, or the form editing it. */
export function DescriptionEditor(props: IDescriptionEditorProps): JSX.Element {
  const [draft, setDraft] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const max = props.maxLength ?? 5000;
  const save = async (): Promise<void> => {
    if (draft === null) {
      return;
    }
    setBusy(true);
    try {
      await props.save(draft.trim() ? draft : '');
      setDraft(null);
    } catch (error) {
      notifyError(`Saving the description of ${props.what} failed`, error);
    } finally {
      setBusy(false);
    }
  };
  if (draft !== null) {
    const tooLong = draft.length > max;
    return (
      <form
        className="jp-mlops-DescriptionEditor jp-mod-editing"
        onSubmit={event => {
          event.preventDefault();
          void save();
        }}
      >
        <textarea
          className="jp-mlops-DescriptionEditor-input"
          aria-label={`Description of ${props.what}`}
          value={draft}
          autoFocus
          rows={Math.min(12, Math.max(4, draft.split('\n').length + 1))}
          onChange={e => setDraft(e.currentTarget.value)}
          onKeyDown={e => {
            if (e.key === 'Escape') {
              setDraft(null);
            } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void save();
            }
          }}
        />
        <div className="jp-mlops-DescriptionEditor-buttons">
          <span
            className={`jp-mlops-Muted${tooLong ? ' jp-mod-error' : ''}`}
            role={tooLong ? 'alert' : undefined}
          >
            {tooLong
              ? `At most ${max.toLocaleString()} characters.`
              : 'Plain text. Ctrl+Enter saves, Escape cancels.'}
          </span>
          <FormButtons
            label="Save"
            disabled={busy || tooLong}
            onCancel={() => setDraft(null)}
          />
        </div>
      </form>
    );
  }
  return (
    <div className="jp-mlops-DescriptionEditor">
      {props.text ? (
        <p className="jp-mlops-DescriptionEditor-text">{props.text}</p>
      ) : (
        <p className="jp-mlops-Muted">No description.</p>
      )}
      <ToolbarButtonComponent
        className="jp-mlops-DescriptionEditor-edit"
        icon={editIcon}
        label={props.text ? 'Edit' : 'Add a description'}
        tooltip={
          props.blocked
            ? `Not available: ${props.blocked}`
            : `Edit the description of ${props.what}`
        }
        enabled={!props.blocked}
        onClick={() => setDraft(props.text ?? '')}
      />
    </div>
  );
}
