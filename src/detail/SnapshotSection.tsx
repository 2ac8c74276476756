import { JupyterFrontEnd } from '@jupyterlab/application';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { hasSnapshot } from '../api/snapshot';
import type { IRunDetail } from '../api/types';
import { useSignals } from '../common/hooks';
import { Section } from './Section';

/** Commands of the snapshot plugin on a run that has a snapshot, with their button labels. */
export const SNAPSHOT_COMMANDS: [string, string, string][] = [
  [
    'mlops:snapshot-open',
    'Open snapshot',
    'Open the notebook as it was when the run ended (read-only)'
  ],
  [
    'mlops:snapshot-diff',
    'Diff…',
    'Compare the snapshot with the snapshot of another run'
  ],
  [
    'mlops:snapshot-restore',
    'Restore as new notebook',
    'Save the snapshot as a new notebook and open it'
  ]
];

/** The command that attaches the open notebook to a run without a snapshot. */
export const ATTACH_COMMAND = 'mlops:snapshot-attach';

/** Props of {@link SnapshotSection}. */
export interface ISnapshotSectionProps {
  commands: JupyterFrontEnd['commands'];
  backend: string;
  runId: string;
  isNotebook: boolean;
  /** The run; without it the snapshot is assumed to exist. */
  detail?: IRunDetail;
}

function ActionButtons(props: {
  commands: JupyterFrontEnd['commands'];
  args: Record<string, string | boolean>;
}): JSX.Element {
  const { commands, args } = props;
  const available = SNAPSHOT_COMMANDS.filter(([id]) => commands.hasCommand(id));
  return (
    <div className="jp-mlops-ButtonRow">
      {available.map(([id, label, title], i) => (
        <Button
          key={id}
          small
          minimal={i > 0}
          className={i === 0 ? 'jp-mod-styled jp-mod-accept' : undefined}
          title={title}
          data-command={id}
          disabled={!commands.isEnabled(id, args)}
          onClick={() => void commands.execute(id, args)}
        >
          {label}
        </Button>
      ))}
    </div>
  );
}

function AttachButton(props: {
  commands: JupyterFrontEnd['commands'];
  args: Record<string, string | boolean>;
  onAttached: () => void;
}): JSX.Element | null {
  const { commands, args } = props;
  const [busy, setBusy] = React.useState(false);
  if (!commands.hasCommand(ATTACH_COMMAND)) {
    return null;
  }
  const enabled = commands.isEnabled(ATTACH_COMMAND, args);
  const caption = commands.caption(ATTACH_COMMAND, args);
  return (
    <div className="jp-mlops-ButtonRow">
      <Button
        small
        className="jp-mod-styled jp-mod-accept"
        title={caption}
        data-command={ATTACH_COMMAND}
        disabled={!enabled || busy}
        onClick={() => {
          setBusy(true);
          void commands
            .execute(ATTACH_COMMAND, args)
            .then(result => {
              if (result && typeof result === 'object' && 'sha256' in result) {
                props.onAttached();
              }
            })
            .finally(() => setBusy(false));
        }}
      >
        {commands.label(ATTACH_COMMAND, args)}
      </Button>
      <span className="jp-mlops-Muted jp-mlops-SnapshotAttachHint">
        {caption}
      </span>
    </div>
  );
}

/**
 * The notebook snapshot of the run: for a run with one, buttons for the
 * snapshot commands (another plugin); for a run without one, "Attach the open
 * notebook". Hidden when the snapshot plugin is not there.
 */
export function SnapshotSection(
  props: ISnapshotSectionProps
): JSX.Element | null {
  const { commands, detail } = props;
  useSignals(commands.commandChanged);
  const [attached, setAttached] = React.useState(false);
  if (!SNAPSHOT_COMMANDS.some(([id]) => commands.hasCommand(id))) {
    return null;
  }
  const exists =
    attached || !detail || hasSnapshot(detail.tags, detail.artifacts.files);
  const info = detail?.info;
  const args: Record<string, string | boolean> = {
    backend: props.backend,
    run_id: props.runId,
    run_name: info?.run_name ?? '',
    has_snapshot: exists
  };
  if (!exists && info) {
    args.status = info.status;
    args.user = info.user_name ?? info.user_id ?? '';
  }
  return (
    <Section id="snapshot" title="Notebook snapshot">
      {exists ? (
        <ActionButtons commands={commands} args={args} />
      ) : (
        <div className="jp-mlops-SnapshotMissing" data-snapshot="none">
          <p className="jp-mlops-Muted">
            This run has no notebook snapshot
            {props.isNotebook
              ? '.'
              : ': it was not logged from a notebook with the extension.'}{' '}
            Attach the notebook that made it to open, diff and restore it later.
          </p>
          <AttachButton
            commands={commands}
            args={args}
            onAttached={() => setAttached(true)}
          />
        </div>
      )}
    </Section>
  );
}
