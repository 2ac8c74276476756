/**
 * Tags as `key = value` rows (text: they come from the backend), each
 * changeable and removable, and an "Add tag" form. What the backend cannot do
 * is disabled with the reason as its tooltip (GitLab: a tag, once set, can be
 * neither changed nor removed; read-only credentials: nothing).
 */
import {
  Button,
  closeIcon,
  editIcon,
  InputGroup,
  ToolbarButtonComponent
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { FormButtons } from './FormButtons';
import { notifyError } from './notify';

/** Props of {@link TagsEditor}. */
export interface ITagsEditorProps {
  /** What is tagged ("run churn-7"), for messages. */
  what: string;
  tags: Readonly<Record<string, string>>;
  /** Set (add or change) one tag. */
  setTag: (key: string, value: string) => Promise<unknown>;
  removeTag: (key: string) => Promise<unknown>;
  /** Why no tag can be added (read-only), else null. */
  addBlocked: string | null;
  /** Why a tag already set cannot be changed or removed, else null. */
  changeBlocked: string | null;
  /** Why a new key cannot be used, else null. */
  keyProblem: (key: string) => string | null;
}

interface IDraft {
  key: string;
  value: string;
  /** Changing this existing tag (its key is fixed). */
  existing: boolean;
}

function offTitle(blocked: string | null, enabled: string): string {
  return blocked ? `Not available: ${blocked}` : enabled;
}

/** The tags table with its add/change form. */
export function TagsEditor(props: ITagsEditorProps): JSX.Element {
  const [draft, setDraft] = React.useState<IDraft | null>(null);
  const [busy, setBusy] = React.useState(false);
  const entries = Object.entries(props.tags).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  const act = async (
    label: string,
    action: () => Promise<unknown>
  ): Promise<void> => {
    setBusy(true);
    try {
      await action();
      setDraft(null);
    } catch (error) {
      notifyError(`${label} failed`, error);
    } finally {
      setBusy(false);
    }
  };
  const problem = draft && !draft.existing ? props.keyProblem(draft.key) : null;
  const save = (): void => {
    if (draft && !problem) {
      const key = draft.key.trim();
      void act(`Setting tag “${key}” of ${props.what}`, () =>
        props.setTag(key, draft.value)
      );
    }
  };
  return (
    <div className="jp-mlops-TagsEditor" data-testid="tags-editor">
      {entries.length === 0 ? (
        <p className="jp-mlops-Muted">No tags.</p>
      ) : (
        <table className="jp-mlops-KeyValues">
          <tbody>
            {entries.map(([k, v]) => (
              <tr key={k} data-tag={k}>
                <th scope="row" title={k}>
                  {k}
                </th>
                <td className="jp-mlops-Mono jp-mlops-Wrap">{v}</td>
                <td className="jp-mlops-TagsEditor-actions">
                  <ToolbarButtonComponent
                    icon={editIcon}
                    tooltip={offTitle(props.changeBlocked, `Change tag “${k}”`)}
                    enabled={!props.changeBlocked && !busy}
                    onClick={() =>
                      setDraft({ key: k, value: v, existing: true })
                    }
                  />
                  <ToolbarButtonComponent
                    icon={closeIcon}
                    tooltip={offTitle(props.changeBlocked, `Remove tag “${k}”`)}
                    enabled={!props.changeBlocked && !busy}
                    onClick={() =>
                      void act(`Removing tag “${k}” of ${props.what}`, () =>
                        props.removeTag(k)
                      )
                    }
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {draft ? (
        <form
          className="jp-mlops-TagsEditor-form"
          onSubmit={event => {
            event.preventDefault();
            save();
          }}
          onKeyDown={event => {
            if (event.key === 'Escape') {
              setDraft(null);
            }
          }}
        >
          <InputGroup
            aria-label="Tag key"
            placeholder="key"
            value={draft.key}
            disabled={draft.existing}
            autoFocus={!draft.existing}
            onChange={e => setDraft({ ...draft, key: e.currentTarget.value })}
          />
          <InputGroup
            aria-label="Tag value"
            placeholder="value"
            value={draft.value}
            autoFocus={draft.existing}
            onChange={e => setDraft({ ...draft, value: e.currentTarget.value })}
          />
          <FormButtons
            label={draft.existing ? 'Save' : 'Add'}
            disabled={!!problem || busy}
            title={problem ?? 'Save the tag'}
            onCancel={() => setDraft(null)}
          />
          {problem && draft.key.trim() && (
            <span className="jp-mlops-TagsEditor-problem" role="alert">
              {problem}
            </span>
          )}
        </form>
      ) : (
        <Button
          className="jp-mlops-TagsEditor-add"
          minimal
          small
          disabled={!!props.addBlocked}
          title={offTitle(props.addBlocked, `Add a tag to ${props.what}`)}
          onClick={() => setDraft({ key: '', value: '', existing: false })}
        >
          + Add tag
        </Button>
      )}
    </div>
  );
}
