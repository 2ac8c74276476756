/**
 * The registry's destructive and renaming actions: rename and delete a model,
 * delete a version. Each names what is lost before it goes; what GitLab's API
 * cannot do stays visible, disabled, with the reason (and the version's page
 * on GitLab, where it can be deleted).
 */
import { Button, deleteIcon, editIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IModelPage } from '../api/registry';
import { plural } from '../common/format';
import { notifyError, toast } from '../common/notify';
import { writeTitle } from '../models/capabilities';
import { RegistryModel } from '../models/registry';
import {
  confirmDeleteModel,
  confirmDeleteVersion,
  showForm,
  TextField
} from './dialogs';
import {
  GITLAB_NO_RENAME,
  GITLAB_NO_VERSION_DELETE,
  newModelNameProblem,
  registryEditing
} from './editRules';
import { IRegistryActions } from './route';
import { ExternalLink } from './VersionParts';

/** Rename… and Delete model… of a model page. */
export function ModelActions(props: {
  page: IModelPage;
  registry: RegistryModel;
  actions: IRegistryActions;
}): JSX.Element {
  const { page, registry, actions } = props;
  const [busy, setBusy] = React.useState(false);
  const blocked = registry.writeBlocked(page.backend);
  const editing = registryEditing(page.backend_kind);
  const renameOff = editing.rename ? blocked : GITLAB_NO_RENAME;
  const taken = (name: string) =>
    name !== page.name &&
    !!registry.list.value?.models.some(
      m => m.backend === page.backend && m.name === name
    );

  const rename = async () => {
    const name = await showForm<string>({
      title: `Rename model ${page.name}`,
      value: page.name,
      accept: 'Rename',
      problem: n =>
        n.trim() === page.name
          ? 'Type a new name.'
          : newModelNameProblem(n.trim(), taken),
      render: (n, set) => (
        <div data-testid="rename-model-form">
          <TextField
            label="New name"
            value={n}
            onChange={set}
            problem={
              n.trim() && n.trim() !== page.name
                ? newModelNameProblem(n.trim(), taken)
                : null
            }
            hint="Versions, aliases, tags and descriptions move with the model; code that loads it by its old name must change."
          />
        </div>
      )
    });
    if (name === null) {
      return;
    }
    setBusy(true);
    try {
      const renamed = await registry.editModel(page.backend, page.name, {
        name: name.trim()
      });
      toast.success(`Renamed model ${page.name} to ${renamed.name}.`, {
        autoClose: 5000
      });
      actions.navigate({
        page: 'model',
        backend: page.backend,
        name: renamed.name
      });
    } catch (error) {
      notifyError(`Renaming model ${page.name} failed`, error);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    const confirm = await confirmDeleteModel(page.name, page.versions.length);
    if (confirm === null) {
      return;
    }
    setBusy(true);
    try {
      const gone = await registry.deleteModel(page.backend, page.name, confirm);
      toast.success(
        `Deleted model ${gone.name}` +
          (gone.versions_deleted
            ? ` and its ${gone.versions_deleted} ${plural(gone.versions_deleted, 'version')}.`
            : '.'),
        { autoClose: 5000 }
      );
      actions.navigate({ page: 'list' });
    } catch (error) {
      notifyError(`Deleting model ${page.name} failed`, error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="jp-mlops-PageActions">
      <Button
        minimal
        small
        disabled={busy || !!renameOff}
        title={writeTitle(renameOff, `Rename model ${page.name}`)}
        onClick={() => void rename()}
      >
        <editIcon.react tag="span" elementSize="small" />
        Rename…
      </Button>
      <Button
        minimal
        small
        className="jp-mlops-DangerButton"
        disabled={busy || !!blocked}
        title={writeTitle(
          blocked,
          `Delete model ${page.name} and its versions`
        )}
        onClick={() => void remove()}
      >
        <deleteIcon.react tag="span" elementSize="small" />
        Delete model…
      </Button>
    </div>
  );
}

/** Props of {@link DeleteVersionButton}. */
export interface IDeleteVersionProps {
  backend: string;
  backendKind: string;
  model: string;
  /** The version as the server names it. */
  version: string;
  /** As users know it (its semver when it has one). */
  label: string;
  aliases: string[];
  /** The version's page on the backend (GitLab: where it can be deleted). */
  webUrl: string | null | undefined;
  registry: RegistryModel;
  /** After the version went. */
  onDeleted?: () => void;
  /** A text button (version page) rather than an icon (table row). */
  text?: boolean;
}

/** Delete a version after a confirmation naming what is lost; on GitLab the reason and its page there. */
export function DeleteVersionButton(props: IDeleteVersionProps): JSX.Element {
  const { registry, model, label } = props;
  const [busy, setBusy] = React.useState(false);
  const supported = registryEditing(props.backendKind).deleteVersion;
  const blocked = supported
    ? registry.writeBlocked(props.backend)
    : GITLAB_NO_VERSION_DELETE;
  const remove = async () => {
    if (!(await confirmDeleteVersion(model, label, props.aliases))) {
      return;
    }
    setBusy(true);
    try {
      const gone = await registry.deleteVersion({
        backend: props.backend,
        model,
        version: props.version
      });
      toast.success(
        `Deleted version ${label} of ${model}` +
          (gone.aliases_removed.length
            ? ` (aliases removed: ${gone.aliases_removed.map(a => `@${a}`).join(', ')})`
            : '') +
          '; its run stays.',
        { autoClose: 6000 }
      );
      props.onDeleted?.();
    } catch (error) {
      notifyError(`Deleting version ${label} of ${model} failed`, error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="jp-mlops-DeleteVersion">
      <Button
        minimal
        small
        className="jp-mlops-DangerButton"
        aria-label={props.text ? undefined : `Delete ${label} of ${model}`}
        disabled={busy || !!blocked}
        title={writeTitle(blocked, `Delete version ${label} of ${model}`)}
        onClick={() => void remove()}
      >
        <deleteIcon.react tag="span" elementSize="small" />
        {props.text ? 'Delete version…' : null}
      </Button>
      {!supported && props.text && props.webUrl && (
        <ExternalLink url={props.webUrl} text="delete it on GitLab" />
      )}
    </span>
  );
}
