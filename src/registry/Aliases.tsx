/**
 * The alias editor: a version's MLflow aliases as chips (each removable, after
 * a confirmation) and "Set alias…", an inline field checked like MLflow checks
 * alias names. Alias names come from the backend: rendered as text.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Button, closeIcon, InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IAliasRef } from '../api/registry';
import { notifyError } from '../common/notify';
import { writeTitle } from '../models/capabilities';
import { RegistryModel } from '../models/registry';
import { aliasProblem } from './aliasRules';

/** Props of {@link AliasEditor}. */
export interface IAliasEditorProps {
  backend: string;
  model: string;
  /** The version as the server names it (`IVersionSummary.version`). */
  version: string;
  /** The version as users know it (its semver when it has one). */
  label: string;
  aliases: string[];
  /** Every alias of the model, when known: says which version a new alias moves from. */
  modelAliases?: IAliasRef[];
  registry: RegistryModel;
  /** Why this backend has no aliases (GitLab), else null. */
  note: string | null;
  /** Why this backend's credentials may not write, or null. */
  writeBlocked: string | null;
}

/** One alias chip with its remove button. */
function AliasChip(props: {
  alias: string;
  busy: boolean;
  blocked: string | null;
  onRemove: () => void;
}): JSX.Element {
  return (
    <span className="jp-mlops-AliasChip" data-alias={props.alias}>
      <span className="jp-mlops-AliasChip-name">@{props.alias}</span>
      <button
        type="button"
        className="jp-mlops-AliasChip-remove"
        title={writeTitle(props.blocked, `Remove the alias @${props.alias}`)}
        aria-label={`Remove the alias @${props.alias}`}
        disabled={props.busy || !!props.blocked}
        onClick={props.onRemove}
      >
        <closeIcon.react tag="span" elementSize="small" />
      </button>
    </span>
  );
}

/** Chips of the version's aliases and the "Set alias…" field. */
export function AliasEditor(props: IAliasEditorProps): JSX.Element {
  const { backend, model, version, label, registry } = props;
  const blocked = props.writeBlocked;
  const [editing, setEditing] = React.useState(false);
  const [name, setName] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  if (props.note) {
    return <span className="jp-mlops-Hint">{props.note}</span>;
  }
  const typed = name.trim();
  const problem = aliasProblem(typed);
  const elsewhere = props.modelAliases?.find(
    a => a.alias === typed && a.version !== version
  );

  const set = async () => {
    setBusy(true);
    try {
      await registry.setAlias({ backend, model, version }, typed);
      setName('');
      setEditing(false);
    } catch (error) {
      notifyError(`Setting the alias @${typed} failed`, error);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (alias: string) => {
    const answer = await showDialog({
      title: `Remove the alias @${alias}?`,
      body:
        `Version ${label} of ${model} loses the alias @${alias}; code that loads ` +
        `models:/${model}@${alias} stops working until the alias is set again.`,
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: 'Remove alias' })
      ]
    });
    if (!answer.button.accept) {
      return;
    }
    setBusy(true);
    try {
      await registry.removeAlias(backend, model, alias);
    } catch (error) {
      notifyError(`Removing the alias @${alias} failed`, error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="jp-mlops-Aliases" data-testid="alias-editor">
      {props.aliases.map(alias => (
        <AliasChip
          key={alias}
          alias={alias}
          busy={busy}
          blocked={blocked}
          onRemove={() => void remove(alias)}
        />
      ))}
      {editing ? (
        <form
          className="jp-mlops-AliasForm"
          onSubmit={e => {
            e.preventDefault();
            if (!problem && !busy) {
              void set();
            }
          }}
        >
          <InputGroup
            className="jp-mlops-AliasInput"
            placeholder="champion"
            aria-label={`Alias for version ${label}`}
            aria-invalid={typed !== '' && problem !== null}
            autoFocus
            value={name}
            onChange={e => setName(e.currentTarget.value)}
            onKeyDown={e => {
              if (e.key === 'Escape') {
                setEditing(false);
              }
            }}
          />
          <Button type="submit" disabled={!!problem || busy}>
            Set
          </Button>
          <Button
            type="button"
            minimal
            onClick={() => {
              setEditing(false);
              setName('');
            }}
          >
            Cancel
          </Button>
          <span
            className={`jp-mlops-AliasHint${typed !== '' && problem ? ' jp-mlops-mod-error' : ''}`}
          >
            {typed !== '' && problem
              ? problem
              : elsewhere
                ? `Moves @${typed} from version ${elsewhere.version}.`
                : 'Letters, digits, _ and -; e.g. champion, challenger.'}
          </span>
        </form>
      ) : (
        <Button
          className="jp-mlops-AliasAdd"
          minimal
          small
          disabled={!!blocked}
          title={writeTitle(blocked, `Point an alias at version ${label}`)}
          onClick={() => setEditing(true)}
        >
          Set alias…
        </Button>
      )}
    </div>
  );
}
