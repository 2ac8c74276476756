/**
 * A failed embedded backend (issue 14, item 8): the banner offers "Restart
 * backend" and "Show log", and the button runs the real restart command, which
 * posts `backends/default/restart` and fetches the status again.
 */
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';
// react-dom ships no type declarations here (see render.ts).
// @ts-expect-error: untyped module, used only for createRoot
import * as ReactDOMClient from 'react-dom/client';

import { IStatus } from '../api/types';
import { ExperimentPageOpener } from '../experiment/opener';
import { addCommands, CommandIDs } from '../commands';
import { MlopsModel } from '../models/mlops';
import { offersRestart } from '../models/status';
import { StatusBanner } from '../sidebar/StatusBanner';
import { FakeServer, jsonReply, waitFor } from './fakeServer';
import { renderToStaticMarkup } from './render';

const LOG_PATH = '/home/u/.local/share/jupyter/mlops/mlflow/mlflow-server.log';
const FAILED_MESSAGE =
  'failed: MLflow server stopped (exit code 1) after 5 restarts in 10 min\n' +
  `ERROR: [Errno 98] address already in use (full log: ${LOG_PATH})`;

function embedded(
  health: string,
  extra: Record<string, unknown> = {}
): Record<string, unknown> {
  return {
    name: 'default',
    kind: 'mlflow',
    url: 'http://127.0.0.1:5055',
    embedded: true,
    health,
    message: health === 'failed' ? FAILED_MESSAGE : 'healthy',
    capabilities: {},
    restartable: true,
    cause:
      health === 'failed' ? 'ERROR: [Errno 98] address already in use' : null,
    log_path: LOG_PATH,
    restarts: 5,
    max_restarts: 5,
    restart_window_s: 600,
    down_for_s: health === 'healthy' ? null : 42,
    ...extra
  };
}

function status(...backends: Record<string, unknown>[]): IStatus {
  return {
    version: '',
    default_backend: 'default',
    backends: backends as any,
    spool: { depth: 0 }
  };
}

function html(s: IStatus, commands?: CommandRegistry): string {
  return renderToStaticMarkup(
    <StatusBanner state={{ phase: 'ready', status: s }} commands={commands} />
  );
}

describe('the restart offer', () => {
  it('is made for a failed or long-unreachable embedded backend only', () => {
    expect(offersRestart(embedded('failed') as any)).toBe(true);
    expect(offersRestart(embedded('unreachable') as any)).toBe(true);
    const brief = embedded('unreachable', { down_for_s: 3 });
    expect(offersRestart(brief as any)).toBe(false);
    expect(offersRestart(embedded('healthy') as any)).toBe(false);
    expect(offersRestart(embedded('starting') as any)).toBe(false);
    const remote = embedded('failed', { embedded: false, restartable: false });
    expect(offersRestart(remote as any)).toBe(false);
  });

  it('shows the cause and the log path, not the buttons of a healthy backend', () => {
    const commands = new CommandRegistry();
    commands.addCommand('mlops:restart-embedded-backend', { execute: () => 0 });
    const failed = html(status(embedded('failed')), commands);
    expect(failed).toContain('address already in use');
    expect(failed).toContain(LOG_PATH);
    expect(failed).toContain('Restart backend');
    expect(html(status(embedded('healthy')), commands)).not.toContain(
      'Restart backend'
    );
    // without commands (older callers) the banner stays as it was
    expect(html(status(embedded('failed')))).not.toContain('Restart backend');
  });
});

describe('"Restart backend" in the failed banner', () => {
  let server: FakeServer;
  let model: MlopsModel;
  let container: HTMLElement;
  let root: any;

  beforeEach(() => {
    server = new FakeServer();
    let health = 'failed';
    server.handler = request => {
      const path = new URL(request.url).pathname;
      if (path.endsWith('/backends/default/restart')) {
        health = 'starting';
        return jsonReply(200, {
          name: 'default',
          health,
          message: 'starting MLflow (pid 7)…',
          restartable: true,
          restarts: 0
        });
      }
      if (path.endsWith('/status')) {
        return jsonReply(200, status(embedded(health)));
      }
      return jsonReply(404, { message: 'not here', error: 'not_found' });
    };
    model = new MlopsModel({ serverSettings: server.settings });
    container = document.createElement('div');
    document.body.appendChild(container);
    root = ReactDOMClient.createRoot(container);
  });

  afterEach(() => {
    root.unmount();
    container.remove();
    model.dispose();
  });

  it('runs the restart command: POST restart, then the status again', async () => {
    const commands = new CommandRegistry();
    const app = { commands, shell: { activateById: () => undefined } };
    const experiments = new ExperimentPageOpener({
      app: app as any,
      restorer: null,
      page: { mlops: model, commands, openRun: () => undefined }
    });
    addCommands(app as any, model, {
      sidebarId: 'sidebar',
      palette: null,
      experiments,
      openRun: () => Promise.resolve()
    });
    await model.refreshStatus();
    expect(model.defaultBackend?.health).toBe('failed');
    root.render(<StatusBanner state={model.state} commands={commands} />);
    await waitFor(
      () => !!container.querySelector('.jp-mlops-StatusBanner-restart')
    );
    expect(container.textContent).toContain('address already in use');
    expect(container.querySelector('.jp-mlops-StatusBanner-log')).toBeTruthy();

    const statusCalls = server.requestsTo('/status').length;
    (
      container.querySelector('.jp-mlops-StatusBanner-restart') as HTMLElement
    ).click();
    await waitFor(() => model.defaultBackend?.health === 'starting');
    const posts = server.requestsTo('/backends/default/restart');
    expect(posts.map(r => r.method)).toEqual(['POST']);
    expect(server.requestsTo('/status').length).toBeGreaterThan(statusCalls);
    expect(commands.isEnabled(CommandIDs.restartEmbedded, {})).toBe(true);
  });
});
