/**
 * The registry's editing dialogs, on JupyterLab's Dialog: a form whose accept
 * button is enabled only while its value passes the check (Enter does not get
 * past it either: the form opens again with what was typed), and the
 * confirmations that name what is lost. Names and texts from the backend are
 * rendered as text.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { InputGroup, ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { plural } from '../common/format';

/** Renders a form for a value; `set` replaces the value. */
export type FormRender<T> = (value: T, set: (value: T) => void) => JSX.Element;

/** A dialog body holding a value, and the accept button following its check. */
export class FormBody<T> extends ReactWidget implements Dialog.IBodyWidget<T> {
  constructor(
    value: T,
    private readonly _render: FormRender<T>,
    private readonly _problem: (value: T) => string | null
  ) {
    super();
    this._value = value;
    this.addClass('jp-mlops-EditDialog');
  }

  getValue(): T {
    return this._value;
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._sync();
  }

  protected render(): JSX.Element {
    return this._render(this._value, value => {
      this._value = value;
      this.update();
      this._sync();
    });
  }

  private _sync(): void {
    const accept = this.node
      .closest('.jp-Dialog-content')
      ?.querySelector<HTMLButtonElement>('.jp-Dialog-button.jp-mod-accept');
    if (accept) {
      const problem = this._problem(this._value);
      accept.disabled = problem !== null;
      accept.title = problem ?? '';
    }
  }

  private _value: T;
}

/** Options of {@link showForm}. */
export interface IFormOptions<T> {
  title: string;
  value: T;
  render: FormRender<T>;
  problem: (value: T) => string | null;
  accept: string;
  /** A destructive action: the accept button warns. */
  warn?: boolean;
  /** Selector of the element focused first. */
  focus?: string;
}

/** Show a form until its value passes the check (the value) or it is cancelled (null). */
export async function showForm<T>(options: IFormOptions<T>): Promise<T | null> {
  let value = options.value;
  for (;;) {
    const answer = await showDialog<T>({
      title: options.title,
      body: new FormBody(value, options.render, options.problem),
      focusNodeSelector: options.focus ?? 'input, textarea',
      buttons: [
        Dialog.cancelButton(),
        options.warn
          ? Dialog.warnButton({ label: options.accept })
          : Dialog.okButton({ label: options.accept })
      ]
    });
    if (!answer.button.accept || answer.value === null) {
      return null;
    }
    value = answer.value;
    if (options.problem(value) === null) {
      return value;
    }
  }
}

/** A labelled field with the check's message (or a hint) below it. */
export function Field(props: {
  label: string;
  hint: string;
  problem: string | null;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <label className="jp-mlops-EditField">
      <span className="jp-mlops-EditField-label">{props.label}</span>
      {props.children}
      <span
        className={`jp-mlops-EditField-hint${props.problem ? ' jp-mod-error' : ''}`}
        role={props.problem ? 'alert' : undefined}
      >
        {props.problem ?? props.hint}
      </span>
    </label>
  );
}

/** A multi-line description field. */
export function DescriptionField(props: {
  value: string;
  onChange: (value: string) => void;
  problem: string | null;
  label?: string;
}): JSX.Element {
  return (
    <Field
      label={props.label ?? 'Description'}
      hint="Plain text; line breaks are kept."
      problem={props.problem}
    >
      <textarea
        className="jp-mod-styled jp-mlops-EditTextarea"
        rows={5}
        value={props.value}
        aria-label={props.label ?? 'Description'}
        onChange={e => props.onChange(e.currentTarget.value)}
      />
    </Field>
  );
}

/** A one-line text field. */
export function TextField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  problem: string | null;
  hint: string;
  placeholder?: string;
}): JSX.Element {
  return (
    <Field label={props.label} hint={props.hint} problem={props.problem}>
      <InputGroup
        className="jp-mlops-EditInput"
        aria-label={props.label}
        aria-invalid={props.problem !== null}
        placeholder={props.placeholder}
        value={props.value}
        onChange={e => props.onChange(e.currentTarget.value)}
      />
    </Field>
  );
}

/** What deleting a version loses, in words. */
export function versionLossText(
  model: string,
  label: string,
  aliases: string[]
): string {
  const held = aliases.length
    ? ` Its ${plural(aliases.length, 'alias', 'aliases')} ${aliases
        .map(a => `@${a}`)
        .join(
          ', '
        )} ${aliases.length === 1 ? 'goes' : 'go'} with it: code that loads ${aliases
        .map(a => `models:/${model}@${a}`)
        .join(', ')} stops working.`
    : '';
  return (
    `Version ${label} of ${model} is deleted from the registry, with its description and tags; ` +
    `models:/${model}/${label} stops loading.${held} The run it came from stays, with its files and metrics. ` +
    'This cannot be undone.'
  );
}

/** Confirm deleting a version (true: go). */
export async function confirmDeleteVersion(
  model: string,
  label: string,
  aliases: string[]
): Promise<boolean> {
  const answer = await showDialog({
    title: `Delete version ${label} of ${model}?`,
    body: (
      <p className="jp-mlops-ConfirmText" data-testid="delete-version-body">
        {versionLossText(model, label, aliases)}
      </p>
    ),
    buttons: [
      Dialog.cancelButton(),
      Dialog.warnButton({ label: `Delete version ${label}` })
    ]
  });
  return answer.button.accept;
}

/**
 * Confirm deleting a model: the name it must be typed as when it has
 * versions (returned to the server as `confirm`), null when cancelled.
 */
export async function confirmDeleteModel(
  model: string,
  versions: number
): Promise<string | null> {
  const loss =
    versions > 0
      ? `Model ${model} and its ${versions} ${plural(versions, 'version')} are deleted from the registry, ` +
        'with their descriptions, tags and aliases (on GitLab, their files too). The runs they came from stay. ' +
        'This cannot be undone.'
      : `Model ${model} (no versions) is deleted, with its description and tags.`;
  if (versions === 0) {
    const answer = await showDialog({
      title: `Delete model ${model}?`,
      body: <p className="jp-mlops-ConfirmText">{loss}</p>,
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
    });
    return answer.button.accept ? model : null;
  }
  return showForm<string>({
    title: `Delete model ${model} and its ${versions} ${plural(versions, 'version')}?`,
    value: '',
    accept: 'Delete model',
    warn: true,
    problem: typed => (typed === model ? null : 'Type the model name.'),
    render: (typed, set) => (
      <div data-testid="delete-model-body">
        <p className="jp-mlops-ConfirmText">{loss}</p>
        <TextField
          label={`Type ${model} to confirm`}
          value={typed}
          onChange={set}
          problem={null}
          hint="The model's name, exactly."
        />
      </div>
    )
  });
}
