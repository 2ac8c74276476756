/**
 * The candidates table asks for its next page when its end is in view: also
 * when the end came into view before a page could be asked for (rows
 * remembered from a last visit painted while the first page loads), where no
 * scroll event follows the answer.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as React from 'react';
import { act } from 'react';

import { IRunRow } from '../api/types';
import { CandidatesTable } from '../experiment/CandidatesTable';
import { tableColumns } from '../experiment/tableColumns';
import { DEFAULT_SORT } from '../models/rows';
import { RunsSelection } from '../models/selection';
import { runRow } from './runRows';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

/** The table with the props of its last render. */
class Host extends ReactWidget {
  props: { rows: IRunRow[]; canLoadMore: boolean } | null = null;
  constructor(
    private selection: RunsSelection,
    private onNearEnd: () => void
  ) {
    super();
  }
  render(): JSX.Element | null {
    return this.props ? (
      <CandidatesTable
        rows={this.props.rows}
        columns={tableColumns(['metrics.loss'])}
        sort={DEFAULT_SORT}
        selection={this.selection}
        onSort={() => undefined}
        onOpen={() => undefined}
        canLoadMore={this.props.canLoadMore}
        onNearEnd={this.onNearEnd}
      />
    ) : null;
  }
}

const run = runRow;

describe('CandidatesTable: the next page', () => {
  let host: Host;
  let selection: RunsSelection;
  let asked: number;

  beforeEach(async () => {
    selection = new RunsSelection('default');
    asked = 0;
    host = new Host(selection, () => asked++);
    await act(async () => Widget.attach(host, document.body));
  });

  afterEach(async () => {
    await act(async () => host.dispose());
    selection.dispose();
  });

  /** Render with these props; effects run (act flushes them). */
  const render = async (rows: IRunRow[], canLoadMore: boolean) => {
    host.props = { rows, canLoadMore };
    await act(async () =>
      MessageLoop.sendMessage(host, Widget.Msg.UpdateRequest)
    );
  };

  it('asks once it can, with its end already in view and no scroll', async () => {
    const remembered = [run(0), run(1), run(2)];
    await render(remembered, false); // remembered rows shown, the first page loading
    expect(host.node.querySelectorAll('.jp-mlops-Table-row')).toHaveLength(3);
    expect(asked).toBe(0);
    await render([run(0), run(1), run(2)], true); // the answer: the same rows, a next page
    expect(asked).toBe(1);
    await render([run(0), run(1), run(2)], false); // that page loading
    await render([run(0), run(1), run(2), run(3)], true); // taken, the end still in view
    expect(asked).toBe(2);
  });

  it('never asks while it cannot (no next page, or one loading)', async () => {
    await render([run(0), run(1)], false);
    await render([run(0), run(1), run(2)], false);
    expect(asked).toBe(0);
  });
});
