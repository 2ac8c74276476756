/** The compare tab: a MainAreaWidget around {@link CompareView}. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ICompareRun, IRunRef } from '../api/compare';
import { mlopsIcon } from '../common/icons';
import { CompareModel } from '../models/compare';
import { CompareView } from './CompareView';

let counter = 0;

/** Options of {@link createCompareWidget}. */
export interface ICompareWidgetOptions {
  runs: IRunRef[];
  settings?: ServerConnection.ISettings;
  onPromote: (run: ICompareRun) => void;
}

/** The React body of the compare tab. */
export class CompareBody extends ReactWidget {
  constructor(
    options: ICompareWidgetOptions & { onCount: (n: number) => void }
  ) {
    super();
    this.addClass('jp-mlops-CompareTab');
    this._onPromote = options.onPromote;
    this.model = new CompareModel({
      runs: options.runs,
      serverSettings: options.settings
    });
    // The tab title follows the number of compared runs.
    this.model.changed.connect(() => options.onCount(this.model.runs.length));
  }

  /** The runs compared and the answer, fetched through `src/api/`. */
  readonly model: CompareModel;

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  protected render(): JSX.Element {
    return <CompareView model={this.model} onPromote={this._onPromote} />;
  }

  private _onPromote: (run: ICompareRun) => void;
}

/** A new compare tab (not yet attached). */
export function createCompareWidget(
  options: ICompareWidgetOptions
): MainAreaWidget<CompareBody> {
  const setTitle = (n: number) => {
    widget.title.label = `Compare ${n} runs`;
    widget.title.caption = `Compare ${n} runs`;
  };
  const content = new CompareBody({ ...options, onCount: n => setTitle(n) });
  const widget = new MainAreaWidget({ content });
  widget.id = `jupyterlab-mlops-compare-${++counter}`;
  widget.addClass('jp-mlops-CompareWidget');
  widget.title.icon = mlopsIcon;
  widget.title.closable = true;
  setTitle(options.runs.length);
  return widget;
}
