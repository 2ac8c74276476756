/**
 * The body of the "Diff with which run?" dialog: the runs that have a
 * snapshot as a list (name first, long names cut with an ellipsis and shown
 * whole in the tooltip; start time and short id beside), or a run id typed
 * by hand. Arrow keys move, a double click chooses.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { ISnapshotRunRef } from '../api/snapshot';
import { IRunChoice, parseRunText } from './runChoice';

/** What the list shows and does. */
interface IPickerProps {
  choices: IRunChoice[];
  /** Why the list is empty or short (e.g. the runs could not be listed). */
  note: string;
  selected: number;
  onSelect: (index: number) => void;
  text: string;
  onText: (text: string) => void;
  onChoose: () => void;
}

function PickerView(props: IPickerProps): JSX.Element {
  const { choices, selected } = props;
  const list = React.useRef<HTMLUListElement>(null);
  React.useEffect(() => {
    list.current
      ?.querySelector<HTMLElement>('[aria-selected="true"]')
      ?.scrollIntoView?.({ block: 'nearest' });
  }, [selected]);
  const onKeyDown = (event: React.KeyboardEvent): void => {
    const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
    if (step && choices.length) {
      event.preventDefault();
      event.stopPropagation();
      props.onSelect(
        Math.min(choices.length - 1, Math.max(0, selected + step))
      );
    }
  };
  return (
    <div className="jp-mlops-RunPicker">
      {choices.length > 0 ? (
        <ul
          ref={list}
          className="jp-mlops-RunPicker-list"
          role="listbox"
          aria-label="Runs with a notebook snapshot"
          tabIndex={0}
          onKeyDown={onKeyDown}
        >
          {choices.map((choice, i) => (
            <li
              key={choice.ref.run_id}
              role="option"
              aria-selected={i === selected && !props.text.trim()}
              className="jp-mlops-RunPicker-item"
              data-run-id={choice.ref.run_id}
              title={`${choice.name}\n${choice.secondary}\nrun ID ${choice.ref.run_id}`}
              onClick={() => {
                props.onText('');
                props.onSelect(i);
              }}
              onDoubleClick={() => {
                props.onText('');
                props.onSelect(i);
                props.onChoose();
              }}
            >
              <span className="jp-mlops-RunPicker-name">{choice.name}</span>
              <span className="jp-mlops-RunPicker-secondary">
                {choice.secondary}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {props.note && <p className="jp-mlops-Muted">{props.note}</p>}
      <label className="jp-mlops-RunPicker-typed">
        <span>Or a run ID (backend:run_id for another backend)</span>
        <input
          className="jp-mod-styled"
          type="text"
          placeholder="run ID"
          value={props.text}
          onChange={e => props.onText(e.currentTarget.value)}
        />
      </label>
    </div>
  );
}

/** The dialog body; `getValue()` is the chosen run (null: none). */
export class RunPicker extends ReactWidget {
  constructor(
    private readonly _choices: IRunChoice[],
    private readonly _defaultBackend: string,
    private readonly _note: string
  ) {
    super();
    this.addClass('jp-mlops-RunPickerBody');
  }

  /** Called on a double click (the dialog accepts). */
  onChoose: () => void = () => undefined;

  getValue(): ISnapshotRunRef | null {
    if (this._text.trim()) {
      return parseRunText(this._text, this._defaultBackend);
    }
    return this._choices[this._selected]?.ref ?? null;
  }

  /** The chosen run's choice, when one of the list. */
  chosen(): IRunChoice | null {
    const ref = this.getValue();
    return this._choices.find(c => c.ref.run_id === ref?.run_id) ?? null;
  }

  protected render(): JSX.Element {
    return (
      <PickerView
        choices={this._choices}
        note={this._note}
        selected={this._selected}
        onSelect={i => {
          this._selected = i;
          this.update();
        }}
        text={this._text}
        onText={text => {
          this._text = text;
          this.update();
        }}
        onChoose={() => this.onChoose()}
      />
    );
  }

  private _selected = 0;
  private _text = '';
}
