import {
  Button,
  checkIcon,
  errorIcon,
  LabIcon
} from '@jupyterlab/ui-components';
import { JupyterFrontEnd } from '@jupyterlab/application';
import * as React from 'react';

import { BackendHealth, IBackendStatus, IStatus } from '../api/types';
import { ServerState } from '../models/mlops';
import { offersRestart } from '../models/status';
import { versionMismatch } from '../models/version';

/** Display name of a backend kind. */
const KIND_LABEL: Record<string, string> = {
  mlflow: 'MLflow',
  gitlab: 'GitLab'
};

type CommandRegistry = JupyterFrontEnd['commands'];

/** Commands the banner's buttons run (registered in `commands.ts`). */
export const BannerCommands = {
  restart: 'mlops:restart-embedded-backend',
  showLog: 'mlops:show-embedded-backend-log'
} as const;

/** Banner tone: decides the accent colour. */
type Tone = 'info' | 'ok' | 'warn' | 'error';

const HEALTH_TONE: Record<BackendHealth, Tone> = {
  starting: 'info',
  healthy: 'ok',
  unreachable: 'warn',
  failed: 'error'
};

/** One-line summary of a backend, e.g. "MLflow · embedded · healthy". */
export function backendSummary(backend: IBackendStatus): string {
  const parts = [KIND_LABEL[backend.kind] ?? backend.kind];
  if (backend.embedded) {
    parts.push('embedded');
  }
  parts.push(backend.health);
  return parts.join(' · ');
}

/**
 * Batches the kernels set aside after the backend kept failing on them (5xx),
 * as the server's `status` reports them under `spool.set_aside`.
 */
export interface ISetAside {
  batches: number;
  items?: number;
  reasons?: string[];
}

/** "2 batches set aside: <reason>", or null when nothing is set aside. */
export function setAsideNote(spool: IStatus['spool']): string | null {
  const aside = (spool as IStatus['spool'] & { set_aside?: ISetAside })
    .set_aside;
  const n = aside && typeof aside.batches === 'number' ? aside.batches : 0;
  if (n <= 0) {
    return null;
  }
  const reasons = (aside?.reasons ?? []).filter(r => typeof r === 'string');
  const what = `${n} ${n === 1 ? 'batch' : 'batches'} set aside`;
  return reasons.length ? `${what}: ${reasons.join('; ')}` : what;
}

function Spinner(): JSX.Element {
  return <span className="jp-mlops-Spinner" aria-hidden="true" />;
}

function ToneIcon(props: { tone: Tone }): JSX.Element {
  if (props.tone === 'info') {
    return <Spinner />;
  }
  const icon: LabIcon = props.tone === 'ok' ? checkIcon : errorIcon;
  return (
    <icon.react
      tag="span"
      className="jp-mlops-StatusBanner-icon"
      elementSize="normal"
    />
  );
}

function Frame(props: {
  tone: Tone;
  status: string;
  health?: BackendHealth;
  backend?: string;
  title: string;
  children?: React.ReactNode;
}): JSX.Element {
  return (
    <div
      className={`jp-mlops-StatusBanner jp-mlops-mod-${props.tone}`}
      data-status={props.status}
      data-health={props.health}
      data-backend={props.backend}
      role="status"
    >
      <div className="jp-mlops-StatusBanner-title">
        <ToneIcon tone={props.tone} />
        <span>{props.title}</span>
      </div>
      {props.children && (
        <div className="jp-mlops-StatusBanner-body">{props.children}</div>
      )}
    </div>
  );
}

/** "Restart backend" and "Show log" of a failed (or long unreachable) embedded backend. */
function RecoveryActions(props: {
  backend: IBackendStatus;
  commands: CommandRegistry;
}): JSX.Element | null {
  const { backend, commands } = props;
  const [busy, setBusy] = React.useState(false);
  if (!offersRestart(backend) || !commands.hasCommand(BannerCommands.restart)) {
    return null;
  }
  const args = { backend: backend.name };
  const restart = async (): Promise<void> => {
    setBusy(true);
    try {
      await commands.execute(BannerCommands.restart, args);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="jp-mlops-StatusBanner-actions">
      <Button
        className="jp-mod-styled jp-mod-accept jp-mlops-StatusBanner-restart"
        disabled={busy}
        onClick={() => void restart()}
        title="Stop the embedded MLflow server and start it again (kernels and notebooks keep running)"
      >
        {busy ? 'Restarting…' : 'Restart backend'}
      </Button>
      {commands.hasCommand(BannerCommands.showLog) && (
        <Button
          className="jp-mod-styled jp-mod-reject jp-mlops-StatusBanner-log"
          onClick={() => void commands.execute(BannerCommands.showLog, args)}
          title="The last lines of the embedded MLflow server's log"
        >
          Show log
        </Button>
      )}
    </div>
  );
}

function BackendBanner(props: {
  backend: IBackendStatus;
  commands?: CommandRegistry;
}): JSX.Element {
  const { backend, commands } = props;
  const tone = HEALTH_TONE[backend.health] ?? 'warn';
  const starting = backend.health === 'starting';
  const title = starting
    ? backend.embedded
      ? 'Starting the embedded MLflow backend…'
      : `Connecting to ${KIND_LABEL[backend.kind] ?? backend.kind}…`
    : backendSummary(backend);
  const showMessage = backend.health !== 'healthy' && backend.message;
  return (
    <Frame
      tone={tone}
      status="ready"
      health={backend.health}
      backend={backend.name}
      title={title}
    >
      {backend.url && (
        <div className="jp-mlops-StatusBanner-url" title={backend.url}>
          {backend.url}
        </div>
      )}
      {showMessage && (
        <div className="jp-mlops-StatusBanner-message">{backend.message}</div>
      )}
      {commands && <RecoveryActions backend={backend} commands={commands} />}
    </Frame>
  );
}

/** The server extension and the frontend come from different releases. */
function VersionBanner(props: { serverVersion: string }): JSX.Element | null {
  const mismatch = versionMismatch(props.serverVersion);
  if (!mismatch) {
    return null;
  }
  return (
    <Frame tone="warn" status="version-mismatch" title="Versions differ">
      <div className="jp-mlops-StatusBanner-message">
        The server extension is {mismatch.server}, the frontend is{' '}
        {mismatch.frontend}: run <code>pip install -U jupyterlab_mlops</code> in
        the environment that runs Jupyter, then restart JupyterLab.
      </div>
    </Frame>
  );
}

function ReadyBanners(props: {
  status: IStatus;
  commands?: CommandRegistry;
}): JSX.Element {
  return (
    <>
      <VersionBanner serverVersion={props.status.version} />
      <BackendBanners status={props.status} commands={props.commands} />
    </>
  );
}

function BackendBanners(props: {
  status: IStatus;
  commands?: CommandRegistry;
}): JSX.Element {
  const { status } = props;
  if (status.backends.length === 0) {
    return (
      <Frame tone="warn" status="ready" title="No backend configured">
        <div className="jp-mlops-StatusBanner-message">
          Set <code>MLFLOW_TRACKING_URI</code> or configure{' '}
          <code>c.MlopsApp</code> in the Jupyter server config, then restart
          Jupyter.
        </div>
      </Frame>
    );
  }
  // The default backend first: it is the one the UI works with.
  const backends = [...status.backends].sort(
    (a, b) =>
      Number(b.name === status.default_backend) -
      Number(a.name === status.default_backend)
  );
  const aside = setAsideNote(status.spool);
  return (
    <>
      {backends.map(b => (
        <BackendBanner key={b.name} backend={b} commands={props.commands} />
      ))}
      {aside && (
        <div
          className="jp-mlops-SpoolNote jp-mlops-mod-warn"
          data-set-aside="true"
          role="alert"
        >
          {aside}
        </div>
      )}
      {status.spool.depth > 0 && (
        <div className="jp-mlops-SpoolNote" data-spool={status.spool.depth}>
          {status.spool.depth} logged{' '}
          {status.spool.depth === 1 ? 'point is' : 'points are'} waiting to be
          sent.
        </div>
      )}
    </>
  );
}

/**
 * Lasting state of the server extension and its backends; with `commands`, a
 * failed embedded backend gets "Restart backend" and "Show log" buttons.
 */
export function StatusBanner(props: {
  state: ServerState;
  commands?: CommandRegistry;
}): JSX.Element {
  const { state } = props;
  switch (state.phase) {
    case 'connecting':
      return (
        <Frame
          tone="info"
          status="connecting"
          title="Connecting to the MLOps server extension…"
        />
      );
    case 'missing':
      return (
        <Frame tone="error" status="missing" title="Server extension missing">
          <p>
            The MLOps server extension is not running on this Jupyter server.
            Install it in the environment that runs Jupyter:
          </p>
          <pre className="jp-mlops-Code">pip install jupyterlab_mlops</pre>
          <p>then restart Jupyter. If it is installed, enable it:</p>
          <pre className="jp-mlops-Code">
            jupyter server extension enable jupyterlab_mlops
          </pre>
        </Frame>
      );
    case 'error':
      return (
        <Frame tone="error" status="error" title="Cannot get the MLOps status">
          <div className="jp-mlops-StatusBanner-message">
            {state.error.message}
          </div>
          {state.error.reason && (
            <div className="jp-mlops-StatusBanner-detail">
              {state.error.reason}
            </div>
          )}
        </Frame>
      );
    case 'ready':
      return <ReadyBanners status={state.status} commands={props.commands} />;
  }
}
