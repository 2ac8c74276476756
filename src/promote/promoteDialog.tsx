/**
 * The promote flow: a JupyterLab dialog with the React form, then the
 * promotion as a notification (in progress → success with "Open version",
 * or the server's message with "Edit and retry" / "Open existing version").
 */
import { Dialog, Notification } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { existingVersion, promoteRun } from '../api/registry';
import { PromoteChecksModel } from '../models/promote';
import { IPromoteCandidate, IPromoteDraft, PromoteForm } from './PromoteForm';
import { modelNameProblem, semverProblem } from '../common/registryRules';
import { describeError } from '../common/errors';

/** What the flow needs from the application. */
export interface IPromoteContext {
  settings?: ServerConnection.ISettings;
  /** Open a version page in the registry tab. */
  openVersion: (backend: string, model: string, version: string) => void;
}

const EMPTY: IPromoteDraft = {
  model: '',
  version: '',
  versionTouched: false,
  description: '',
  metrics: null
};

/**
 * The dialog body. Validity goes through the Dialog's own mechanism: the form
 * renders a `.jp-mod-error` marker while it cannot be submitted.
 */
class PromoteBody
  extends ReactWidget
  implements Dialog.IBodyWidget<IPromoteDraft>
{
  constructor(
    candidate: IPromoteCandidate,
    initial: IPromoteDraft,
    settings?: ServerConnection.ISettings
  ) {
    super();
    this.addClass('jp-mlops-PromoteDialog');
    this._candidate = candidate;
    this._draft = initial;
    this._checks = new PromoteChecksModel({
      candidate,
      name: initial.model,
      serverSettings: settings
    });
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._checks.dispose();
    super.dispose();
  }

  getValue(): IPromoteDraft {
    return this._draft;
  }

  /** Whether the model exists (a new one is created on submit). */
  get exists(): boolean {
    return this._exists;
  }

  protected render(): JSX.Element {
    return (
      <PromoteForm
        candidate={this._candidate}
        initial={this._draft}
        checks={this._checks}
        onChange={(draft, exists) => {
          this._draft = draft;
          this._exists = exists;
          // The dialog re-checks on 'input' whether a `.jp-mod-error` is in it:
          // it disables "Promote" and refuses Enter while the form is invalid.
          this.node.dispatchEvent(new Event('input', { bubbles: true }));
        }}
      />
    );
  }

  private _candidate: IPromoteCandidate;
  private _checks: PromoteChecksModel;
  private _draft: IPromoteDraft;
  private _exists = false;
}

/** Whether a draft can be sent as it is. */
export function draftProblem(draft: IPromoteDraft): string | null {
  return (
    modelNameProblem(draft.model.trim()) ?? semverProblem(draft.version.trim())
  );
}

/**
 * Show the promote dialog for `candidate` and promote on "Promote".
 *
 * @returns the notification id of the promotion, or `null` when cancelled
 */
export async function promoteWithDialog(
  ctx: IPromoteContext,
  candidate: IPromoteCandidate,
  initial: IPromoteDraft = EMPTY
): Promise<string | null> {
  let draft = initial;
  for (;;) {
    const body = new PromoteBody(candidate, draft, ctx.settings);
    const dialog = new Dialog<IPromoteDraft>({
      title: `Promote ${candidate.label} to a model version`,
      body,
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Promote' })],
      focusNodeSelector: 'input[name="model"]'
    });
    dialog.addClass('jp-mlops-PromoteDialogWindow');
    const result = await dialog.launch();
    if (!result.button.accept || !result.value) {
      return null;
    }
    draft = result.value;
    if (!draftProblem(draft)) {
      return submit(ctx, candidate, draft, !body.exists);
    }
    // Enter pressed on an invalid form: show it again, values kept.
  }
}

async function submit(
  ctx: IPromoteContext,
  candidate: IPromoteCandidate,
  draft: IPromoteDraft,
  createModel: boolean
): Promise<string> {
  const model = draft.model.trim();
  const version = draft.version.trim();
  const id = Notification.emit(
    `Promoting ${candidate.label} to ${model} ${version}…`,
    'in-progress',
    {
      autoClose: false
    }
  );
  const retry: Notification.IAction = {
    label: 'Edit and retry',
    caption: 'Open the promote dialog again with the same values',
    callback: () => void promoteWithDialog(ctx, candidate, draft)
  };
  try {
    const answer = await promoteRun(
      candidate.backend,
      model,
      {
        run_id: candidate.run_id,
        version,
        description: draft.description.trim() || undefined,
        create_model: createModel
      },
      ctx.settings
    );
    const shown = answer.version.semver ?? answer.version.version;
    Notification.update({
      id,
      type: 'success',
      message:
        `${candidate.label} is now ${answer.model} version ${shown}. ${answer.notes.join(' ')}`.trim(),
      autoClose: 10000,
      actions: [
        {
          label: 'Open version',
          caption: 'Show the version in the model registry',
          callback: () =>
            ctx.openVersion(
              answer.backend,
              answer.model,
              answer.version.version
            )
        }
      ]
    });
  } catch (error) {
    const actions: Notification.IAction[] = [retry];
    const existing = existingVersion(error);
    if (existing) {
      actions.unshift({
        label: `Open version ${existing.semver ?? existing.version}`,
        caption: 'Show the existing version in the model registry',
        callback: () =>
          ctx.openVersion(candidate.backend, model, existing.version)
      });
      if (existing.web_url) {
        actions.push({
          label: 'Open in GitLab',
          callback: () => window.open(existing.web_url!, '_blank', 'noopener')
        });
      }
    }
    Notification.update({
      id,
      type: 'error',
      message: `Promotion failed: ${describeError(error).message}`,
      autoClose: false,
      actions
    });
  }
  return id;
}
