import { JupyterFrontEnd } from '@jupyterlab/application';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { useSignals } from '../common/hooks';
import { Section } from './Section';

/** Commands of the snapshot plugin, with their button labels. */
export const SNAPSHOT_COMMANDS: [string, string, string][] = [
  [
    'mlops:snapshot-open',
    'Open snapshot',
    'Open the notebook as it was when the run ended (read-only)'
  ],
  [
    'mlops:snapshot-diff',
    'Diff…',
    'Compare the snapshot with another candidate or the current notebook'
  ],
  [
    'mlops:snapshot-restore',
    'Restore as new notebook',
    'Save the snapshot as a new notebook and open it'
  ]
];

/**
 * The notebook snapshot of the run: buttons for the snapshot commands
 * (another plugin); the section is hidden when none is registered.
 */
export function SnapshotSection(props: {
  commands: JupyterFrontEnd['commands'];
  backend: string;
  runId: string;
  isNotebook: boolean;
}): JSX.Element | null {
  const { commands } = props;
  useSignals(commands.commandChanged);
  const available = SNAPSHOT_COMMANDS.filter(([id]) => commands.hasCommand(id));
  if (available.length === 0) {
    return null;
  }
  const args = { backend: props.backend, run_id: props.runId };
  return (
    <Section id="snapshot" title="Notebook snapshot">
      {!props.isNotebook && (
        <p className="jp-mlops-Muted">
          This run was not logged from a notebook; a snapshot may be missing.
        </p>
      )}
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
    </Section>
  );
}
