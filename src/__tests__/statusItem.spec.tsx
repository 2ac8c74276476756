/** The status-bar item (issue 13, item 2): health with the backend's name, spooled points, click to the sidebar. */
import { Widget } from '@lumino/widgets';
import { MessageLoop } from '@lumino/messaging';
import { act } from 'react';

import { IStatus } from '../api/types';
import { MlopsModel } from '../models/mlops';
import { StatusItem, summarize } from '../statusbar';
import { FakeServer, waitFor } from './fakeServer';

function status(health: string, depth: number): IStatus {
  return {
    version: '0.1.0',
    backends: [
      {
        name: 'default',
        kind: 'mlflow',
        url: 'http://127.0.0.1:40123',
        embedded: true,
        health: health as IStatus['backends'][0]['health'],
        message: '',
        capabilities: {}
      }
    ],
    default_backend: 'default',
    spool: { depth }
  };
}

describe('status-bar item', () => {
  let server: FakeServer;
  let model: MlopsModel;

  beforeEach(() => {
    server = new FakeServer();
    model = new MlopsModel({ serverSettings: server.settings });
  });

  afterEach(() => model.dispose());

  it('says "connecting" before the first status', () => {
    expect(summarize(model)).toMatchObject({
      health: 'connecting',
      spooled: 0
    });
  });

  it('shows the backend health and the spooled points, and opens the sidebar', async () => {
    server.json(200, status('unreachable', 1234));
    await model.refreshStatus();
    const summary = summarize(model);
    expect(summary).toMatchObject({
      health: 'unreachable',
      text: 'default: unreachable',
      spooled: 1234
    });
    expect(summary.tooltip).toContain('1234 log points wait');

    let clicks = 0;
    const item = new StatusItem(model, () => clicks++);
    Widget.attach(item, document.body);
    // Rendered, and its effects (the signal connections) run.
    await act(async () =>
      MessageLoop.sendMessage(item, Widget.Msg.UpdateRequest)
    );
    await waitFor(() => !!item.node.querySelector('[data-health]'));
    const group = item.node.querySelector('[data-health]') as HTMLElement;
    expect(group.dataset.health).toBe('unreachable');
    expect(group.textContent).toContain('1,234 spooled');
    group.click();
    expect(clicks).toBe(1);

    server.replies = [];
    server.json(200, status('healthy', 0));
    // The status signal re-renders the item (React batches it: act flushes).
    await act(() => model.refreshStatus());
    expect(summarize(model).health).toBe('healthy');
    const shown = (): HTMLElement =>
      item.node.querySelector('[data-health]') as HTMLElement;
    await waitFor(() => shown().dataset.health === 'healthy');
    expect(shown().textContent).toContain('default: healthy');
    expect(shown().textContent).not.toContain('spooled');
    item.dispose();
  });
});
