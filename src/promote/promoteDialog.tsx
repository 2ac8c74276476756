/**
 * The promote flow: a JupyterLab dialog with the React form, then the
 * promotion as a notification (in progress → success with "Open version",
 * or the server's message with "Edit and retry" / "Open existing version").
 * The version is checked again on submit (someone may have made it since the
 * form fetched the model's versions): a taken one reopens the form.
 */
import { Dialog, Notification } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { getRun } from '../api/endpoints';
import { existingVersion, promoteRun } from '../api/registry';
import {
  initialSource,
  PromoteChecksModel,
  versionTakenNow
} from '../models/promote';
import { IPromoteCandidate, IPromoteDraft, PromoteForm } from './PromoteForm';
import { modelNameProblem, semverProblem } from '../common/registryRules';
import { describeError } from '../common/errors';
import { toast, updateToast } from '../common/notify';

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
 * Show the promote dialog for `candidate` and promote on "Promote" (`initial`:
 * the values it starts with, e.g. the logged model to register as `source`).
 *
 * @returns the notification id of the promotion, or `null` when cancelled
 */
export async function promoteWithDialog(
  ctx: IPromoteContext,
  candidate: IPromoteCandidate,
  initial: Partial<IPromoteDraft> = EMPTY
): Promise<string | null> {
  if (!candidate.label || !candidate.models) {
    candidate = { ...candidate, ...(await runFacts(ctx, candidate)) };
  }
  let draft: IPromoteDraft = {
    ...EMPTY,
    ...initial,
    source: initialSource(candidate.models ?? [], initial.source)
  };
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
    if (
      !draftProblem(draft) &&
      !(await versionTakenNow(
        candidate.backend,
        draft.model.trim(),
        draft.version.trim(),
        ctx.settings
      ))
    ) {
      return submit(ctx, candidate, draft, !body.exists);
    }
    // Enter pressed on an invalid form, or the version was made meanwhile:
    // show it again, values kept (the form then says the version exists).
  }
}

/**
 * The run's label (its name, else its id's start) when none is given, and its
 * MLflow 3 logged models (none when the run cannot be read).
 */
async function runFacts(
  ctx: IPromoteContext,
  candidate: IPromoteCandidate
): Promise<Pick<IPromoteCandidate, 'label' | 'models'>> {
  const short = candidate.run_id.slice(0, 8);
  try {
    const run = await getRun(candidate.backend, candidate.run_id, ctx.settings);
    return {
      label: candidate.label || run.info.run_name || short,
      models: run.logged_models?.models ?? []
    };
  } catch {
    return { label: candidate.label || short, models: [] };
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
  const id = toast.emit(
    `Promoting run ${candidate.label} to ${model} version ${version}…`,
    'in-progress',
    { autoClose: false }
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
        create_model: createModel,
        source: draft.source
      },
      ctx.settings
    );
    const shown = answer.version.semver ?? answer.version.version;
    updateToast({
      id,
      type: 'success',
      message: createModel
        ? `Created model ${answer.model} with version ${shown} from run ${candidate.label}.`
        : `Registered ${answer.model} version ${shown} from run ${candidate.label}.`,
      details: [
        `Run ${candidate.label} (${candidate.run_id}, backend ${candidate.backend}) is now version ${shown} of ${answer.model}.`,
        ...answer.notes
      ].join('\n'),
      title: 'Promoted',
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
    const { message, detail } = describeError(error);
    updateToast({
      id,
      type: 'error',
      message: `Promotion failed: ${message}`,
      details: detail ? `Reason: ${detail}` : undefined,
      title: 'Promotion failed',
      autoClose: false,
      actions
    });
  }
  return id;
}
